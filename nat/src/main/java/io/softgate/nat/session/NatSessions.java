package io.softgate.nat.session;

import static io.softgate.nat.session.SessionKeys.KEY_WORDS;
import static io.softgate.nat.session.SessionKeys.VALUE_WORDS;
import static io.softgate.nat.session.SessionKeys.WORD_LINK;
import static io.softgate.nat.session.SessionKeys.WORD_REWRITE0;
import static io.softgate.nat.session.SessionKeys.WORD_REWRITE1;

import io.softgate.core.flow.FlowTable;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.compile.CompiledRule;
import io.softgate.nat.compile.ExternalAddressRegistry;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.compile.RuleKind;
import io.softgate.nat.config.FilteringMode;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.log.NatEventLog;
import io.softgate.nat.rewrite.Rewrite;
import io.softgate.nat.stage.NatDropReason;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The NAT's shared state: sessions (two entries each, inside and outside key, each carrying its
 * direction's precompiled rewrite), EIM mappings, filtering permits, per-subscriber port counts
 * and first-fragment rewrites, in lock-free {@link FlowTable}s shared by all workers, so both
 * directions of a connection find the same session whichever worker receives them.
 *
 * <p>Entries are stored with an infinite table expiry; the session's idle deadline is a tick in
 * its value ({@link SessionKeys}) and {@link NatSweeper} removes expired sessions, releases their
 * ports and logs the mapping deletions. That way no expired entry is ever reclaimed silently by
 * the table, which would leak its port.
 *
 * <p>Memory: a session is two 64-byte entries; {@link #bytesPerSession()} reports the table
 * memory per session at the configured capacity.
 *
 * <p>Threading: every method is lock-free and allocation-free and may be called from any worker;
 * {@link #close} once after all threads stopped.
 */
public final class NatSessions implements AutoCloseable {
    /** Slow-path result: no NAT applies; forward the packet unchanged. */
    public static final int PASS = -1;
    /**
     * Slack (about 1 s) a stored idle deadline gets beyond {@code now + timeout}, so the deadline
     * is written at most once per this many ticks per session, never per packet, and yet never lies
     * before the last packet plus the timeout (RFC 4787 REQ-5 / RFC 5382 REQ-5 are minimums).
     */
    private static final int REFRESH_STEP_TICKS = SessionKeys.REFRESH_STEP_TICKS;
    /** {@link #REFRESH_STEP_TICKS} and one tick for rounding, in nanoseconds: what a stored deadline may lie beyond now + timeout. */
    private static final long REFRESH_SLACK_NS = (REFRESH_STEP_TICKS + 1) * SessionKeys.TICK_NS;
    /** Ticks (2^20 ns) to journal windows of {@link NatSessionJournal#REFRESH_GRANULARITY_NS}. */
    private static final int JOURNAL_WINDOW_SHIFT = 16;

    private final FlowTable sessions;
    private final FlowTable mappings;
    private final FlowTable fragments;
    private final NatEventLog eventLog;
    private final ExternalAddressRegistry registry;
    /** Hard limit on sessions (each two entries); the table itself is sized larger. */
    private final int maxSessions;
    /** Sessions in the table now (reserved before their inserts, released by the sweeper). */
    private final AtomicInteger liveSessions = new AtomicInteger();
    private final MappingAllocator allocator;
    /** Stamps of new subscriber counters (MappingAllocator#countSubscriberPort); taken only when one is created. */
    private final AtomicLong counterStamps = new AtomicLong(1);
    private volatile NatSessionJournal journal = NatSessionJournal.NONE;

    /**
     * @param maxSessions  sessions the node holds at most (a hard limit: a session beyond it is
     *                     refused as {@code session-table-full}); the table gets room for twice as
     *                     many entries again so it stays at most half full
     * @param maxMappings  EIM mappings (plus permits and subscriber counters) the node must hold
     * @param maxFragments first-fragment records kept at once
     */
    public NatSessions(int maxSessions, int maxMappings, int maxFragments, NatEventLog eventLog,
                       ExternalAddressRegistry registry) {
        this.maxSessions = maxSessions;
        // Two entries per session (or mapping) at most half full: 4 entries of room each.
        this.sessions = new FlowTable(entries(maxSessions, 4), KEY_WORDS, VALUE_WORDS);
        this.mappings = new FlowTable(entries(maxMappings, 4), KEY_WORDS, VALUE_WORDS);
        this.fragments = new FlowTable(entries(maxFragments, 2), KEY_WORDS, VALUE_WORDS);
        this.eventLog = eventLog;
        this.registry = registry;
        this.allocator = new MappingAllocator(mappings, sessions, eventLog, counterStamps);
    }

    private static int entries(int items, int entriesPerItem) {
        if (items < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + items);
        }
        return (int) Math.min(FlowTable.MAX_CAPACITY, Math.max(64L, (long) items * entriesPerItem));
    }

    /** Failure code of a slow-path call that refused a packet for {@code reason}. */
    public static int failure(NatDropReason reason) {
        return -2 - reason.ordinal();
    }

    /** The reason carried by a negative slow-path result other than {@link #PASS}. */
    public static NatDropReason reasonOf(int result) {
        return NatDropReason.of(-2 - result);
    }

    /** A restorer of persisted sessions (control thread, before the workers run). */
    public SessionRestorer restorer() {
        return new SessionRestorer(this);
    }

    /** Installs the persistence hook (service start-up). */
    public void journal(NatSessionJournal journal) {
        this.journal = journal == null ? NatSessionJournal.NONE : journal;
    }

    FlowTable sessionTable() {
        return sessions;
    }

    FlowTable mappingTable() {
        return mappings;
    }

    /** The workers' mapping allocator (the restorer counts restored ports through it). */
    MappingAllocator allocator() {
        return allocator;
    }

    AtomicLong counterStamps() {
        return counterStamps;
    }

    NatEventLog eventLog() {
        return eventLog;
    }

    ExternalAddressRegistry registry() {
        return registry;
    }

    NatSessionJournal currentJournal() {
        return journal;
    }

    // ---------------------------------------------------------------- fast path

    /** Starts loading the table slot of {@code key} (see {@link FlowTable#prefetch}). */
    public long prefetch(long[] key) {
        return sessions.prefetch(key);
    }

    /** Starts loading what inserting {@code key} into the session table reads first (see {@link FlowTable#prefetchForInsert}). */
    public long prefetchForInsert(long[] key) {
        return sessions.prefetchForInsert(key);
    }

    /**
     * Finds the session entries of {@code count} keys at once ({@link FlowTable#lookupIntoBatch}):
     * key {@code i} at {@code keys[2i..2i+2)}, its entry (or {@link FlowTable#MISSING}) in
     * {@code entriesOut[i]}, its three value words at {@code valuesOut[3i..3i+3)}.
     */
    public int lookupBatch(long[] keys, int count, long nowNs, long[] valuesOut, int[] entriesOut) {
        return sessions.lookupIntoBatch(keys, count, nowNs, valuesOut, entriesOut);
    }

    /** Finds a session entry for {@code key}, copying its three value words into {@code valuesOut}. */
    public int lookup(long[] key, long nowNs, long[] valuesOut) {
        return sessions.lookupInto(key, nowNs, valuesOut);
    }

    /**
     * RFC 4787 REQ-6 / RFC 5382 REQ-5: keeps the idle deadline of the session (both entries) at
     * or after {@code nowNs + timeoutNs}; when it must move, it moves {@link #REFRESH_STEP_TICKS}
     * further, so a busy session's deadline is written about once a second, not per packet.
     *
     * @return true when the deadline moved (then an outbound refresh also calls
     *     {@link #extendPermit} under address-dependent filtering)
     */
    public boolean refresh(int entry, long link, long nowNs, long timeoutNs, NatScratch scratch) {
        long deadlineNs = nowNs + timeoutNs;
        int newTick = SessionKeys.tick(deadlineNs);
        int oldTick = SessionKeys.expiryTick(link);
        if (newTick - oldTick > 0) {
            setDeadline(entry, link, newTick + REFRESH_STEP_TICKS);
            if ((newTick >> JOURNAL_WINDOW_SHIFT) != (oldTick >> JOURNAL_WINDOW_SHIFT)) {
                journalRefresh(entry, link, deadlineNs, scratch);
            }
            return true;
        }
        return false;
    }

    /**
     * RFC 4787 REQ-6 / REQ-8, address-dependent filtering: an outbound packet of a session moved
     * its deadline ({@link #refresh} returned true: about once a second per busy session, at the
     * most). If the session is on an EIM mapping, the permit that admits its remote address's
     * other ports is kept at least as long as the session now lives, so a remote the inside host
     * keeps talking to is not forgotten after the permit's first lifetime. Nothing in
     * endpoint-independent filtering.
     *
     * @param insideKeyWord1 word 1 of the session's inside key (inside address, remote address)
     * @param rewrite0 the inside entry's rewrite word 0 (the mapping's outside address and port)
     * @param rewrite1 the inside entry's rewrite word 1 (whether the session is on a mapping)
     */
    public void extendPermit(int protocol, long insideKeyWord1, long rewrite0, long rewrite1, long nowNs,
                             long timeoutNs, NatSettings settings, NatScratch scratch) {
        if (settings.filtering() != FilteringMode.ADDRESS_DEPENDENT || (rewrite1 & SessionKeys.FLAG_DYNAMIC) == 0) {
            return;
        }
        allocator.extendPermit(settings, ProtocolClass.of(protocol), Rewrite.newAddress(rewrite0),
            Rewrite.newPort(rewrite0), SessionKeys.destinationAddress(insideKeyWord1),
            nowNs + timeoutNs + REFRESH_SLACK_NS, nowNs, scratch);
    }

    private void setDeadline(int entry, long link, int tick) {
        int partner = SessionKeys.partner(link);
        sessions.value(entry, WORD_LINK, SessionKeys.link(partner, tick));
        if (partner >= 0 && partner < sessions.capacity()) {
            long partnerLink = sessions.value(partner, WORD_LINK);
            sessions.value(partner, WORD_LINK, SessionKeys.link(SessionKeys.partner(partnerLink), tick));
        }
    }

    /**
     * Tells the journal the session's deadline (and TCP state) under its inside key. The key is
     * copied from the inside entry with a validated read; should the slot have been reused
     * meanwhile, the store ignores a key it does not hold.
     */
    private void journalRefresh(int entry, long link, long deadlineNs, NatScratch scratch) {
        NatSessionJournal current = journal;
        if (current == NatSessionJournal.NONE) {
            return;
        }
        int inside = (sessions.value(entry, WORD_REWRITE1) & Rewrite.FLAG_OUTSIDE) != 0
            ? SessionKeys.partner(link) : entry;
        if (inside < 0 || inside >= sessions.capacity() || !sessions.copyKey(inside, scratch.journalKey)
            || SessionKeys.tag(scratch.journalKey[0]) != SessionKeys.TAG_INSIDE) {
            return;
        }
        current.sessionRefreshed(scratch.journalKey[0], scratch.journalKey[1],
            SessionKeys.tcpState(sessions.value(inside, WORD_REWRITE1)), deadlineNs);
    }

    /**
     * Runs the RFC 7857 TCP state machine for a packet with {@code tcpFlags} on the session whose
     * entry is {@code entry} (either direction) and sets both deadlines for the new state. The
     * inside entry holds the authoritative state; the outside entry a copy.
     *
     * @return the state after the packet
     */
    public int trackTcp(int entry, long rewrite1, long link, int tcpFlags, boolean fromInside, long nowNs,
                        NatSettings settings, NatScratch scratch) {
        boolean outsideEntry = (rewrite1 & Rewrite.FLAG_OUTSIDE) != 0;
        int inside = outsideEntry ? SessionKeys.partner(link) : entry;
        if (inside < 0 || inside >= sessions.capacity()) {
            return SessionKeys.tcpState(rewrite1);
        }
        int next;
        while (true) {
            long word = sessions.value(inside, WORD_REWRITE1);
            int state = SessionKeys.tcpState(word);
            next = TcpStates.next(state, tcpFlags, fromInside);
            if (next == state) {
                return state;
            }
            if (sessions.compareAndSetValue(inside, WORD_REWRITE1, word, SessionKeys.withTcpState(word, next))) {
                break;
            }
        }
        int outside = SessionKeys.partner(sessions.value(inside, WORD_LINK));
        if (outside >= 0 && outside < sessions.capacity()) {
            while (true) {
                long word = sessions.value(outside, WORD_REWRITE1);
                if (sessions.compareAndSetValue(outside, WORD_REWRITE1, word, SessionKeys.withTcpState(word, next))) {
                    break;
                }
            }
        }
        long timeoutNs = TcpStates.isTransitory(next) ? settings.tcpTransitoryTimeoutNs()
            : settings.tcpEstablishedTimeoutNs();
        long insideLink = sessions.value(inside, WORD_LINK);
        setDeadline(inside, insideLink, SessionKeys.tick(nowNs + timeoutNs));
        journalRefresh(inside, insideLink, nowNs + timeoutNs, scratch);
        return next;
    }

    /** Idle timeout of a session of {@code protocol} in TCP state {@code tcpState}. */
    public static long timeoutNs(int protocol, int tcpState, NatSettings settings) {
        switch (protocol) {
            case Ipv4Flyweight.PROTOCOL_TCP:
                return TcpStates.isTransitory(tcpState) ? settings.tcpTransitoryTimeoutNs()
                    : settings.tcpEstablishedTimeoutNs();
            case Ipv4Flyweight.PROTOCOL_UDP:
                return settings.udpTimeoutNs();
            default:
                return settings.icmpQueryTimeoutNs();
        }
    }

    // ---------------------------------------------------------------- fragments

    /**
     * How long a first fragment's record lives: RFC 791 reassembly timers are seconds, and later
     * fragments normally follow their first within milliseconds. Also how long a stage holds a
     * later fragment that came before its first (the stage's {@code HeldFragments}).
     */
    public static final long FRAGMENT_RECORD_NS = 2_000_000_000L;

    /** Word 0 of the record key of the datagram ({@code protocol}, {@code vrf}, IP identification). */
    public static long fragmentKey0(int protocol, int vrf, int identification) {
        return SessionKeys.word0(SessionKeys.TAG_FRAGMENT, protocol, vrf, identification, 0);
    }

    /** Word 1 of the record key of the datagram from {@code source} to {@code destination}. */
    public static long fragmentKey1(int source, int destination) {
        return SessionKeys.word1(source, destination);
    }

    /** Remembers the rewrite of a first fragment so later fragments of the datagram follow it. */
    public void rememberFragment(int protocol, int vrf, int identification, int source, int destination,
                                 long rewrite0, long rewrite1, long nowNs, NatScratch scratch) {
        scratch.key2[0] = fragmentKey0(protocol, vrf, identification);
        scratch.key2[1] = fragmentKey1(source, destination);
        scratch.values2[0] = rewrite0;
        scratch.values2[1] = rewrite1;
        scratch.values2[2] = 0;
        fragments.insert(scratch.key2, scratch.values2, nowNs + FRAGMENT_RECORD_NS, nowNs);
    }

    /** Finds the rewrite of a datagram's first fragment; copies it into {@code valuesOut}. */
    public boolean findFragment(int protocol, int vrf, int identification, int source, int destination,
                                long nowNs, NatScratch scratch, long[] valuesOut) {
        scratch.key2[0] = fragmentKey0(protocol, vrf, identification);
        scratch.key2[1] = fragmentKey1(source, destination);
        return fragments.lookupInto(scratch.key2, nowNs, valuesOut) >= 0;
    }

    /**
     * {@link #findFragment} for {@code count} record keys at once ({@link #fragmentKey0},
     * {@link #fragmentKey1}; {@code KEY_WORDS} each), their cache misses overlapped
     * ({@code FlowTable.lookupIntoBatch}): key {@code i}'s rewrite goes to
     * {@code valuesOut[i * VALUE_WORDS ..]}, its entry (negative when missing) to {@code entriesOut[i]}.
     *
     * @return how many records were found
     */
    public int findFragments(long[] keys, int count, long nowNs, long[] valuesOut, int[] entriesOut) {
        return fragments.lookupIntoBatch(keys, count, nowNs, valuesOut, entriesOut);
    }

    // ---------------------------------------------------------------- slow path

    /**
     * Creates a session; returns the entry of the direction named by {@code returnOutside}, with
     * its values in {@code scratch.values}, or a failure code. If another worker created the same
     * session first, returns that one's entry.
     *
     * @param dynamic true when the session holds a reference on an EIM mapping
     */
    int createSession(NatTables tables, int protocol, int vpcVrf, int insideAddress, int insidePort,
                      int remoteAddress, int remotePort, int outsideAddress, int outsidePort, boolean dynamic,
                      int tcpFlags, boolean fromInside, long nowNs, NatScratch scratch, boolean returnOutside) {
        NatSettings settings = tables.settings();
        int publicVrf = tables.publicVrf();
        int state = protocol == Ipv4Flyweight.PROTOCOL_TCP ? TcpStates.initial(tcpFlags, fromInside) : TcpStates.NONE;
        // With the refresh slack already, so the session's first packets write no deadline either.
        int tick = SessionKeys.tick(nowNs + timeoutNs(protocol, state, settings)) + REFRESH_STEP_TICKS;
        boolean keepPort = insidePort == outsidePort;
        long dynamicFlag = dynamic ? SessionKeys.FLAG_DYNAMIC : 0;
        long hairpinFlag = tables.external(remoteAddress) != null ? SessionKeys.FLAG_HAIRPIN : 0;

        long[] insideKey = scratch.key;
        insideKey[0] = SessionKeys.word0(SessionKeys.TAG_INSIDE, protocol, vpcVrf, insidePort, remotePort);
        insideKey[1] = SessionKeys.word1(insideAddress, remoteAddress);
        long insideRewrite0 = Rewrite.word0(protocol, insideAddress, outsideAddress, insidePort, outsidePort);
        long insideRewrite1 = SessionKeys.withTcpState(Rewrite.word1(false, false, insideAddress, outsideAddress,
            publicVrf, keepPort) | dynamicFlag | hairpinFlag, state);
        long[] values = scratch.values;
        values[WORD_REWRITE0] = insideRewrite0;
        values[WORD_REWRITE1] = insideRewrite1;
        values[WORD_LINK] = SessionKeys.link(-1, tick);
        scratch.created = false;
        if (!reserveSession()) {
            // At the limit: another worker may have created this very session meanwhile.
            int present = sessions.lookup(insideKey, nowNs);
            return present >= 0 ? existing(present, returnOutside, scratch)
                : failure(NatDropReason.SESSION_TABLE_FULL);
        }
        int insideResult = sessions.insert(insideKey, values, Long.MAX_VALUE, nowNs);
        if (insideResult == FlowTable.FULL) {
            releaseSession();
            return failure(NatDropReason.SESSION_TABLE_FULL);
        }
        if (insideResult < 0) {
            releaseSession();
            return failure(NatDropReason.INSERT_CONTENDED);
        }
        int insideEntry = FlowTable.entryIndex(insideResult);
        if (!FlowTable.isCreated(insideResult)) {
            releaseSession();
            return existing(insideEntry, returnOutside, scratch);
        }

        long[] outsideKey = scratch.key2;
        SessionKeys.outsideKey(outsideKey, protocol, publicVrf, remoteAddress, remotePort, outsideAddress, outsidePort);
        long outsideRewrite0 = Rewrite.word0(protocol, outsideAddress, insideAddress, outsidePort, insidePort);
        long outsideRewrite1 = SessionKeys.withTcpState(Rewrite.word1(true, true, outsideAddress, insideAddress,
            vpcVrf, keepPort) | dynamicFlag, state);
        long[] outsideValues = scratch.values2;
        outsideValues[WORD_REWRITE0] = outsideRewrite0;
        outsideValues[WORD_REWRITE1] = outsideRewrite1;
        outsideValues[WORD_LINK] = SessionKeys.link(insideEntry, tick);
        int outsideResult = sessions.insert(outsideKey, outsideValues, Long.MAX_VALUE, nowNs);
        if (!FlowTable.isCreated(outsideResult)) {
            // The outside 5-tuple is taken (or no room): undo the inside half; nothing was evicted.
            sessions.remove(insideEntry, insideKey);
            releaseSession();
            return failure(outsideResult == FlowTable.FULL ? NatDropReason.SESSION_TABLE_FULL
                : NatDropReason.INSERT_CONTENDED);
        }
        int outsideEntry = FlowTable.entryIndex(outsideResult);
        sessions.value(insideEntry, WORD_LINK, SessionKeys.link(outsideEntry, tick));
        scratch.created = true;
        journal.sessionCreated(insideKey[0], insideKey[1], outsideKey[0], outsideKey[1], insideRewrite0,
            insideRewrite1, outsideRewrite0, outsideRewrite1, nowNs + timeoutNs(protocol, state, settings));
        if (returnOutside) {
            System.arraycopy(outsideValues, 0, values, 0, VALUE_WORDS);
            return outsideEntry;
        }
        values[WORD_LINK] = SessionKeys.link(outsideEntry, tick);
        return insideEntry;
    }

    /**
     * A creation refused by the subscriber's session limit ({@code failure}): as at the
     * {@code maxSessions} limit, another worker may have created this very session meanwhile, and
     * its packet then takes that session rather than a refusal.
     */
    private int createdMeanwhile(int protocol, int vpcVrf, int insideAddress, int insidePort, int remoteAddress,
                                 int remotePort, int failure, boolean returnOutside, long nowNs, NatScratch scratch) {
        scratch.created = false;
        long[] insideKey = scratch.key;
        insideKey[0] = SessionKeys.word0(SessionKeys.TAG_INSIDE, protocol, vpcVrf, insidePort, remotePort);
        insideKey[1] = SessionKeys.word1(insideAddress, remoteAddress);
        int present = sessions.lookup(insideKey, nowNs);
        return present >= 0 ? existing(present, returnOutside, scratch) : failure;
    }

    private int existing(int insideEntry, boolean returnOutside, NatScratch scratch) {
        long[] values = scratch.values;
        for (int word = 0; word < VALUE_WORDS; word++) {
            values[word] = sessions.value(insideEntry, word);
        }
        if (!returnOutside) {
            return insideEntry;
        }
        int outsideEntry = SessionKeys.partner(values[WORD_LINK]);
        if (outsideEntry < 0) {
            return failure(NatDropReason.INSERT_CONTENDED);
        }
        for (int word = 0; word < VALUE_WORDS; word++) {
            values[word] = sessions.value(outsideEntry, word);
        }
        return outsideEntry;
    }

    /**
     * Outbound slow path for a packet of {@code protocol} from {@code source:sourcePort} in VPC
     * {@code vrf} to {@code destination:destinationPort}: the first matching outbound rule decides.
     * Returns the inside entry (values in {@code scratch.values}), {@link #PASS}, or a failure.
     */
    public int createOutbound(NatTables tables, int vrf, int protocol, int source, int sourcePort, int destination,
                              int destinationPort, int tcpFlags, long nowNs, NatScratch scratch) {
        CompiledRule rule = outboundRule(tables, vrf, protocol, source, sourcePort, destination, destinationPort);
        scratch.rule = rule;
        if (rule == null) {
            return PASS;
        }
        switch (rule.kind) {
            case STATIC_SOURCE:
                // 1:1: the VM leaves from its public address, ports kept (no allocation, nothing to log).
                return createSession(tables, protocol, vrf, source, sourcePort, destination, destinationPort,
                    rule.pool[0].address, sourcePort, false, tcpFlags, true, nowNs, scratch, false);
            case DYNAMIC_SOURCE: {
                int mapping = allocator.acquire(tables, rule, protocol, vrf, source, sourcePort, destination,
                    destinationPort, nowNs, scratch);
                if (mapping < 0) {
                    return mapping;
                }
                int counter = allocator.countSubscriberSession(ProtocolClass.of(protocol), vrf, source,
                    tables.settings().sessionsPerSubscriber(maxSessions), nowNs, scratch);
                if (counter < MappingAllocator.NO_COUNTER) {
                    allocator.releaseReference(mapping);
                    return createdMeanwhile(protocol, vrf, source, sourcePort, destination, destinationPort, counter,
                        false, nowNs, scratch);
                }
                int entry = createSession(tables, protocol, vrf, source, sourcePort, destination,
                    destinationPort, scratch.mappedAddress, scratch.mappedPort, true, tcpFlags, true, nowNs,
                    scratch, false);
                if (entry < 0 || !scratch.created) {
                    allocator.giveBackSubscriberSession(counter); // before the reference that keeps its counter
                    allocator.releaseReference(mapping);
                }
                return entry;
            }
            default: // EXCLUDE
                return PASS;
        }
    }

    /**
     * The outbound rule that decides a packet of {@code protocol} from {@code source:sourcePort}
     * in VPC {@code vrf} to {@code destination:destinationPort}: the first of the VRF's outbound
     * rules (in match order) that matches and is an exclusion, 1:1 or dynamic source rule; null
     * when none is. {@link #createOutbound} applies it; the batch pre-pass
     * ({@link OutboundCreationPrefetch}) asks it what that creation will read.
     */
    static CompiledRule outboundRule(NatTables tables, int vrf, int protocol, int source, int sourcePort,
                                     int destination, int destinationPort) {
        CompiledRule[] rules = tables.outbound(vrf);
        for (int i = 0; i < rules.length; i++) {
            CompiledRule rule = rules[i];
            if (rule.kind != RuleKind.DESTINATION
                && rule.matches(protocol, source, sourcePort, destination, destinationPort)) {
                return rule;
            }
        }
        return null;
    }

    /**
     * Inbound slow path for a packet from {@code source:sourcePort} to public
     * {@code destination:destinationPort}: an existing EIM mapping (subject to filtering) or a
     * port forward / 1:1 rule. Returns the outside entry, {@link #PASS} when the destination is not
     * one of our addresses, or a failure.
     */
    public int createInbound(NatTables tables, int protocol, int source, int sourcePort, int destination,
                             int destinationPort, int tcpFlags, long nowNs, NatScratch scratch) {
        scratch.rule = null;
        if (tables.external(destination) == null) {
            return PASS;
        }
        int mapping = allocator.findForInbound(tables, protocol, source, destination, destinationPort, nowNs,
            scratch);
        if (mapping >= 0) {
            int counter = allocator.countSubscriberSession(ProtocolClass.of(protocol), scratch.mappedVrf,
                scratch.mappedAddress, tables.settings().sessionsPerSubscriber(maxSessions), nowNs, scratch);
            if (counter < MappingAllocator.NO_COUNTER) {
                allocator.releaseReference(mapping);
                return createdMeanwhile(protocol, scratch.mappedVrf, scratch.mappedAddress, scratch.mappedPort, source,
                    sourcePort, counter, true, nowNs, scratch);
            }
            int entry = createSession(tables, protocol, scratch.mappedVrf, scratch.mappedAddress,
                scratch.mappedPort, source, sourcePort, destination, destinationPort, true, tcpFlags, false, nowNs,
                scratch, true);
            if (entry < 0 || !scratch.created) {
                allocator.giveBackSubscriberSession(counter); // before the reference that keeps its counter
                allocator.releaseReference(mapping);
            }
            return entry;
        }
        if (mapping != MappingAllocator.NO_MAPPING) {
            return mapping;
        }
        CompiledRule[] rules = tables.inbound();
        for (int i = 0; i < rules.length; i++) {
            CompiledRule rule = rules[i];
            if (rule.matches(protocol, source, sourcePort, destination, destinationPort)) {
                scratch.rule = rule;
                int insidePort = rule.translatedPort(destinationPort);
                return createSession(tables, protocol, rule.vrf, rule.translatedAddress, insidePort, source,
                    sourcePort, destination, destinationPort, false, tcpFlags, false, nowNs, scratch, true);
            }
        }
        return PASS_NO_RULE;
    }

    /** {@link #createInbound} result: our address, but nothing maps this packet. */
    public static final int PASS_NO_RULE = Integer.MIN_VALUE;

    void expireFragments(long nowNs) {
        fragments.removeExpired(nowNs);
    }

    /**
     * Takes one of the {@link #maxSessions} places for a session about to be inserted; false (and
     * nothing taken) at the limit. Lock-free: workers race on one counter only when creating or
     * deleting sessions, never on the fast path.
     */
    boolean reserveSession() {
        if (liveSessions.incrementAndGet() > maxSessions) {
            liveSessions.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back a place taken by {@link #reserveSession} (insert failed, or the session was removed). */
    void releaseSession() {
        liveSessions.decrementAndGet();
    }

    /** Sessions in the table now (never more than {@link #maxSessions}). */
    public int sessionCount() {
        return liveSessions.get();
    }

    public int maxSessions() {
        return maxSessions;
    }

    /** Native memory of the session table divided by the sessions it is sized for. */
    public long bytesPerSession() {
        return sessions.memoryBytes() / Math.max(1, maxSessions);
    }

    public long memoryBytes() {
        return sessions.memoryBytes() + mappings.memoryBytes() + fragments.memoryBytes();
    }

    @Override
    public void close() {
        sessions.close();
        mappings.close();
        fragments.close();
    }

    // ---------------------------------------------------------------- state (control plane)

    /**
     * Visits every session once, through its inside entry, decoded (for the state API); a session
     * past its expiry that the sweeper has not removed yet is visited too (judge it by {@code expiryTick}):
     * one pass over the whole session table ({@link FlowTable#copyEntry} per slot), lock-free and
     * consistent per entry; sessions created or removed meanwhile may or may not be seen. Cost
     * is the calling thread's CPU, proportional to the table's capacity; the workers never wait.
     * Control plane only: allocates three scratch arrays per call.
     */
    public void forEachSession(SessionVisitor visitor) {
        long[] key = new long[KEY_WORDS];
        long[] value = new long[VALUE_WORDS];
        long[] expiresAtNs = new long[1];
        int capacity = sessions.capacity();
        for (int entry = 0; entry < capacity; entry++) {
            if (!sessions.copyEntry(entry, key, value, expiresAtNs) || SessionKeys.tag(key[0]) != SessionKeys.TAG_INSIDE) {
                continue;
            }
            long rewrite0 = value[WORD_REWRITE0];
            long rewrite1 = value[WORD_REWRITE1];
            visitor.session(SessionKeys.protocol(key[0]), SessionKeys.vrf(key[0]),
                SessionKeys.sourceAddress(key[1]), SessionKeys.sourcePort(key[0]),
                Rewrite.newAddress(rewrite0), Rewrite.newPort(rewrite0),
                SessionKeys.destinationAddress(key[1]), SessionKeys.destinationPort(key[0]),
                SessionKeys.tcpState(rewrite1), SessionKeys.expiryTick(value[WORD_LINK]),
                (rewrite1 & SessionKeys.FLAG_DYNAMIC) != 0);
        }
    }

    /**
     * One decoded session, as {@link #forEachSession} reports it: addresses are IPv4 as ints,
     * ports 0..65535 (for ICMP the query identifier), {@code tcpState} one of {@link TcpStates},
     * {@code expiryTick} comparable with {@link SessionKeys#tick(long)} of the workers' clock.
     *
     * <p>Threading: called on the thread that called {@link #forEachSession}.
     */
    @FunctionalInterface
    public interface SessionVisitor {
        void session(int protocol, int vpcVrf, int insideAddress, int insidePort, int outsideAddress, int outsidePort,
                     int remoteAddress, int remotePort, int tcpState, int expiryTick, boolean dynamic);
    }
}
