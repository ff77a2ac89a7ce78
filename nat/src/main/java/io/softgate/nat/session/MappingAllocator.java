package io.softgate.nat.session;

import io.softgate.core.flow.FlowTable;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.nat.compile.CompiledRule;
import io.softgate.nat.compile.ExternalAddress;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.FilteringMode;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.PortAllocationMode;
import io.softgate.nat.log.NatEventLog;
import io.softgate.nat.log.NatEventType;
import io.softgate.nat.stage.NatDropReason;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Endpoint-independent mappings (RFC 4787 REQ-1, RFC 5382 REQ-1): one outside address and port
 * per inside (VRF, protocol, address, port), shared by every session of that endpoint whatever
 * the destination, with a reference count of its sessions. New mappings get their outside address
 * by paired pooling (RFC 4787 REQ-2: a hash of the subscriber picks the pool address, so all of a
 * subscriber's mappings share it) and their port at random (RFC 6056 §3.3.1) or from the
 * subscriber's port blocks (RFC 6888 port-block allocation), within the per-subscriber port limit (RFC 6888).
 *
 * <p>Threading: lock-free; workers call {@link #acquire}/{@link #findForInbound}, the sweeper
 * releases; allocation-free. References: see {@link #takeReference} for why deleting a mapping is
 * safe against workers taking a reference on it at the same time. Subscriber counters: see
 * {@link #countSubscriberPort} for why removing them is safe against workers counting at the same time.
 */
final class MappingAllocator {
    /** {@link #findForInbound}: no mapping for that outside endpoint. */
    static final int NO_MAPPING = -1;
    private static final int ATTEMPTS = 8;
    static final int MAPPING_WORD_ADDRESS = 0;
    static final int MAPPING_WORD_REFERENCES = 1;
    static final int MAPPING_WORD_PARTNER = 2;
    /** In a MAPPING_OUTSIDE entry (which counts no references) word 1 holds the inside VRF. */
    static final int MAPPING_WORD_INSIDE_VRF = 1;

    /**
     * Bit set in every live reference word (word {@link #MAPPING_WORD_REFERENCES} of a MAPPING_INSIDE
     * entry); never set in word 1 of another mapping-table entry that a worker could meet in the
     * same slot (see {@link #takeReference}).
     */
    static final long MAPPING_LIVE = 1L << 61;
    /** Reference word of a mapping the sweeper has condemned (no references left): never referenced again. */
    static final long MAPPING_CONDEMNED = -1;
    private static final int MAPPING_REFERENCE_BITS = 30;
    /** Most references a mapping word holds: above any session count (a session is two of at most 2^30 slots). */
    static final long MAPPING_MAX_REFERENCES = (1L << MAPPING_REFERENCE_BITS) - 1;
    private static final int MAPPING_STAMP_BITS = 31;
    private static final long MAPPING_STAMP_MASK = (1L << MAPPING_STAMP_BITS) - 1;

    /** Bit set in every live subscriber counter word (never in word 1 of another mapping-table entry). */
    static final long COUNTER_LIVE = 1L << 62;
    /** Counter word of a subscriber counter the sweeper has condemned (count reached zero): never counted in again. */
    static final long COUNTER_CONDEMNED = -1;
    private static final int COUNTER_PORT_BITS = 20;
    /** Largest port count a counter word holds (far above the 64,512 ports of a protocol class). */
    static final int COUNTER_MAX_PORTS = (1 << COUNTER_PORT_BITS) - 1;
    /** Value word of a subscriber counter that counts the subscriber's sessions on its mappings (RFC 6888 REQ-5). */
    static final int COUNTER_WORD_SESSIONS = 2;
    /** {@link #countSubscriberSession} result: the subscriber has no counter, nothing was counted. */
    static final int NO_COUNTER = -1;
    private static final int COUNTER_STAMP_BITS = 42;
    private static final long COUNTER_STAMP_MASK = (1L << COUNTER_STAMP_BITS) - 1;

    private final FlowTable mappings;
    /** The session table, whose outside-key slot {@link #create} starts loading early; null for the sweeper. */
    private final FlowTable sessions;
    private final NatEventLog eventLog;
    /** Stamps of new subscriber counters, shared by every allocator of one mapping table (see {@link #countSubscriberPort}). */
    private final AtomicLong counterStamps;
    /**
     * Tests only: run by {@link #takeReference} before it touches the mapping's word, i.e. after the
     * caller looked the mapping up, so a test can interleave the sweeper and other workers exactly
     * there. Null in production (one field read on the creation path, never on the fast path).
     */
    Runnable beforeTakeReference;
    /**
     * Tests only: run by the sweeper's {@link #releaseBlockIfIdle} once it found the block its owner's
     * and idle, before it marks and frees it. Null in production (one field read per block release).
     */
    Runnable beforeBlockRelease;
    /**
     * Tests only: run by a worker's {@link #claimInBlocks} once it found a block its subscriber's,
     * before it claims a port in it. Null in production (one field read on the creation path).
     */
    Runnable beforeClaimInBlock;

    MappingAllocator(FlowTable mappings, NatEventLog eventLog, AtomicLong counterStamps) {
        this(mappings, null, eventLog, counterStamps);
    }

    MappingAllocator(FlowTable mappings, FlowTable sessions, NatEventLog eventLog, AtomicLong counterStamps) {
        this.mappings = mappings;
        this.sessions = sessions;
        this.eventLog = eventLog;
        this.counterStamps = counterStamps;
    }

    static void insideMappingKey(long[] key, int protocolClass, int vrf, int address, int port) {
        key[0] = SessionKeys.word0(SessionKeys.TAG_MAPPING_INSIDE, protocolClass, vrf, port, 0);
        key[1] = SessionKeys.word1(address, 0);
    }

    static void outsideMappingKey(long[] key, int protocolClass, int address, int port) {
        key[0] = SessionKeys.word0(SessionKeys.TAG_MAPPING_OUTSIDE, protocolClass, 0, port, 0);
        key[1] = SessionKeys.word1(address, 0);
    }

    static void permitKey(long[] key, int protocolClass, int outsideAddress, int outsidePort, int remoteAddress) {
        key[0] = SessionKeys.word0(SessionKeys.TAG_PERMIT, protocolClass, 0, outsidePort, 0);
        key[1] = SessionKeys.word1(outsideAddress, remoteAddress);
    }

    /** Word 0 of a MAPPING_OUTSIDE entry: the inside address and port (the VRF is word {@link #MAPPING_WORD_INSIDE_VRF}). */
    static long outsideMappingValue(int insideAddress, int insidePort) {
        return ((long) insideAddress << 32) | ((long) (insidePort & 0xFFFF) << 16);
    }

    static void subscriberKey(long[] key, int protocolClass, int vrf, int address) {
        key[0] = SessionKeys.word0(SessionKeys.TAG_SUBSCRIBER, protocolClass, vrf, 0, 0);
        key[1] = SessionKeys.word1(address, 0);
    }

    /**
     * Finds or creates the mapping of an inside endpoint and takes a reference on it. Returns the
     * mapping's inside entry (outside address/port in {@code scratch.mapped*}) or a failure code.
     *
     * <p>{@code insert-contended}: when two workers map the same new endpoint (or count the same
     * new subscriber) at once, one waits for the other's pending insert to be published
     * ({@link FlowTable#insert}). That wait is bounded ({@value #ATTEMPTS} attempts here, each a
     * bounded insert), so a worker never depends on another thread being scheduled; if the other
     * worker is descheduled inside its insert (a time-shared core), this packet is refused as
     * {@link NatDropReason#INSERT_CONTENDED}, counted, with nothing claimed or referenced, and the
     * endpoint's next packet finds the one mapping the other worker published. Using the pending
     * copy instead is not safe: its inserter may still abort it, and two mappings would follow.
     */
    int acquire(NatTables tables, CompiledRule rule, int protocol, int vrf, int address, int port, int remoteAddress,
                int remotePort, long nowNs, NatScratch scratch) {
        int protocolClass = ProtocolClass.of(protocol);
        NatSettings settings = tables.settings();
        long[] key = scratch.key;
        long[] values = scratch.values;
        scratch.subscriberCounter = -1;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            insideMappingKey(key, protocolClass, vrf, address, port);
            int entry = mappings.lookupInto(key, nowNs, values);
            if (entry >= 0) {
                if (takeReference(entry, values[MAPPING_WORD_REFERENCES])) {
                    long outside = values[MAPPING_WORD_ADDRESS];
                    scratch.mappedAddress = (int) (outside >>> 32);
                    scratch.mappedPort = (int) outside & 0xFFFF;
                    permit(settings, protocolClass, scratch.mappedAddress, scratch.mappedPort, remoteAddress, nowNs,
                        scratch);
                    return entry;
                }
                continue; // being deleted by the sweeper (or gone): look again, then create afresh
            }
            int created = create(tables, rule, protocol, protocolClass, vrf, address, port, remoteAddress, remotePort,
                nowNs, scratch);
            if (created == NatSessions.failure(NatDropReason.INSERT_CONTENDED)) {
                continue; // another worker created this endpoint's mapping at the same time: use it
            }
            if (created >= 0) {
                permit(settings, protocolClass, scratch.mappedAddress, scratch.mappedPort, remoteAddress, nowNs,
                    scratch);
            }
            return created;
        }
        return NatSessions.failure(NatDropReason.INSERT_CONTENDED);
    }

    /**
     * Takes one reference on the mapping whose reference word {@code snapshot} was copied, together
     * with the mapping's key, by {@link FlowTable#lookupInto} (or {@link FlowTable#lookupIntoBatch})
     * from inside entry {@code entry}. Returns false, with nothing changed, when that mapping was
     * condemned or is gone (the caller looks the key up again, then creates the mapping afresh).
     *
     * <p>Reference word (value word {@link #MAPPING_WORD_REFERENCES} of a MAPPING_INSIDE entry):
     * {@link #MAPPING_LIVE} | stamp (31 bits, drawn once per mapping from the shared stamp sequence,
     * {@link #newMappingWord}) | reference count (30 bits); {@link #MAPPING_CONDEMNED} once condemned.
     * Why a reference never lands in another entry, although entry indexes are reused:
     * <ol>
     *   <li>The slot can change between the caller's lookup and this CAS: the sweeper may condemn
     *       and remove the mapping (its count was zero: its last session had just been swept) and any
     *       worker may insert another key into the freed slot. A read-modify-write by index would
     *       then change that entry: the inside VRF of an outside mapping (+1: a public port of one
     *       VPC delivering into another VPC), another endpoint's reference count (its mapping and
     *       port never freed), a subscriber counter (a port counted forever), a permit.</li>
     *   <li>So the CAS expects a word with the snapshot's live bit and stamp: the snapshot itself,
     *       or, after a failed CAS, the slot's current word only if its bits above the count are still
     *       the snapshot's (never a raw word of some other entry). No other incarnation of the slot
     *       holds such a word: word 1 of an outside mapping is a VRF (below 2^31), of a permit zero,
     *       of a subscriber counter has bit 62 set ({@link #COUNTER_LIVE}); a condemned mapping's is
     *       {@link #MAPPING_CONDEMNED}; another mapping (of any endpoint, after the slot was removed
     *       and reused) carries another stamp, and stamps repeat only after 2^31 more were drawn,
     *       far beyond the mappings created while one worker is between its lookup and this CAS.
     *       So a successful CAS increments exactly the mapping the caller looked up (validated
     *       against its key), at an instant it was live and not condemned.</li>
     *   <li>Only the sweeper condemns, by a CAS from exactly a live word with count zero
     *       ({@link #deleteIfUnused}), and removes only the mapping it just condemned. Mappings never
     *       expire and nobody else removes one. So once a reference is counted the mapping stays
     *       in its slot until that reference is released: a referenced mapping is never deleted
     *       (the semantics of references are unchanged), and whoever holds a reference may release
     *       it by entry index ({@link #releaseReference(int)}), the sweeper by key (the session's
     *       mapping is the key's only live one).</li>
     *   <li>A condemned word never becomes live again, so a worker never revives a mapping the
     *       sweeper is removing: it finds it condemned (or gone), looks again, and creates a new
     *       mapping with a new stamp. Each attempt is bounded ({@link #acquire}).</li>
     * </ol>
     * The count cannot carry into the stamp: it is at most the sessions plus one transient
     * reference per worker, below {@link #MAPPING_MAX_REFERENCES} (refused defensively at it).
     */
    boolean takeReference(int entry, long snapshot) {
        Runnable hook = beforeTakeReference;
        if (hook != null) {
            hook.run();
        }
        long word = snapshot;
        while (isLiveMappingWord(word) && (word ^ snapshot) >>> MAPPING_REFERENCE_BITS == 0
            && mappingReferences(word) < MAPPING_MAX_REFERENCES) {
            if (mappings.compareAndSetValue(entry, MAPPING_WORD_REFERENCES, word, word + 1)) {
                return true;
            }
            word = mappings.value(entry, MAPPING_WORD_REFERENCES); // used only if still the snapshot's mapping
        }
        return false;
    }

    /** True for the reference word of a live (not condemned) mapping. */
    static boolean isLiveMappingWord(long word) {
        return (word & (Long.MIN_VALUE | COUNTER_LIVE | MAPPING_LIVE)) == MAPPING_LIVE;
    }

    /** References a mapping's reference word counts (0 for a condemned one). */
    static long mappingReferences(long word) {
        return isLiveMappingWord(word) ? word & MAPPING_MAX_REFERENCES : 0;
    }

    /**
     * The reference word of a new mapping, counting its creator's reference: a fresh stamp from the
     * shared sequence, taken by the creating thread in runs ({@link NatScratch#nextStamp}), so a
     * worker touches the shared counter once per {@value NatScratch#STAMP_RUN} mappings.
     */
    long newMappingWord(NatScratch scratch) {
        return MAPPING_LIVE | (scratch.nextStamp(counterStamps) & MAPPING_STAMP_MASK) << MAPPING_REFERENCE_BITS | 1;
    }

    /** Drops one session reference of the mapping of an inside endpoint, found by key (sweeper). */
    void releaseReference(int protocolClass, int vrf, int address, int port, long nowNs, long[] key) {
        insideMappingKey(key, protocolClass, vrf, address, port);
        int entry = mappings.lookup(key, nowNs);
        if (entry >= 0) {
            releaseReference(entry);
        }
    }

    /**
     * Deletes the mapping at inside entry {@code entry} if no session uses it (sweeper): its port
     * goes on hold for the reuse time and the deletion is logged. Returns true when deleted.
     * {@code insideKey} was copied from this entry by the sweeper, and only the sweeper removes
     * mappings, so the slot still holds that mapping: its word read here is that mapping's, and the
     * condemning CAS from it (count zero) fails if a worker took a reference meanwhile ({@link #takeReference}).
     */
    boolean deleteIfUnused(int entry, long[] insideKey, NatSettings settings, io.softgate.nat.compile.ExternalAddressRegistry registry,
                           long nowNs, long[] scratchKey) {
        long word = mappings.value(entry, MAPPING_WORD_REFERENCES);
        if (!isLiveMappingWord(word) || mappingReferences(word) != 0
            || !mappings.compareAndSetValue(entry, MAPPING_WORD_REFERENCES, word, MAPPING_CONDEMNED)) {
            return false;
        }
        long outside = mappings.value(entry, MAPPING_WORD_ADDRESS);
        int outsideAddress = (int) (outside >>> 32);
        int outsidePort = (int) outside & 0xFFFF;
        int protocolClass = SessionKeys.protocol(insideKey[0]);
        int vrf = SessionKeys.vrf(insideKey[0]);
        int address = SessionKeys.sourceAddress(insideKey[1]);
        int port = SessionKeys.sourcePort(insideKey[0]);
        outsideMappingKey(scratchKey, protocolClass, outsideAddress, outsidePort);
        int outsideEntry = mappings.lookup(scratchKey, nowNs);
        if (outsideEntry >= 0) {
            mappings.remove(outsideEntry, scratchKey);
        }
        mappings.remove(entry, insideKey);
        ExternalAddress external = registry.find(outsideAddress);
        if (external != null) {
            // DESIGN §8: a freed port is not handed out again for the reuse hold (120 s by default).
            external.ports.release(protocolClass, outsidePort, nowNs + settings.portReuseHoldNs());
        }
        releaseSubscriberPort(protocolClass, vrf, address, nowNs, scratchKey);
        if (settings.portAllocation() == PortAllocationMode.PORT_BLOCKS) {
            if (external != null) {
                releaseBlockIfIdle(external, protocolClass, vrf, address, outsidePort, settings, nowNs);
            }
        } else {
            eventLog.append(NatEventType.MAPPING_DELETE, nowNs, vrf, protocolClass, address, port, outsideAddress,
                outsidePort, outsidePort);
        }
        return true;
    }

    /**
     * Sweeper, after deleting a port-block mapping: frees the subscriber's block of that port if no
     * port of it is in use, and logs BLOCK-DELETE. The check here (owner's and idle) only avoids
     * marking busy blocks; the release itself marks the block closing and checks again, so that a
     * worker of the subscriber claiming a port of it at the same time either keeps the block or
     * keeps no port of it ({@link PortSpace#releaseBlockIfIdle}, {@link PortSpace#claimInOwnedBlock}).
     */
    private void releaseBlockIfIdle(ExternalAddress external, int protocolClass, int vrf, int address,
                                    int outsidePort, NatSettings settings, long nowNs) {
        int blockSize = settings.portBlockSize();
        int first = settings.portRangeFirst();
        int block = (outsidePort - first) / blockSize;
        PortSpace ports = external.ports;
        long owner = PortSpace.subscriberKey(vrf, address);
        if (block < 0 || block >= ports.blockCount(protocolClass)
            || !ports.ownsBlock(protocolClass, block, owner)
            || !ports.blockIdle(protocolClass, block, first, blockSize)) {
            return;
        }
        Runnable hook = beforeBlockRelease;
        if (hook != null) {
            hook.run();
        }
        if (!ports.releaseBlockIfIdle(protocolClass, block, owner, first, blockSize,
            nowNs + settings.portReuseHoldNs())) {
            return; // a port of it was claimed meanwhile: still the subscriber's
        }
        int blockFirst = first + block * blockSize;
        eventLog.append(NatEventType.BLOCK_DELETE, nowNs, vrf, protocolClass, address, -1, external.address,
            blockFirst, blockFirst + blockSize - 1);
    }

    /**
     * Drops one session reference (the sweeper deletes mappings whose count reached zero), by the
     * holder of that reference: while it is counted the mapping cannot be condemned, so the entry
     * is still that mapping and the count at least one (no borrow from the stamp; {@link #takeReference}).
     */
    void releaseReference(int entry) {
        mappings.addToValue(entry, MAPPING_WORD_REFERENCES, -1);
    }

    private int create(NatTables tables, CompiledRule rule, int protocol, int protocolClass, int vrf, int address,
                       int port, int remoteAddress, int remotePort, long nowNs, NatScratch scratch) {
        NatSettings settings = tables.settings();
        // RFC 4787 REQ-2 paired pooling: the subscriber's address alone picks the pool address.
        ExternalAddress external = rule.pool[pairedIndex(vrf, address, rule.pool.length)];
        boolean blocks = settings.portAllocation() == PortAllocationMode.PORT_BLOCKS;
        // Counted in both modes (the counter also counts the subscriber's sessions, which the count
        // of ports keeps it alive for); port blocks enforce their limit by whole blocks instead.
        int subscriber = countSubscriberPort(protocolClass, vrf, address,
            blocks ? COUNTER_MAX_PORTS : settings.portsPerSubscriberLimit(), nowNs, scratch);
        if (subscriber < 0) {
            return subscriber;
        }
        int outsidePort = blocks
            ? claimInBlocks(external, protocolClass, vrf, address, settings, nowNs, scratch)
            : external.ports.claimRandom(protocolClass, settings.portRangeFirst(), settings.portRangeLast(),
                scratch.portRandom(), nowNs);
        if (outsidePort < 0) {
            if (subscriber >= 0) {
                giveBackSubscriberPort(subscriber);
            }
            return outsidePort == -1 ? NatSessions.failure(NatDropReason.PORTS_EXHAUSTED) : outsidePort;
        }

        long[] outsideKey = scratch.key2;
        if (sessions != null) {
            // The two slots the port decides (this mapping's outside key, and the outside key of the
            // session about to be created on it): the batch pre-pass loaded both for the port its
            // pre-drawn value selects (OutboundCreationPrefetch). The session's is loaded again here in
            // every case, so that when that port was taken (or nothing was pre-drawn) its miss overlaps
            // the mapping insert's; when the pre-pass already loaded it, this costs a hash and a hit.
            // Measured: creation without this load took 684-792 ns, with it 667-713 ns.
            SessionKeys.outsideKey(outsideKey, protocol, tables.publicVrf(), remoteAddress, remotePort,
                external.address, outsidePort);
            scratch.prefetchSink += sessions.prefetchForInsert(outsideKey);
        }
        outsideMappingKey(outsideKey, protocolClass, external.address, outsidePort);
        long[] values = scratch.values2;
        values[MAPPING_WORD_ADDRESS] = outsideMappingValue(address, port);
        values[MAPPING_WORD_INSIDE_VRF] = vrf;
        values[MAPPING_WORD_PARTNER] = -1;
        int outsideResult = mappings.insert(outsideKey, values, Long.MAX_VALUE, nowNs);
        if (!FlowTable.isCreated(outsideResult)) {
            undo(external, protocolClass, outsidePort, subscriber, nowNs);
            return NatSessions.failure(outsideResult == FlowTable.FULL ? NatDropReason.MAPPING_TABLE_FULL
                : NatDropReason.INSERT_CONTENDED);
        }
        int outsideEntry = FlowTable.entryIndex(outsideResult);
        long[] insideKey = scratch.key;
        insideMappingKey(insideKey, protocolClass, vrf, address, port);
        values[MAPPING_WORD_ADDRESS] = ((long) external.address << 32) | outsidePort;
        values[MAPPING_WORD_REFERENCES] = newMappingWord(scratch);
        values[MAPPING_WORD_PARTNER] = outsideEntry;
        int insideResult = mappings.insert(insideKey, values, Long.MAX_VALUE, nowNs);
        if (!FlowTable.isCreated(insideResult)) {
            mappings.remove(outsideEntry, outsideKey);
            undo(external, protocolClass, outsidePort, subscriber, nowNs);
            // FULL: refused. Otherwise another worker mapped this endpoint at the same moment (or is
            // publishing it): acquire looks it up and references it through a validated snapshot (EIM);
            // the index the insert returned is not enough (the mapping may be deleted and the slot
            // reused before a reference by index lands).
            return NatSessions.failure(insideResult == FlowTable.FULL ? NatDropReason.MAPPING_TABLE_FULL
                : NatDropReason.INSERT_CONTENDED);
        }
        int insideEntry = FlowTable.entryIndex(insideResult);
        mappings.value(outsideEntry, MAPPING_WORD_PARTNER, insideEntry);
        scratch.mappedAddress = external.address;
        scratch.mappedPort = outsidePort;
        scratch.subscriberCounter = subscriber;
        if (!blocks) {
            eventLog.append(NatEventType.MAPPING_CREATE, nowNs, vrf, protocolClass, address, port, external.address,
                outsidePort, outsidePort);
        }
        return insideEntry;
    }

    private void undo(ExternalAddress external, int protocolClass, int outsidePort, int subscriber, long nowNs) {
        // Never used on the wire, so no reuse hold is needed.
        external.ports.release(protocolClass, outsidePort, nowNs - 1_000_000_000L);
        if (subscriber >= 0) {
            giveBackSubscriberPort(subscriber);
        }
    }

    static int pairedIndex(int vrf, int address, int poolSize) {
        int hash = (address * 0x9E3779B1) ^ (vrf * 0x85EBCA6B);
        hash ^= hash >>> 15;
        return Math.floorMod(hash, poolSize);
    }

    /**
     * RFC 6888 per-subscriber port limit: counts one more port for the subscriber (inside address
     * in a VRF, per protocol class); returns its counter entry or a failure.
     *
     * <p>A subscriber's counter (a SUBSCRIBER entry in the mapping table) exists only while it
     * counts a port (a mapping, in either port mode; the limit applies to random ports only):
     * the sweeper removes it once the count is back at zero, so the counters of inside addresses
     * that come and go do not fill the mapping table. Counter word (value word
     * {@link #MAPPING_WORD_REFERENCES}): {@link #COUNTER_LIVE} | stamp (42 bits, drawn once per
     * counter from {@link #counterStamps}) | port count (20 bits); {@link #COUNTER_CONDEMNED}
     * once condemned. Value word {@link #COUNTER_WORD_SESSIONS} counts the sessions on the
     * subscriber's mappings ({@link #countSubscriberSession}).
     *
     * <p>Why removal is race-free against a worker counting in the same counter:
     * <ol>
     *   <li>Only the sweeper (one thread) condemns a counter, by a CAS from exactly its word with
     *       count zero to {@link #COUNTER_CONDEMNED}, and only the sweeper removes a counter: the
     *       one it just condemned, at once. A condemned word never becomes live again: nobody
     *       counts in that entry. Counters never expire (the table cannot reclaim one) and nobody
     *       else removes one, so between the sweeper's condemning CAS and its removal the slot
     *       still holds that counter: {@link FlowTable#remove}, which checks only the key, removes
     *       exactly it. (A worker must not help by removing a condemned counter it found: by then
     *       the sweeper may have removed it and the key been inserted again in the same slot.)</li>
     *   <li>A worker increments only by a CAS whose expected value is a snapshot that
     *       {@link FlowTable#lookupInto} read together with the key (validated against the same
     *       incarnation of the slot); after a failed CAS it looks the key up again, it never
     *       retries from a raw read of the slot. The CAS succeeds only if the slot's word still
     *       equals that snapshot. No other incarnation of the slot holds that word: the word 1 of
     *       a mapping, outside mapping or permit is a session count, a VRF or zero, never with bit
     *       62 set; another counter (of this or another subscriber, after the slot was removed and
     *       reused) carries another stamp, and stamps repeat only after 2^42 counters were
     *       created, far beyond anything a worker could sleep through between its lookup and its
     *       CAS. So a successful increment lands in the counter the worker looked up, and that
     *       counter was not condemned at that instant. From then on its count is at least one, so
     *       the sweeper's condemning CAS (which expects count zero) fails until the unit is given
     *       back.</li>
     *   <li>Every unit is given back exactly once by its owner: the worker that counted it if its
     *       mapping could not be made ({@link #giveBackSubscriberPort} by entry index), otherwise
     *       the sweeper when it deletes the mapping ({@link #releaseSubscriberPort}, by key).
     *       While the unit is counted the counter cannot be condemned (2.), so the entry either
     *       finds is the incarnation that holds the unit.</li>
     *   <li>A new counter is inserted already holding its creator's unit (count one) with a fresh
     *       stamp; when another thread inserted the key first, the worker looks it up and counts
     *       by CAS as above. A worker that finds a condemned counter looks again: the sweeper
     *       removes it right after condemning it, and the worker then inserts the key afresh.</li>
     * </ol>
     * Each step is bounded ({@value #ATTEMPTS} lookups), so a worker never depends on another
     * thread being scheduled: one that keeps losing the race (or finds a counter condemned by a
     * sweeper descheduled before its removal) is refused as {@code insert-contended} with nothing
     * counted, as for mappings.
     */
    private int countSubscriberPort(int protocolClass, int vrf, int address, int limit, long nowNs,
                                    NatScratch scratch) {
        return countSubscriberPort(protocolClass, vrf, address, limit, nowNs, scratch.key2, scratch.values2);
    }

    /** {@link #countSubscriberPort} with the caller's scratch arrays (also the restorer's, with no limit). */
    int countSubscriberPort(int protocolClass, int vrf, int address, int limit, long nowNs, long[] key,
                            long[] values) {
        int max = Math.min(limit, COUNTER_MAX_PORTS);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            subscriberKey(key, protocolClass, vrf, address);
            // Most new mappings belong to a subscriber the table already counts: a lookup is far
            // cheaper than an insert that finds the key (claim, duplicate scan, abort).
            int entry = mappings.lookupInto(key, nowNs, values);
            if (entry < 0) {
                values[0] = 0;
                values[MAPPING_WORD_REFERENCES] = COUNTER_LIVE
                    | (counterStamps.getAndIncrement() & COUNTER_STAMP_MASK) << COUNTER_PORT_BITS | 1;
                values[2] = 0;
                int result = mappings.insert(key, values, Long.MAX_VALUE, nowNs);
                if (FlowTable.isCreated(result)) {
                    return FlowTable.entryIndex(result);
                }
                if (result < 0) {
                    return NatSessions.failure(result == FlowTable.FULL ? NatDropReason.MAPPING_TABLE_FULL
                        : NatDropReason.INSERT_CONTENDED);
                }
                continue; // inserted by another thread meanwhile: count in it (validated snapshot first)
            }
            long word = values[MAPPING_WORD_REFERENCES];
            if (word == COUNTER_CONDEMNED) {
                Thread.onSpinWait(); // the sweeper is removing it: look again, then insert afresh
                continue;
            }
            if (counterPorts(word) >= max) {
                return NatSessions.failure(NatDropReason.SUBSCRIBER_PORT_LIMIT);
            }
            if (mappings.compareAndSetValue(entry, MAPPING_WORD_REFERENCES, word, word + 1)) {
                return entry;
            }
        }
        return NatSessions.failure(NatDropReason.INSERT_CONTENDED);
    }

    /** Ports a live counter word counts. */
    static int counterPorts(long word) {
        return (int) word & COUNTER_MAX_PORTS;
    }

    /**
     * Gives back one port counted in the counter at {@code entry}, by the thread that owns that
     * unit (the counter cannot be condemned while the unit is in it: see {@link #countSubscriberPort}).
     * Returns the counter word after, or {@link #COUNTER_CONDEMNED} when there was nothing to give back.
     */
    long giveBackSubscriberPort(int entry) {
        while (true) {
            long word = mappings.value(entry, MAPPING_WORD_REFERENCES);
            if ((word & COUNTER_LIVE) == 0 || word < 0 || counterPorts(word) == 0) {
                return COUNTER_CONDEMNED; // never borrow from the stamp
            }
            if (mappings.compareAndSetValue(entry, MAPPING_WORD_REFERENCES, word, word - 1)) {
                return word - 1;
            }
        }
    }

    /**
     * Sweeper, deleting a random-port mapping: gives back its port in the subscriber's counter and
     * removes the counter if that was its last port.
     */
    private void releaseSubscriberPort(int protocolClass, int vrf, int address, long nowNs, long[] key) {
        subscriberKey(key, protocolClass, vrf, address);
        int entry = mappings.lookup(key, nowNs);
        if (entry < 0) {
            return;
        }
        long after = giveBackSubscriberPort(entry);
        if (after != COUNTER_CONDEMNED && counterPorts(after) == 0) {
            removeCounterIfUnused(entry, key, after);
        }
    }

    /**
     * RFC 6888 REQ-5 per-subscriber session limit: counts one more session for the subscriber
     * whose mapping the caller holds a reference on (from {@link #acquire} or
     * {@link #findForInbound}); returns the counter entry, {@link #NO_COUNTER}, or the
     * {@code subscriber-session-limit} failure with nothing counted. Creation path only.
     *
     * <p>Why a plain CAS on the entry is safe here: the mapping the caller holds counts its port in
     * this subscriber's counter, and a referenced mapping is not deleted, so the counter holds a
     * port unit the whole time and cannot be condemned or removed ({@link #countSubscriberPort}):
     * the entry found by key (or the one the mapping just created counted in) stays this counter.
     * A session unit is given back, by the thread that owns it, before that reference is released
     * (the worker when the session was not made, the sweeper when it removes the session), so the
     * same holds for {@link #giveBackSubscriberSession}. Every mapping holds its port unit: a new
     * one counts it before anything else ({@link #create}, and the restorer likewise) and is not
     * made when that fails; so {@link #NO_COUNTER} (nothing counted) is a defensive answer only.
     */
    int countSubscriberSession(int protocolClass, int vrf, int address, int limit, long nowNs, NatScratch scratch) {
        int entry = scratch.subscriberCounter;
        if (entry < 0) {
            subscriberKey(scratch.key2, protocolClass, vrf, address);
            entry = mappings.lookup(scratch.key2, nowNs);
            if (entry < 0) {
                return NO_COUNTER;
            }
        }
        while (true) {
            long sessions = mappings.value(entry, COUNTER_WORD_SESSIONS);
            if (sessions >= limit) {
                return NatSessions.failure(NatDropReason.SUBSCRIBER_SESSION_LIMIT);
            }
            if (mappings.compareAndSetValue(entry, COUNTER_WORD_SESSIONS, sessions, sessions + 1)) {
                return entry;
            }
        }
    }

    /** Gives back a session unit {@link #countSubscriberSession} counted at {@code entry} (its owner, see there). */
    void giveBackSubscriberSession(int entry) {
        if (entry < 0) {
            return;
        }
        while (true) {
            long sessions = mappings.value(entry, COUNTER_WORD_SESSIONS);
            if (sessions <= 0) {
                return;
            }
            if (mappings.compareAndSetValue(entry, COUNTER_WORD_SESSIONS, sessions, sessions - 1)) {
                return;
            }
        }
    }

    /**
     * Sweeper, removing a session on a mapping of the subscriber, before it releases the session's
     * reference on that mapping: gives back the session's unit.
     */
    void releaseSubscriberSession(int protocolClass, int vrf, int address, long nowNs, long[] key) {
        subscriberKey(key, protocolClass, vrf, address);
        giveBackSubscriberSession(mappings.lookup(key, nowNs));
    }

    /** Sessions a subscriber counter counts (tests, state API). */
    long counterSessions(int entry) {
        return mappings.value(entry, COUNTER_WORD_SESSIONS);
    }

    /**
     * Sweeper only: condemns and removes the subscriber counter at {@code entry} (whose key is
     * {@code key}) if its word is still {@code word} and counts nothing. A worker that counted in
     * it meanwhile changed the word, and the counter stays. Returns true when removed.
     */
    boolean removeCounterIfUnused(int entry, long[] key, long word) {
        if ((word & COUNTER_LIVE) == 0 || word < 0 || counterPorts(word) != 0
            || !mappings.compareAndSetValue(entry, MAPPING_WORD_REFERENCES, word, COUNTER_CONDEMNED)) {
            return false;
        }
        mappings.remove(entry, key);
        return true;
    }

    private int claimInBlocks(ExternalAddress external, int protocolClass, int vrf, int address, NatSettings settings,
                              long nowNs, NatScratch scratch) {
        PortSpace ports = external.ports;
        long owner = PortSpace.subscriberKey(vrf, address);
        int blockSize = settings.portBlockSize();
        int first = settings.portRangeFirst();
        int blocks = ports.blockCount(protocolClass);
        int owned = 0;
        for (int block = 0; block < blocks; block++) {
            // A block the sweeper is freeing counts toward the limit (it may find a port of it in
            // use and keep it) but is not claimed in; the claim validates the block again after
            // taking the port (PortSpace#releaseBlockIfIdle: never a port kept in a freed block).
            if (ports.holdsBlock(protocolClass, block, owner)) {
                owned++;
                Runnable hook = beforeClaimInBlock;
                if (hook != null) {
                    hook.run();
                }
                int port = ports.claimInOwnedBlock(protocolClass, block, owner, first, blockSize,
                    scratch.nextRandom(), nowNs);
                if (port >= 0) {
                    return port;
                }
            }
        }
        if ((long) (owned + 1) * blockSize > settings.portsPerSubscriberLimit()) {
            return NatSessions.failure(NatDropReason.SUBSCRIBER_PORT_LIMIT);
        }
        int block = ports.claimBlock(protocolClass, owner, scratch.nextRandom(), nowNs);
        if (block < 0) {
            return -1;
        }
        int blockFirst = first + block * blockSize;
        eventLog.append(NatEventType.BLOCK_CREATE, nowNs, vrf, protocolClass, address, -1, external.address,
            blockFirst, blockFirst + blockSize - 1);
        int port = ports.claimInOwnedBlock(protocolClass, block, owner, first, blockSize, scratch.nextRandom(),
            nowNs);
        return port >= 0 ? port : -1;
    }

    /** RFC 4787 REQ-8: remembers that the mapping sent to {@code remoteAddress} (address-dependent filtering). */
    private void permit(NatSettings settings, int protocolClass, int outsideAddress, int outsidePort,
                        int remoteAddress, long nowNs, NatScratch scratch) {
        if (settings.filtering() != FilteringMode.ADDRESS_DEPENDENT) {
            return;
        }
        writePermit(protocolClass, outsideAddress, outsidePort, remoteAddress, nowNs + permitLifetimeNs(settings),
            nowNs, scratch);
    }

    /** How long a permit lasts from the packet that wrote it, at least. */
    private static long permitLifetimeNs(NatSettings settings) {
        return Math.max(settings.udpTimeoutNs(), settings.tcpTransitoryTimeoutNs());
    }

    /**
     * RFC 4787 REQ-6 / REQ-8 (address-dependent filtering only): the mapping at
     * {@code outsideAddress:outsidePort} sent to {@code remoteAddress} again, refreshing a session:
     * keeps (or writes again) the permit for that remote address until at least
     * {@code expiresAtNs}, never shortening it.
     */
    void extendPermit(NatSettings settings, int protocolClass, int outsideAddress, int outsidePort,
                      int remoteAddress, long expiresAtNs, long nowNs, NatScratch scratch) {
        if (settings.filtering() != FilteringMode.ADDRESS_DEPENDENT) {
            return;
        }
        writePermit(protocolClass, outsideAddress, outsidePort, remoteAddress,
            Math.max(expiresAtNs, nowNs + permitLifetimeNs(settings)), nowNs, scratch);
    }

    private void writePermit(int protocolClass, int outsideAddress, int outsidePort, int remoteAddress,
                             long expiresAtNs, long nowNs, NatScratch scratch) {
        long[] key = scratch.key2;
        permitKey(key, protocolClass, outsideAddress, outsidePort, remoteAddress);
        int result = mappings.lookup(key, nowNs);
        if (result >= 0) {
            mappings.refresh(result, expiresAtNs);
            return;
        }
        long[] values = scratch.values2;
        values[0] = 0;
        values[1] = 0;
        values[2] = 0;
        mappings.insert(key, values, expiresAtNs, nowNs);
    }

    /**
     * Inbound: finds the mapping that owns {@code outsideAddress:outsidePort}, applies the
     * filtering mode, and takes a reference. Returns the mapping's inside entry (inside endpoint in
     * {@code scratch.mapped*}), {@link #NO_MAPPING}, or a failure code.
     */
    int findForInbound(NatTables tables, int protocol, int remoteAddress, int outsideAddress, int outsidePort,
                       long nowNs, NatScratch scratch) {
        int protocolClass = ProtocolClass.of(protocol);
        scratch.subscriberCounter = -1;
        long[] key = scratch.key;
        outsideMappingKey(key, protocolClass, outsideAddress, outsidePort);
        long[] values = scratch.values;
        int outsideEntry = mappings.lookupInto(key, nowNs, values);
        if (outsideEntry < 0) {
            return NO_MAPPING;
        }
        long inside = values[MAPPING_WORD_ADDRESS];
        int insideAddress = (int) (inside >>> 32);
        int insidePort = (int) (inside >>> 16) & 0xFFFF;
        int vrf = (int) values[MAPPING_WORD_INSIDE_VRF];
        if (tables.settings().filtering() == FilteringMode.ADDRESS_DEPENDENT) {
            permitKey(scratch.key2, protocolClass, outsideAddress, outsidePort, remoteAddress);
            if (mappings.lookup(scratch.key2, nowNs) < 0) {
                return NatSessions.failure(NatDropReason.FILTERED);
            }
        }
        // Look the inside half up by key: an entry index alone may have been reused meanwhile. It
        // must still be the mapping of this public port: if the one found was deleted meanwhile and
        // the endpoint mapped again (another port), this port has no mapping.
        insideMappingKey(key, protocolClass, vrf, insideAddress, insidePort);
        int insideEntry = mappings.lookupInto(key, nowNs, values);
        if (insideEntry < 0
            || values[MAPPING_WORD_ADDRESS] != (((long) outsideAddress << 32) | (outsidePort & 0xFFFF))
            || !takeReference(insideEntry, values[MAPPING_WORD_REFERENCES])) {
            return NO_MAPPING;
        }
        scratch.mappedAddress = insideAddress;
        scratch.mappedPort = insidePort;
        scratch.mappedVrf = vrf;
        return insideEntry;
    }

    /** True when {@code flags} open a TCP connection (SYN without ACK). */
    static boolean isSyn(int flags) {
        return (flags & (TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK)) == TcpFlyweight.FLAG_SYN;
    }
}
