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

/**
 * Endpoint-independent mappings (RFC 4787 REQ-1, RFC 5382 REQ-1): one outside address and port
 * per inside (VRF, protocol, address, port), shared by every session of that endpoint whatever
 * the destination, with a reference count of its sessions. New mappings get their outside address
 * by paired pooling (RFC 4787 REQ-2: a hash of the subscriber picks the pool address, so all of a
 * subscriber's mappings share it) and their port at random (RFC 6056 §3.3.1) or from the
 * subscriber's port blocks (RFC 6888 port-block allocation), within the per-subscriber port limit (RFC 6888).
 *
 * <p>Threading: lock-free; workers call {@link #acquire}/{@link #findForInbound}, the sweeper
 * releases; allocation-free.
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

    private final FlowTable mappings;
    /** The session table, whose outside-key slot {@link #create} starts loading early; null for the sweeper. */
    private final FlowTable sessions;
    private final NatEventLog eventLog;

    MappingAllocator(FlowTable mappings, NatEventLog eventLog) {
        this(mappings, null, eventLog);
    }

    MappingAllocator(FlowTable mappings, FlowTable sessions, NatEventLog eventLog) {
        this.mappings = mappings;
        this.sessions = sessions;
        this.eventLog = eventLog;
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
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            insideMappingKey(key, protocolClass, vrf, address, port);
            int entry = mappings.lookupInto(key, nowNs, values);
            if (entry >= 0) {
                if (takeReference(entry)) {
                    long outside = values[MAPPING_WORD_ADDRESS];
                    scratch.mappedAddress = (int) (outside >>> 32);
                    scratch.mappedPort = (int) outside & 0xFFFF;
                    permit(settings, protocolClass, scratch.mappedAddress, scratch.mappedPort, remoteAddress, nowNs,
                        scratch);
                    return entry;
                }
                continue; // being deleted by the sweeper: look again, then create afresh
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

    private boolean takeReference(int entry) {
        while (true) {
            long references = mappings.value(entry, MAPPING_WORD_REFERENCES);
            if (references < 0) {
                return false;
            }
            if (mappings.compareAndSetValue(entry, MAPPING_WORD_REFERENCES, references, references + 1)) {
                return true;
            }
        }
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
     */
    boolean deleteIfUnused(int entry, long[] insideKey, NatSettings settings, io.softgate.nat.compile.ExternalAddressRegistry registry,
                           long nowNs, long[] scratchKey) {
        if (!mappings.compareAndSetValue(entry, MAPPING_WORD_REFERENCES, 0, -1)) {
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
        if (settings.portAllocation() == PortAllocationMode.PORT_BLOCKS) {
            if (external != null) {
                releaseBlockIfIdle(external, protocolClass, vrf, address, outsidePort, settings, nowNs);
            }
        } else {
            subscriberKey(scratchKey, protocolClass, vrf, address);
            int subscriber = mappings.lookup(scratchKey, nowNs);
            if (subscriber >= 0) {
                mappings.addToValue(subscriber, MAPPING_WORD_REFERENCES, -1);
            }
            eventLog.append(NatEventType.MAPPING_DELETE, nowNs, vrf, protocolClass, address, port, outsideAddress,
                outsidePort, outsidePort);
        }
        return true;
    }

    private void releaseBlockIfIdle(ExternalAddress external, int protocolClass, int vrf, int address,
                                    int outsidePort, NatSettings settings, long nowNs) {
        int blockSize = settings.portBlockSize();
        int first = settings.portRangeFirst();
        int block = (outsidePort - first) / blockSize;
        PortSpace ports = external.ports;
        if (block < 0 || block >= ports.blockCount(protocolClass)
            || !ports.ownsBlock(protocolClass, block, PortSpace.subscriberKey(vrf, address))
            || !ports.blockIdle(protocolClass, block, first, blockSize)) {
            return;
        }
        ports.releaseBlock(protocolClass, block, nowNs + settings.portReuseHoldNs());
        int blockFirst = first + block * blockSize;
        eventLog.append(NatEventType.BLOCK_DELETE, nowNs, vrf, protocolClass, address, -1, external.address,
            blockFirst, blockFirst + blockSize - 1);
    }

    /** Drops one session reference (the sweeper deletes mappings whose count reached zero). */
    void releaseReference(int entry) {
        mappings.addToValue(entry, MAPPING_WORD_REFERENCES, -1);
    }

    private int create(NatTables tables, CompiledRule rule, int protocol, int protocolClass, int vrf, int address,
                       int port, int remoteAddress, int remotePort, long nowNs, NatScratch scratch) {
        NatSettings settings = tables.settings();
        // RFC 4787 REQ-2 paired pooling: the subscriber's address alone picks the pool address.
        ExternalAddress external = rule.pool[pairedIndex(vrf, address, rule.pool.length)];
        boolean blocks = settings.portAllocation() == PortAllocationMode.PORT_BLOCKS;
        int subscriber = -1;
        if (!blocks) {
            subscriber = countSubscriberPort(protocolClass, vrf, address, settings.portsPerSubscriberLimit(), nowNs,
                scratch);
            if (subscriber < 0) {
                return subscriber;
            }
        }
        int outsidePort = blocks
            ? claimInBlocks(external, protocolClass, vrf, address, settings, nowNs, scratch)
            : external.ports.claimRandom(protocolClass, settings.portRangeFirst(), settings.portRangeLast(),
                scratch.portRandom(), nowNs);
        if (outsidePort < 0) {
            if (subscriber >= 0) {
                mappings.addToValue(subscriber, MAPPING_WORD_REFERENCES, -1);
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
        values[MAPPING_WORD_REFERENCES] = 1;
        values[MAPPING_WORD_PARTNER] = outsideEntry;
        int insideResult = mappings.insert(insideKey, values, Long.MAX_VALUE, nowNs);
        if (!FlowTable.isCreated(insideResult)) {
            mappings.remove(outsideEntry, outsideKey);
            undo(external, protocolClass, outsidePort, subscriber, nowNs);
            if (FlowTable.isPresent(insideResult)) {
                // Another worker mapped this endpoint at the same moment: use its mapping (EIM).
                int existing = FlowTable.entryIndex(insideResult);
                if (takeReference(existing)) {
                    long outside = mappings.value(existing, MAPPING_WORD_ADDRESS);
                    scratch.mappedAddress = (int) (outside >>> 32);
                    scratch.mappedPort = (int) outside & 0xFFFF;
                    return existing;
                }
            }
            return NatSessions.failure(insideResult == FlowTable.FULL ? NatDropReason.MAPPING_TABLE_FULL
                : NatDropReason.INSERT_CONTENDED);
        }
        int insideEntry = FlowTable.entryIndex(insideResult);
        mappings.value(outsideEntry, MAPPING_WORD_PARTNER, insideEntry);
        scratch.mappedAddress = external.address;
        scratch.mappedPort = outsidePort;
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
            mappings.addToValue(subscriber, MAPPING_WORD_REFERENCES, -1);
        }
    }

    static int pairedIndex(int vrf, int address, int poolSize) {
        int hash = (address * 0x9E3779B1) ^ (vrf * 0x85EBCA6B);
        hash ^= hash >>> 15;
        return Math.floorMod(hash, poolSize);
    }

    /** RFC 6888 per-subscriber port limit: counts one more port for the subscriber; returns its entry or a failure. */
    private int countSubscriberPort(int protocolClass, int vrf, int address, int limit, long nowNs,
                                    NatScratch scratch) {
        long[] key = scratch.key2;
        subscriberKey(key, protocolClass, vrf, address);
        long[] values = scratch.values2;
        // Most new mappings belong to a subscriber the table already counts: a lookup is far
        // cheaper than an insert that finds the key (claim, duplicate scan, abort).
        int entry = mappings.lookup(key, nowNs);
        if (entry < 0) {
            values[0] = 0;
            values[1] = 0;
            values[2] = 0;
            int result = mappings.insert(key, values, Long.MAX_VALUE, nowNs);
            if (result < 0) {
                return NatSessions.failure(result == FlowTable.FULL ? NatDropReason.MAPPING_TABLE_FULL
                    : NatDropReason.INSERT_CONTENDED);
            }
            entry = FlowTable.entryIndex(result);
        }
        if (mappings.addToValue(entry, MAPPING_WORD_REFERENCES, 1) > limit) {
            mappings.addToValue(entry, MAPPING_WORD_REFERENCES, -1);
            return NatSessions.failure(NatDropReason.SUBSCRIBER_PORT_LIMIT);
        }
        return entry;
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
            if (ports.ownsBlock(protocolClass, block, owner)) {
                owned++;
                int port = ports.claimInBlock(protocolClass, block, first, blockSize, scratch.nextRandom(), nowNs);
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
        int port = ports.claimInBlock(protocolClass, block, first, blockSize, scratch.nextRandom(), nowNs);
        return port >= 0 ? port : -1;
    }

    /** RFC 4787 REQ-8: remembers that the mapping sent to {@code remoteAddress} (address-dependent filtering). */
    private void permit(NatSettings settings, int protocolClass, int outsideAddress, int outsidePort,
                        int remoteAddress, long nowNs, NatScratch scratch) {
        if (settings.filtering() != FilteringMode.ADDRESS_DEPENDENT) {
            return;
        }
        long[] key = scratch.key2;
        permitKey(key, protocolClass, outsideAddress, outsidePort, remoteAddress);
        long expiresAtNs = nowNs + Math.max(settings.udpTimeoutNs(), settings.tcpTransitoryTimeoutNs());
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
        // Look the inside half up by key: an entry index alone may have been reused meanwhile.
        insideMappingKey(key, protocolClass, vrf, insideAddress, insidePort);
        int insideEntry = mappings.lookup(key, nowNs);
        if (insideEntry < 0) {
            return NO_MAPPING;
        }
        if (!takeReference(insideEntry)) {
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
