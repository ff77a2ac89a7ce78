package io.softgate.nat.stage;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.PacketWords;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.packet.UdpFlyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageContext;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.rewrite.FlowTuple;
import io.softgate.nat.rewrite.IcmpErrorRewriter;
import io.softgate.nat.rewrite.IcmpUnreachableWriter;
import io.softgate.nat.rewrite.MssClamp;
import io.softgate.nat.rewrite.Rewrite;
import io.softgate.nat.session.NatScratch;
import io.softgate.nat.session.NatSessions;
import io.softgate.nat.session.OutboundCreationPrefetch;
import io.softgate.nat.session.SessionKeys;
import io.softgate.nat.session.TcpStates;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The per-packet NAT44 logic shared by both stages: fast path (session lookup and its
 * precompiled rewrite), slow path (policy, mapping, session creation), ICMP errors, fragments,
 * hairpinning, MSS clamping and the ICMP unreachable answer to refused flows.
 *
 * <p>Threading: one instance per worker (it owns scratch state); never shared.
 */
final class Nat44Translator {
    /** Result: forward the packet. Otherwise the result is a drop reason's ordinal. */
    static final int FORWARD = -1;
    /** {@link #readHeaders} result: headers read, continue with the session path. */
    private static final int PARSED = -2;
    private static final int SYN_FIN_RST = TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_FIN | TcpFlyweight.FLAG_RST;
    /** {@link #batchParsedOfSlot} bit: the packet may take {@link #tryFastPath} if its session was found. */
    private static final int FAST_PATH_ELIGIBLE = 1 << 16;

    private final NatSessions sessions;
    private final FlowTuple tuple = new FlowTuple();
    private final FlowTuple embedded = new FlowTuple();
    private final NatScratch scratch;
    private final long[] key = new long[SessionKeys.KEY_WORDS];
    private final long[] values = new long[SessionKeys.VALUE_WORDS];
    private final IcmpUnreachableWriter unreachable = new IcmpUnreachableWriter();
    /** The session keys of this batch's packets, {@code KEY_WORDS} each, looked up together. */
    private long[] batchKeys = new long[0];
    /** Value words of each batch key's session ({@code VALUE_WORDS} each), valid where found. */
    private long[] batchValues = new long[0];
    /** Entry of each batch key's session, or {@code FlowTable.MISSING}. */
    private int[] batchEntries = new int[0];
    /** Index of the slot's key in {@link #batchKeys}, or -1 when the slot has none. */
    private int[] batchKeyOfSlot = new int[0];
    /** Absolute L4 offset of each slot with a key, as {@link #collectKey} parsed it. */
    private int[] batchL4OfSlot = new int[0];
    /**
     * What {@link #collectKey} parsed of each slot with a key, for {@link #tryFastPath}: IP protocol
     * (bits 0-7), TCP flags (8-15), {@link #FAST_PATH_ELIGIBLE} (16).
     */
    private int[] batchParsedOfSlot = new int[0];
    private int batchKeyCount;
    /**
     * Set once this batch ran the TCP state machine: from then on a TCP packet's session is
     * looked up again rather than taken from the batch lookup, whose copy of the state may
     * predate a change an earlier packet of the same connection made in this batch.
     */
    private boolean tcpStateChangedInBatch;
    /** The in2out pre-pass for new flows, with the port values it pre-drew per batch index. */
    private final OutboundCreationPrefetch creationPrefetch;
    /** Keeps the slow-path prefetch loads alive (never read for meaning). */
    long prefetchSink;
    /** Set by {@link #readHeaders} when it returns {@link #PARSED}: absolute L4 offset. */
    private int parsedL4;
    /** Set by {@link #readHeaders} when it returns {@link #PARSED}: IPv4 flags and fragment offset. */
    private int parsedFragmentWord;
    private long icmpTokens;
    private long icmpRefillNs;
    /** RFC 5382 REQ-4: the unsolicited inbound SYNs this worker holds (none for the in2out stage). */
    private final HeldSyns heldSyns;
    /** RFC 4787 REQ-14: later fragments this stage holds until their first fragment's record exists. */
    private final HeldFragments heldFragments;
    /**
     * Set by the stage before each slow-path packet: the packet is traced ({@code PacketFlags.TRACE}),
     * so its outcome is noted in {@link #traceDecision} / {@link #traceDetail} ({@link NatTraceDecision}).
     */
    boolean traced;
    /** The traced packet's decision words, or {@code PacketTracer.NO_DECISION} when none was noted. */
    long traceDecision;
    long traceDetail;
    /** Expired held SYNs settled per batch at most, so one batch's extra work stays bounded. */
    static final int HELD_SYN_RELEASES_PER_BATCH = 32;

    /** A seed for worker {@code workerId}'s port randomisation, different per worker and per start. */
    static long randomSeed(int workerId) {
        return 0x5DEECE66DL * (workerId + 1) ^ System.nanoTime();
    }

    Nat44Translator(NatSessions sessions, long randomSeed, int heldSynCapacity) {
        this.sessions = sessions;
        this.scratch = new NatScratch(randomSeed);
        this.heldSyns = new HeldSyns(heldSynCapacity);
        this.heldFragments = new HeldFragments(HeldFragments.DEFAULT_CAPACITY, HeldFragments.DEFAULT_BYTES);
        this.creationPrefetch = new OutboundCreationPrefetch(sessions);
    }

    /** Starts a batch of up to {@code capacity} slots: forgets the previous batch's keys. */
    void beginBatch(int capacity) {
        if (batchKeyOfSlot.length < capacity) {
            // Once, on the first batch.
            batchKeys = new long[capacity * SessionKeys.KEY_WORDS];
            batchValues = new long[capacity * SessionKeys.VALUE_WORDS];
            batchEntries = new int[capacity];
            batchKeyOfSlot = new int[capacity];
            batchL4OfSlot = new int[capacity];
            batchParsedOfSlot = new int[capacity];
        }
        batchKeyCount = 0;
        tcpStateChangedInBatch = false;
        heldFragments.beginBatch();
        creationPrefetch.beginBatch(capacity);
    }

    /**
     * First pass over a batch: builds the session key the fast path will look up for this packet
     * (none for packets it would not look up: later fragments, ICMP errors, bad headers) and
     * queues it for {@link #lookupBatch}.
     */
    void collectKey(PacketBatch batch, int slot, boolean inside, int publicVrf) {
        batchKeyOfSlot[slot] = -1;
        UnsafeBuffer buffer = batch.buffer();
        int l3 = batch.l3Offset[slot];
        int end = batch.offset[slot] + batch.length[slot];
        if (l3 < batch.offset[slot] || l3 >= end) {
            return;
        }
        if (end - l3 < COMMON_CASE_BYTES || !PacketWords.inside(buffer, l3, COMMON_CASE_BYTES)
            || !collectCommonKey(batch, slot, inside, publicVrf, buffer, l3, end)) {
            collectAnyKey(batch, slot, inside, publicVrf, buffer, l3, end);
        }
    }

    /**
     * Bytes {@link #collectCommonKey} reads from the IPv4 header on: a header without options
     * and the first 14 bytes of TCP (ports to flags; UDP's 8 lie inside). A packet shorter
     * than this takes {@link #collectAnyKey}.
     */
    private static final int COMMON_CASE_BYTES = Ipv4Flyweight.MIN_HEADER_LENGTH + TcpFlyweight.FLAGS_OFFSET + 1;
    private static final int IPV4_NO_OPTIONS = 0x45;

    /**
     * {@link #collectAnyKey} for the common packet, from a few whole-word reads of bytes the
     * caller checked once lie inside the packet and the buffer: an option-less IPv4 header, not a
     * later fragment, carrying UDP or TCP whose header (TCP: ports to flags) lies inside the total
     * length. The same key, L4 offset and parse word as {@link #collectAnyKey}; returns false,
     * having written nothing, for any other packet.
     */
    private boolean collectCommonKey(PacketBatch batch, int slot, boolean inside, int publicVrf, UnsafeBuffer buffer,
                                     int l3, int end) {
        byte[] base = PacketWords.base(buffer);
        long ip = PacketWords.address(buffer, l3);
        long w0 = PacketWords.getLong(base, ip);        // version/IHL, TOS, total length, id, flags + fragment offset
        long w1 = PacketWords.getLong(base, ip + 8);    // TTL, protocol, checksum, source
        long w2 = PacketWords.getLong(base, ip + 16);   // destination, L4 source and destination ports
        int totalLength = (int) (w0 >>> 32) & 0xFFFF;
        int fragmentWord = (int) w0 & 0xFFFF;
        int protocol = (int) (w1 >>> 48) & 0xFF;
        int l4Available = totalLength - Ipv4Flyweight.MIN_HEADER_LENGTH;
        // Ipv4Flyweight.validate's checks for a 20-byte header, then collectAnyKey's.
        if ((int) (w0 >>> 56) != IPV4_NO_OPTIONS || l4Available < 0 || totalLength > end - l3
            || (fragmentWord & Ipv4Flyweight.FRAGMENT_OFFSET_MASK) != 0) {
            return false;
        }
        int l4 = l3 + Ipv4Flyweight.MIN_HEADER_LENGTH;
        boolean eligible = (fragmentWord & Ipv4Flyweight.FLAG_MORE_FRAGMENTS) == 0;
        int tcpFlags = 0;
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP && l4Available >= TcpFlyweight.MIN_HEADER_LENGTH) {
            int offsetAndFlags = PacketWords.getUnsignedShort(base, ip + Ipv4Flyweight.MIN_HEADER_LENGTH
                + TcpFlyweight.FLAGS_OFFSET - 1);
            tcpFlags = offsetAndFlags & 0xFF;
            int tcpHeaderLength = offsetAndFlags >>> 12 << 2;
            eligible &= tcpHeaderLength >= TcpFlyweight.MIN_HEADER_LENGTH && tcpHeaderLength <= l4Available;
        } else if (protocol != Ipv4Flyweight.PROTOCOL_UDP || l4Available < UdpFlyweight.HEADER_LENGTH) {
            return false;
        }
        int ports = (int) w2;
        queueKey(batch, slot, inside, publicVrf, l4, protocol | tcpFlags << 8 | (eligible ? FAST_PATH_ELIGIBLE : 0),
            ports >>> 16, ports & 0xFFFF, (int) w1, (int) (w2 >>> 32));
        return true;
    }

    /** {@link #collectKey} without {@link #collectCommonKey}: for the test that compares the two reads. */
    void collectKeyFieldByField(PacketBatch batch, int slot, boolean inside, int publicVrf) {
        batchKeyOfSlot[slot] = -1;
        int l3 = batch.l3Offset[slot];
        int end = batch.offset[slot] + batch.length[slot];
        if (l3 >= batch.offset[slot] && l3 < end) {
            collectAnyKey(batch, slot, inside, publicVrf, batch.buffer(), l3, end);
        }
    }

    /** {@link #collectKey} for any packet, field by field through the flyweights. */
    private void collectAnyKey(PacketBatch batch, int slot, boolean inside, int publicVrf, UnsafeBuffer buffer,
                               int l3, int end) {
        int headerLength = Ipv4Flyweight.validate(buffer, l3, end - l3);
        if (headerLength < 0 || Ipv4Flyweight.fragmentOffsetBytes(buffer, l3) != 0) {
            return;
        }
        int l4 = l3 + headerLength;
        int l4Available = l3 + Ipv4Flyweight.totalLength(buffer, l3) - l4;
        if (tuple.read(buffer, l3, l4, l4Available) != FlowTuple.OK) {
            return;
        }
        // The fast path skips readHeaders, so it takes only what readHeaders would pass as is: a
        // first fragment must be remembered for its followers, a TCP header must be whole.
        boolean eligible = (Ipv4Flyweight.flagsAndFragmentOffset(buffer, l3) & Ipv4Flyweight.FLAG_MORE_FRAGMENTS) == 0
            && (tuple.protocol != Ipv4Flyweight.PROTOCOL_TCP || TcpFlyweight.validate(buffer, l4, l4Available) >= 0);
        queueKey(batch, slot, inside, publicVrf, l4,
            tuple.protocol | tuple.tcpFlags << 8 | (eligible ? FAST_PATH_ELIGIBLE : 0),
            tuple.sourcePort, tuple.destinationPort, tuple.source, tuple.destination);
    }

    /**
     * For tests: what {@link #collectKey} queued for {@code slot} in this batch (key words, L4
     * offset, parse word), or "none".
     */
    String queuedKey(int slot) {
        int index = batchKeyOfSlot[slot];
        return index < 0 ? "none" : Long.toHexString(batchKeys[index * SessionKeys.KEY_WORDS]) + "/"
            + Long.toHexString(batchKeys[index * SessionKeys.KEY_WORDS + 1]) + " l4 " + batchL4OfSlot[slot]
            + " parsed " + Integer.toHexString(batchParsedOfSlot[slot]);
    }

    /** Queues the session key of {@code slot} for {@link #lookupBatch}, with what the fast path needs of its parse. */
    private void queueKey(PacketBatch batch, int slot, boolean inside, int publicVrf, int l4, int parsed,
                          int sourcePort, int destinationPort, int source, int destination) {
        batchL4OfSlot[slot] = l4;
        batchParsedOfSlot[slot] = parsed;
        int protocol = parsed & 0xFF;
        int index = batchKeyCount++;
        batchKeys[index * SessionKeys.KEY_WORDS] = SessionKeys.word0(
            inside ? SessionKeys.TAG_INSIDE : SessionKeys.TAG_OUTSIDE, protocol,
            inside ? batch.vrf[slot] : publicVrf, sourcePort, destinationPort);
        batchKeys[index * SessionKeys.KEY_WORDS + 1] = SessionKeys.word1(source, destination);
        batchKeyOfSlot[slot] = index;
    }

    /**
     * Looks up every key {@link #collectKey} queued, all at once: the table's cache misses for
     * the whole batch overlap ({@code FlowTable.lookupIntoBatch}) instead of one per packet. In
     * the inside-to-outside direction, the keys it did not find are new flows ahead: the slots
     * and port words their creation reads first are loaded for all of them together, their port
     * values pre-drawn ({@link OutboundCreationPrefetch}).
     */
    void lookupBatch(long nowNs, boolean inside, NatTables tables) {
        int found = sessions.lookupBatch(batchKeys, batchKeyCount, nowNs, batchValues, batchEntries);
        if (inside && found < batchKeyCount) {
            prefetchSink += creationPrefetch.prefetch(tables, batchKeys, batchEntries, batchKeyCount, scratch);
        }
    }

    /**
     * The established-session fast path: a packet whose session the batch lookup found and that
     * needs nothing but its rewrite (no TCP state change, not a first fragment, not hairpinned)
     * gets the rewrite and the idle-timer refresh straight from the batch lookup's copy of the
     * session, without parsing its headers again. Everything else returns false and takes
     * {@link #inToOut} / {@link #outToIn}, whose result for such a packet would be the same.
     *
     * @return true when the packet was translated and is to be forwarded
     */
    boolean tryFastPath(PacketBatch batch, int slot, NatTables tables, long nowNs, boolean inside) {
        int index = batchKeyOfSlot[slot];
        if (index < 0) {
            return false;
        }
        int entry = batchEntries[index];
        int parsed = batchParsedOfSlot[slot];
        if (entry < 0 || (parsed & FAST_PATH_ELIGIBLE) == 0) {
            return false;
        }
        int at = index * SessionKeys.VALUE_WORDS;
        long rewrite0 = batchValues[at + SessionKeys.WORD_REWRITE0];
        long rewrite1 = batchValues[at + SessionKeys.WORD_REWRITE1];
        int protocol = parsed & 0xFF;
        int state = SessionKeys.tcpState(rewrite1);
        if ((rewrite1 & SessionKeys.FLAG_HAIRPIN) != 0
            || protocol == Ipv4Flyweight.PROTOCOL_TCP && (tcpStateChangedInBatch
                || (parsed >>> 8 & SYN_FIN_RST) != 0 || state != TcpStates.ESTABLISHED)) {
            return false;
        }
        if (!Rewrite.apply(batch.buffer(), batch.l3Offset[slot], batchL4OfSlot[slot], protocol, rewrite0, rewrite1)) {
            return false; // the slow path counts the drop
        }
        batch.vrf[slot] = Rewrite.targetVrf(rewrite1);
        NatSettings settings = tables.settings();
        if (inside || settings.inboundRefresh()) {
            long timeoutNs = NatSessions.timeoutNs(protocol, state, settings);
            // The permit is looked at only when the deadline moved (about once a second per session).
            if (sessions.refresh(entry, batchValues[at + SessionKeys.WORD_LINK], nowNs, timeoutNs, scratch) && inside) {
                sessions.extendPermit(protocol, batchKeys[index * SessionKeys.KEY_WORDS + 1], rewrite0, rewrite1, nowNs,
                    timeoutNs, settings, scratch);
            }
        }
        return true;
    }

    /**
     * The session of {@link #key} into {@link #values}: taken from the batch lookup when that
     * looked up this very key and found it, otherwise looked up now (a miss there may be a
     * session an earlier packet of this batch created).
     */
    private int lookupSession(int slot, int protocol, long nowNs) {
        int index = batchKeyOfSlot[slot];
        if (isBatchKey(slot) && (protocol != Ipv4Flyweight.PROTOCOL_TCP || !tcpStateChangedInBatch)) {
            int entry = batchEntries[index];
            if (entry >= 0) {
                int at = index * SessionKeys.VALUE_WORDS;
                values[0] = batchValues[at];
                values[1] = batchValues[at + 1];
                values[2] = batchValues[at + 2];
                return entry;
            }
        }
        return sessions.lookup(key, nowNs, values);
    }

    /** True when the batch pass queued {@link #key} itself for this slot. */
    private boolean isBatchKey(int slot) {
        int index = batchKeyOfSlot[slot];
        return index >= 0 && batchKeys[index * SessionKeys.KEY_WORDS] == key[0]
            && batchKeys[index * SessionKeys.KEY_WORDS + 1] == key[1];
    }

    /** {@link #translate}'s answer when {@link Rewrite#apply} wrote nothing (no TCP state is negative). */
    private static final int REWRITE_OUT_OF_BOUNDS = -1;

    /**
     * What both directions do with a packet once its session is known: the session's rewrite, the
     * VRF the packet continues in, and for TCP the RFC 7857 state machine ({@code fromInside}
     * says which side sent it) and the MSS clamp.
     *
     * @return the session's TCP state after this packet (the stored one for other protocols), or
     *     {@link #REWRITE_OUT_OF_BOUNDS}
     */
    private int translate(PacketBatch batch, int slot, int l3, int l4, int entry, long rewrite0, long rewrite1,
                          long link, boolean fromInside, NatSettings settings, StageContext context) {
        UnsafeBuffer buffer = batch.buffer();
        if (!Rewrite.apply(buffer, l3, l4, tuple.protocol, rewrite0, rewrite1)) {
            return REWRITE_OUT_OF_BOUNDS;
        }
        batch.vrf[slot] = Rewrite.targetVrf(rewrite1);
        int state = SessionKeys.tcpState(rewrite1);
        if (tuple.protocol == Ipv4Flyweight.PROTOCOL_TCP) {
            if ((tuple.tcpFlags & SYN_FIN_RST) != 0 || state != TcpStates.ESTABLISHED) {
                tcpStateChangedInBatch = true;
                state = sessions.trackTcp(entry, rewrite1, link, tuple.tcpFlags, fromInside, context.nowNs(), settings,
                    scratch);
            }
            clampMss(buffer, l4, settings, context);
        }
        return state;
    }

    /**
     * The drop for a packet whose rewrite would reach past the buffer ({@link Rewrite#apply}
     * returned false). Unreachable after {@link #readHeaders} validated the headers; counted, not
     * written out of bounds, should a change ever break that.
     */
    private static int rewriteOutOfBounds() {
        return NatDropReason.BAD_IPV4_HEADER.ordinal();
    }

    /** True for an IPv4 packet whose fragment offset is not zero (it carries no ports). */
    static boolean isLaterFragment(PacketBatch batch, int slot) {
        int l3 = batch.l3Offset[slot];
        int end = batch.offset[slot] + batch.length[slot];
        return l3 >= batch.offset[slot] && l3 + Ipv4Flyweight.MIN_HEADER_LENGTH <= end
            && Ipv4Flyweight.version(batch.buffer(), l3) == 4
            && Ipv4Flyweight.fragmentOffsetBytes(batch.buffer(), l3) != 0;
    }

    /** VPC to outside: source NAT (then destination NAT when hairpinning). */
    int inToOut(PacketBatch batch, int slot, NatTables tables, StageContext context) {
        UnsafeBuffer buffer = batch.buffer();
        int l3 = batch.l3Offset[slot];
        long nowNs = context.nowNs();
        int vrf = batch.vrf[slot];
        int parsed = readHeaders(batch, slot, tables, true, vrf, nowNs, context);
        if (parsed != PARSED) {
            return parsed;
        }
        int l4 = parsedL4;
        int fragmentWord = parsedFragmentWord;
        long[] found = values;
        key[0] = SessionKeys.word0(SessionKeys.TAG_INSIDE, tuple.protocol, vrf, tuple.sourcePort,
            tuple.destinationPort);
        key[1] = SessionKeys.word1(tuple.source, tuple.destination);
        int entry = lookupSession(slot, tuple.protocol, nowNs);
        boolean createdNow = false;
        if (entry < 0) {
            if (tuple.protocol == Ipv4Flyweight.PROTOCOL_ICMP && tuple.icmpReply) {
                return NatDropReason.ICMP_QUERY_NO_SESSION.ordinal(); // a reply opens nothing
            }
            if (isBatchKey(slot)) {
                creationPrefetch.offer(batchKeyOfSlot[slot], scratch);
            }
            entry = sessions.createOutbound(tables, vrf, tuple.protocol, tuple.source, tuple.sourcePort,
                tuple.destination, tuple.destinationPort, tuple.tcpFlags, nowNs, scratch);
            // Whether used or not (an existing mapping), the pre-drawn value was this packet's alone.
            scratch.clearPredrawnRandom();
            if (entry == NatSessions.PASS) {
                if (traced) {
                    int rule = tables.ruleId(scratch.rule);
                    note(rule >= 0 ? NatTraceDecision.decision(NatTraceDecision.EXCLUDED, false, rule, 0, 0)
                        : NatTraceDecision.decision(NatTraceDecision.PASSED, false, NatTraceDecision.PASS_NO_RULE, 0, 0),
                        0);
                }
                boolean toNatAddress = tables.external(tuple.destination) != null;
                if ((fragmentWord & Ipv4Flyweight.FLAG_MORE_FRAGMENTS) != 0) {
                    // RFC 4787 REQ-14: the later fragments carry no ports to match the rules on, so
                    // they follow this decision as they would a translation: a pass record (held ones
                    // leave with this first fragment, later ones pass as they come).
                    rememberFirstFragment(tuple.protocol, vrf, Ipv4Flyweight.identification(buffer, l3), tuple.source,
                        tuple.destination, 0, SessionKeys.FLAG_PASS | (toNatAddress ? SessionKeys.FLAG_HAIRPIN : 0),
                        nowNs);
                }
                if (toNatAddress) {
                    // RFC 4787 REQ-9: to one of our public addresses, so back in through out2in (which
                    // translates or drops it and counts that); it is not passed unchanged.
                    context.countEvent(NatEvents.HAIRPINNED);
                    return outToIn(batch, slot, tables, context, true);
                }
                context.countEvent(NatEvents.PASSED_UNTRANSLATED);
                return FORWARD;
            }
            if (entry < 0) {
                return refuse(batch, slot, buffer, l3, NatSessions.reasonOf(entry), tables, context);
            }
            if (scratch.created) {
                context.countEvent(NatEvents.SESSIONS_CREATED);
                createdNow = true;
            }
            found = scratch.values;
        }
        long rewrite0 = found[SessionKeys.WORD_REWRITE0];
        long rewrite1 = found[SessionKeys.WORD_REWRITE1];
        long link = found[SessionKeys.WORD_LINK];
        int originalSource = tuple.source;
        if (traced) {
            noteSession(createdNow, tables, false, tuple.source, tuple.sourcePort, rewrite0, rewrite1);
        }
        NatSettings settings = tables.settings();
        int state = translate(batch, slot, l3, l4, entry, rewrite0, rewrite1, link, true, settings, context);
        if (state == REWRITE_OUT_OF_BOUNDS) {
            return rewriteOutOfBounds();
        }
        long timeoutNs = NatSessions.timeoutNs(tuple.protocol, state, settings);
        if (sessions.refresh(entry, link, nowNs, timeoutNs, scratch)) {
            sessions.extendPermit(tuple.protocol, key[1], rewrite0, rewrite1, nowNs, timeoutNs, settings, scratch);
        }
        if ((fragmentWord & Ipv4Flyweight.FLAG_MORE_FRAGMENTS) != 0) {
            rememberFirstFragment(tuple.protocol, vrf, Ipv4Flyweight.identification(buffer, l3), originalSource,
                tuple.destination, rewrite0, rewrite1, nowNs);
        }
        if ((rewrite1 & SessionKeys.FLAG_HAIRPIN) != 0) {
            // RFC 4787 REQ-9 / RFC 5382 REQ-8: the packet, now from our public address, goes back in.
            context.countEvent(NatEvents.HAIRPINNED);
            return outToIn(batch, slot, tables, context, true);
        }
        return FORWARD;
    }

    /** Outside to VPC: destination NAT by session, mapping (filtering permitting) or forward rule. */
    int outToIn(PacketBatch batch, int slot, NatTables tables, StageContext context, boolean hairpin) {
        UnsafeBuffer buffer = batch.buffer();
        int l3 = batch.l3Offset[slot];
        long nowNs = context.nowNs();
        int publicVrf = tables.publicVrf();
        int parsed = readHeaders(batch, slot, tables, false, publicVrf, nowNs, context);
        if (parsed != PARSED) {
            return parsed;
        }
        int l4 = parsedL4;
        int fragmentWord = parsedFragmentWord;
        long[] found = values;
        key[0] = SessionKeys.word0(SessionKeys.TAG_OUTSIDE, tuple.protocol, publicVrf, tuple.sourcePort,
            tuple.destinationPort);
        key[1] = SessionKeys.word1(tuple.source, tuple.destination);
        int entry = lookupSession(slot, tuple.protocol, nowNs);
        boolean createdNow = false;
        if (entry < 0) {
            if (tuple.protocol == Ipv4Flyweight.PROTOCOL_ICMP && tuple.icmpReply
                && tables.external(tuple.destination) != null) {
                return NatDropReason.ICMP_QUERY_NO_SESSION.ordinal();
            }
            entry = sessions.createInbound(tables, tuple.protocol, tuple.source, tuple.sourcePort, tuple.destination,
                tuple.destinationPort, tuple.tcpFlags, nowNs, scratch);
            if (entry == NatSessions.PASS) {
                if (traced) {
                    note(NatTraceDecision.decision(NatTraceDecision.PASSED, true, NatTraceDecision.PASS_NOT_NAT_ADDRESS,
                        0, 0), 0);
                }
                context.countEvent(NatEvents.PASSED_UNTRANSLATED);
                return FORWARD;
            }
            if (entry == NatSessions.PASS_NO_RULE) {
                return isOpeningSyn(tuple.protocol, tuple.tcpFlags) ? holdUnsolicitedSyn(buffer, l3, hairpin, context)
                    : NatDropReason.NO_MAPPING.ordinal();
            }
            if (entry < 0) {
                NatDropReason reason = NatSessions.reasonOf(entry);
                if (reason == NatDropReason.FILTERED && isOpeningSyn(tuple.protocol, tuple.tcpFlags)) {
                    return holdUnsolicitedSyn(buffer, l3, hairpin, context);
                }
                return refuse(batch, slot, buffer, l3, reason, tables, context);
            }
            if (scratch.created) {
                context.countEvent(NatEvents.SESSIONS_CREATED);
                createdNow = true;
            }
            found = scratch.values;
        }
        long rewrite0 = found[SessionKeys.WORD_REWRITE0];
        long rewrite1 = found[SessionKeys.WORD_REWRITE1];
        long link = found[SessionKeys.WORD_LINK];
        int originalDestination = tuple.destination;
        if (traced) {
            noteSession(createdNow, tables, true, tuple.destination, tuple.destinationPort, rewrite0, rewrite1);
        }
        NatSettings settings = tables.settings();
        int state = translate(batch, slot, l3, l4, entry, rewrite0, rewrite1, link, false, settings, context);
        if (state == REWRITE_OUT_OF_BOUNDS) {
            return rewriteOutOfBounds();
        }
        if (settings.inboundRefresh() || hairpin) {
            sessions.refresh(entry, link, nowNs, NatSessions.timeoutNs(tuple.protocol, state, settings), scratch);
        }
        if ((fragmentWord & Ipv4Flyweight.FLAG_MORE_FRAGMENTS) != 0) {
            rememberFirstFragment(tuple.protocol, publicVrf, Ipv4Flyweight.identification(buffer, l3),
                tuple.source, originalDestination, rewrite0, rewrite1, nowNs);
        }
        return FORWARD;
    }

    /**
     * The checks both directions start with: a sane IPv4 header, later fragments (translated by
     * their first fragment's rewrite), ICMP errors (translated by their quoted packet's session),
     * then the flow tuple and, for TCP, a whole TCP header.
     *
     * @return {@link #PARSED} with {@link #tuple}, {@link #parsedL4} and {@link #parsedFragmentWord}
     *     set for the session path, otherwise the packet's final result ({@link #FORWARD} or a drop)
     */
    private int readHeaders(PacketBatch batch, int slot, NatTables tables, boolean outbound, int vrf, long nowNs,
                            StageContext context) {
        UnsafeBuffer buffer = batch.buffer();
        int l3 = batch.l3Offset[slot];
        int end = batch.offset[slot] + batch.length[slot];
        if (l3 < batch.offset[slot] || l3 >= end) {
            return NatDropReason.BAD_IPV4_HEADER.ordinal();
        }
        int headerLength = Ipv4Flyweight.validate(buffer, l3, end - l3);
        if (headerLength < 0) {
            return NatDropReason.BAD_IPV4_HEADER.ordinal();
        }
        int ipEnd = l3 + Ipv4Flyweight.totalLength(buffer, l3);
        int fragmentWord = Ipv4Flyweight.flagsAndFragmentOffset(buffer, l3);
        if ((fragmentWord & Ipv4Flyweight.FRAGMENT_OFFSET_MASK) != 0) {
            if (!outbound && tables.external(Ipv4Flyweight.destination(buffer, l3)) == null) {
                // Inbound to an address the NAT does not own: its first fragment passes untranslated
                // (NatSessions.createInbound), and so does the rest of the datagram; never held.
                if (traced) {
                    note(NatTraceDecision.decision(NatTraceDecision.PASSED, true, NatTraceDecision.PASS_NOT_NAT_ADDRESS,
                        0, 0), 0);
                }
                context.countEvent(NatEvents.PASSED_UNTRANSLATED);
                return FORWARD;
            }
            return laterFragment(batch, slot, buffer, l3, vrf, tables.publicVrf(), nowNs, context, true);
        }
        int l4 = l3 + headerLength;
        int read = tuple.read(buffer, l3, l4, ipEnd - l4);
        if (read != FlowTuple.OK) {
            if (read == FlowTuple.ICMP_ERROR) {
                return icmpError(batch, slot, buffer, l3, l4, ipEnd, tables, outbound, vrf, nowNs, context, false);
            }
            return readFailure(read);
        }
        if (tuple.protocol == Ipv4Flyweight.PROTOCOL_TCP && TcpFlyweight.validate(buffer, l4, ipEnd - l4) < 0) {
            return NatDropReason.TRUNCATED_L4.ordinal();
        }
        parsedL4 = l4;
        parsedFragmentWord = fragmentWord;
        return PARSED;
    }

    /**
     * RFC 5382 REQ-4: an unsolicited inbound SYN (no mapping, or one filtering refuses) is not
     * answered for 6 s. The frame is dropped now (counted as {@code unsolicited-syn}) and a
     * record of it held; {@link #settleHeldSyns} decides at the end of the hold. A full table
     * falls back to a plain drop ({@code unsolicited-syn-not-held}). A hairpinned SYN (from one
     * of our VPCs) is only dropped: its sender is no stranger to warn.
     */
    private int holdUnsolicitedSyn(UnsafeBuffer buffer, int l3, boolean hairpin, StageContext context) {
        if (hairpin) {
            return NatDropReason.UNSOLICITED_SYN.ordinal();
        }
        if (!heldSyns.hold(buffer, l3, context.nowNs())) {
            return NatDropReason.UNSOLICITED_SYN_NOT_HELD.ordinal();
        }
        context.countEvent(NatEvents.SYNS_HELD);
        return NatDropReason.UNSOLICITED_SYN.ordinal();
    }

    /**
     * Settles the held SYNs whose 6 s are over (at most {@link #HELD_SYN_RELEASES_PER_BATCH}):
     * RFC 5382 REQ-4 — if an outbound SYN for the connection was translated meanwhile (its session
     * now holds the held SYN's 5-tuple as outside key, whichever worker created it), the held SYN
     * is discarded silently; otherwise the NAT answers ICMP port unreachable (type 3, code 3) as a
     * new packet appended to the batch and forwarded, or, when the settings forbid answering
     * (REQ-4a), the ICMP rate limit is spent, the batch is full or no frame is free, forgets it.
     * Every outcome is counted.
     */
    void settleHeldSyns(PacketBatch batch, NatTables tables, StageContext context) {
        long nowNs = context.nowNs();
        UnsafeBuffer quotes = heldSyns.quotes();
        for (int n = 0; n < HELD_SYN_RELEASES_PER_BATCH && heldSyns.oldestExpired(nowNs); n++) {
            int quote = heldSyns.oldestQuoteOffset();
            int quoteL4 = quote + Ipv4Flyweight.headerLength(quotes, quote);
            int remote = Ipv4Flyweight.source(quotes, quote);
            int external = Ipv4Flyweight.destination(quotes, quote);
            int remotePort = TcpFlyweight.sourcePort(quotes, quoteL4);
            int externalPort = TcpFlyweight.destinationPort(quotes, quoteL4);
            key[0] = SessionKeys.word0(SessionKeys.TAG_OUTSIDE, Ipv4Flyweight.PROTOCOL_TCP, tables.publicVrf(),
                remotePort, externalPort);
            key[1] = SessionKeys.word1(remote, external);
            if (sessions.lookup(key, nowNs, values) >= 0) {
                context.countEvent(NatEvents.HELD_SYNS_DISCARDED);
            } else if (answerHeldSyn(batch, tables, context, quotes, quote, external, remotePort)) {
                context.countEvent(NatEvents.HELD_SYNS_ANSWERED);
                context.countEvent(NatEvents.ICMP_UNREACHABLE_SENT);
            } else {
                context.countEvent(NatEvents.HELD_SYNS_DROPPED);
            }
            heldSyns.removeOldest();
        }
    }

    /** Builds the port unreachable for the held SYN at {@code quote} in a new frame and forwards it. */
    private boolean answerHeldSyn(PacketBatch batch, NatTables tables, StageContext context, UnsafeBuffer quotes,
                                  int quote, int external, int remotePort) {
        NatSettings settings = tables.settings();
        if (!settings.unsolicitedSynPortUnreachable() || batch.size() >= batch.capacity()
            || !takeIcmpToken(context.nowNs(), settings.icmpErrorsPerSecond())) {
            return false;
        }
        FramePool pool = context.pool();
        int frame = pool.allocate();
        if (frame < 0) {
            return false;
        }
        FrameMemory memory = pool.memory();
        int start = memory.packetStart(frame);
        UnsafeBuffer buffer = batch.buffer();
        buffer.putBytes(start, quotes, quote, heldSyns.oldestQuoteLength());
        // The error comes from the public address the SYN was sent to.
        int total = unreachable.write(buffer, start, memory.frameEnd(frame), external,
            IcmpFlyweight.V4_CODE_PORT_UNREACHABLE);
        if (total < 0) {
            pool.release(frame);
            return false;
        }
        int slot = batch.add(frame, start, total, 0);
        batch.l3Offset[slot] = start;
        batch.l4Offset[slot] = start + Ipv4Flyweight.MIN_HEADER_LENGTH;
        batch.vrf[slot] = tables.publicVrf();
        batch.flags[slot] = PacketFlags.FROM_OUTSIDE | PacketFlags.LOCALLY_GENERATED;
        batch.flowHash[slot] = Ipv4Flyweight.destination(buffer, start) * 31 + remotePort;
        context.forward(0, slot);
        return true;
    }

    private void note(long decision, long detail) {
        traceDecision = decision;
        traceDetail = detail;
    }

    /** Notes a session hit or creation for a traced packet: the translated side before and after. */
    private void noteSession(boolean createdNow, NatTables tables, boolean destination, int oldAddress, int oldPort,
                             long rewrite0, long rewrite1) {
        long decision;
        if (!createdNow) {
            decision = NatTraceDecision.decision(NatTraceDecision.SESSION_HIT, destination,
                SessionKeys.tcpState(rewrite1), oldPort, Rewrite.newPort(rewrite0));
        } else if (scratch.rule == null) {
            decision = NatTraceDecision.decision(NatTraceDecision.SESSION_CREATED_ON_MAPPING, destination, 0, oldPort,
                Rewrite.newPort(rewrite0));
        } else {
            decision = NatTraceDecision.decision(NatTraceDecision.SESSION_CREATED, destination,
                tables.ruleId(scratch.rule), oldPort, Rewrite.newPort(rewrite0));
        }
        note(decision, NatTraceDecision.detail(oldAddress, Rewrite.newAddress(rewrite0)));
    }

    private static boolean isOpeningSyn(int protocol, int tcpFlags) {
        return protocol == Ipv4Flyweight.PROTOCOL_TCP
            && (tcpFlags & (TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK)) == TcpFlyweight.FLAG_SYN;
    }

    private static int readFailure(int read) {
        switch (read) {
            case FlowTuple.TRUNCATED:
                return NatDropReason.TRUNCATED_L4.ordinal();
            case FlowTuple.UNSUPPORTED_ICMP:
                return NatDropReason.UNSUPPORTED_ICMP.ordinal();
            default:
                return NatDropReason.UNSUPPORTED_PROTOCOL.ordinal();
        }
    }

    private void clampMss(UnsafeBuffer buffer, int l4, NatSettings settings, StageContext context) {
        if (settings.tcpMssClamp() > 0 && (tuple.tcpFlags & TcpFlyweight.FLAG_SYN) != 0
            && MssClamp.clamp(buffer, l4, settings.tcpMssClamp())) {
            context.countEvent(NatEvents.MSS_CLAMPED);
        }
    }

    /**
     * A non-first fragment carries no ports: it follows the rewrite its first fragment left. One
     * that comes before that record exists is held ({@link HeldFragments}) when {@code mayHold}.
     *
     * @param mayHold false for the hairpin's second translation: the packet is half translated
     *     already, and its first fragment left both records at once, so holding could not help
     */
    private int laterFragment(PacketBatch batch, int slot, UnsafeBuffer buffer, int l3, int vrf, int publicVrf,
                              long nowNs, StageContext context, boolean mayHold) {
        int protocol = Ipv4Flyweight.protocol(buffer, l3);
        int identification = Ipv4Flyweight.identification(buffer, l3);
        int source = Ipv4Flyweight.source(buffer, l3);
        int destination = Ipv4Flyweight.destination(buffer, l3);
        if (!sessions.findFragment(protocol, vrf, identification, source, destination, nowNs, scratch, values)) {
            if (!mayHold) {
                return NatDropReason.FRAGMENT_WITHOUT_FIRST.ordinal();
            }
            // RFC 4787 REQ-14 ("Received Fragment Out of Order"): the first fragment, which carries
            // the ports and so finds or creates the session (or passes untranslated), may still
            // come; until then the fragment waits, bounded in number, bytes and time, and is never
            // forwarded untranslated unless its first fragment was.
            if (!heldFragments.hold(batch, slot, NatSessions.fragmentKey0(protocol, vrf, identification),
                NatSessions.fragmentKey1(source, destination), nowNs)) {
                return NatDropReason.FRAGMENT_HOLD_FULL.ordinal();
            }
            return NatDropReason.FRAGMENT_HELD.ordinal();
        }
        return followFragment(batch, slot, buffer, l3, protocol, vrf, publicVrf, values[0], values[1], nowNs, context);
    }

    /**
     * Translates the later fragment in {@code slot} by its first fragment's rewrite ({@code rewrite0},
     * {@code rewrite1}), or passes it untranslated, in the VRF it came in, when its first fragment
     * passed ({@link SessionKeys#FLAG_PASS}); either way hairpinned when its first fragment was.
     */
    private int followFragment(PacketBatch batch, int slot, UnsafeBuffer buffer, int l3, int protocol, int vrf,
                               int publicVrf, long rewrite0, long rewrite1, long nowNs, StageContext context) {
        boolean passed = (rewrite1 & SessionKeys.FLAG_PASS) != 0;
        if (passed) {
            if (traced) {
                note(NatTraceDecision.decision(NatTraceDecision.PASSED, false,
                    NatTraceDecision.PASS_FIRST_FRAGMENT_PASSED, 0, 0), 0);
            }
        } else {
            if (traced) {
                boolean destination = Rewrite.isDestination(rewrite1);
                note(NatTraceDecision.decision(NatTraceDecision.FRAGMENT_FOLLOWED, destination, 0, 0, 0),
                    NatTraceDecision.detail(destination ? Ipv4Flyweight.destination(buffer, l3)
                        : Ipv4Flyweight.source(buffer, l3), Rewrite.newAddress(rewrite0)));
            }
            if (!Rewrite.apply(buffer, l3, -1, protocol, rewrite0, rewrite1)) {
                return rewriteOutOfBounds();
            }
            batch.vrf[slot] = Rewrite.targetVrf(rewrite1);
        }
        if ((rewrite1 & SessionKeys.FLAG_HAIRPIN) != 0 && vrf != publicVrf) {
            // RFC 4787 REQ-9: as its first fragment did, the fragment (now from our public
            // address, or untranslated when its first passed) goes back in, through the rewrite
            // out2in left for the first fragment.
            context.countEvent(NatEvents.HAIRPINNED);
            return laterFragment(batch, slot, buffer, l3, publicVrf, publicVrf, nowNs, context, false);
        }
        context.countEvent(passed ? NatEvents.PASSED_UNTRANSLATED : NatEvents.FRAGMENTS_TRANSLATED);
        return FORWARD;
    }

    /**
     * The end of every batch for the held later fragments: looks for the first-fragment records
     * of at most {@link HeldFragments#LOOKUPS_PER_BATCH} of them, round-robin (one batch lookup: a
     * flood of orphans costs a batch no more), and releases each held fragment whose first
     * fragment's rewrite is known, by that lookup or because this stage translated the first
     * fragment in this batch: a new slot at the end of this batch (a worker leaves
     * {@link PacketBatch#stageSlots()} free for such packets), translated with that rewrite like
     * any later fragment ({@code fragments-released}, {@code fragments-translated}) and forwarded.
     * The release needs a free slot in the batch and a free frame; without, the fragment waits
     * for the next batch, within its hold. Then drops those whose hold is over (counted
     * {@code fragment-hold-expired}, or {@code fragment-release-no-room} when their first fragment
     * had come but no batch slot or frame was free since). Nothing is held when {@code tables}
     * is null, but holds still expire.
     */
    void settleHeldFragments(PacketBatch batch, NatTables tables, StageContext context) {
        if (heldFragments.oldest() < 0) {
            return;
        }
        long nowNs = context.nowNs();
        if (tables != null) {
            releaseHeldFragments(batch, tables, context, nowNs);
        }
        // After the releases: a fragment whose first fragment came in this very batch, just before
        // its hold ends, leaves now rather than being counted as expired or as refused room.
        while (heldFragments.oldestExpired(nowNs)) {
            context.countDrop(heldFragments.oldestFound() ? NatDropReason.FRAGMENT_RELEASE_NO_ROOM
                : NatDropReason.FRAGMENT_HOLD_EXPIRED);
            heldFragments.removeOldest();
        }
    }

    /** {@link #settleHeldFragments}' releases: every held fragment whose first fragment's record is known, while the batch has room. */
    private void releaseHeldFragments(PacketBatch batch, NatTables tables, StageContext context, long nowNs) {
        if (!heldFragments.resolve(sessions, nowNs)) {
            return;
        }
        traced = false; // a released fragment is a new packet, never one the trace matched
        UnsafeBuffer buffer = batch.buffer();
        int publicVrf = tables.publicVrf();
        for (int record = heldFragments.firstFound(); record >= 0; record = heldFragments.firstFound()) {
            int slot = heldFragments.reinject(record, batch, context.pool());
            if (slot < 0) {
                return; // no room in this batch: the next one tries again
            }
            long rewrite0 = heldFragments.rewrite0(record);
            long rewrite1 = heldFragments.rewrite1(record);
            int vrf = heldFragments.keyVrf(record);
            heldFragments.remove(record);
            context.countEvent(NatEvents.FRAGMENTS_RELEASED);
            int l3 = batch.l3Offset[slot];
            int result = followFragment(batch, slot, buffer, l3, Ipv4Flyweight.protocol(buffer, l3), vrf,
                publicVrf, rewrite0, rewrite1, nowNs, context);
            if (result == FORWARD) {
                context.forward(0, slot);
            } else {
                context.drop(slot, NatDropReason.of(result));
            }
        }
    }

    /** Later fragments this stage holds now (for tests). */
    int heldFragmentCount() {
        return heldFragments.size();
    }

    /** First-fragment records this stage has looked up for its held fragments since start (for tests). */
    long heldFragmentLookups() {
        return heldFragments.lookups();
    }

    /**
     * Leaves the first fragment's record ({@link NatSessions#rememberFragment}) for the later
     * fragments of its datagram, and gives its rewrite at once to those this stage holds already.
     */
    private void rememberFirstFragment(int protocol, int vrf, int identification, int source, int destination,
                                       long rewrite0, long rewrite1, long nowNs) {
        sessions.rememberFragment(protocol, vrf, identification, source, destination, rewrite0, rewrite1, nowNs,
            scratch);
        heldFragments.firstFragmentTranslated(NatSessions.fragmentKey0(protocol, vrf, identification),
            NatSessions.fragmentKey1(source, destination), rewrite0, rewrite1);
    }

    /**
     * RFC 5508 (ICMP error payload translation): an ICMP error is translated by the session of the packet it quotes
     * (looked up as the reverse of that packet), never creates or refreshes one, and never deletes
     * one (RFC 5382 REQ-10: ICMP never terminates a mapping); without a session it is dropped.
     * An error from a VPC about a hairpinned packet is hairpinned too (RFC 5508 REQ-7, RFC 7857
     * §12): like the data it quotes, it goes back in through the out2in translation. An error
     * about to be translated whose ICMP or embedded IPv4 header checksum is wrong is dropped
     * (RFC 5508 REQ-3).
     *
     * @param verified the checksums were verified (and rewritten) already: the hairpin's second
     *     translation
     */
    private int icmpError(PacketBatch batch, int slot, UnsafeBuffer buffer, int l3, int l4, int ipEnd,
                          NatTables tables, boolean outbound, int vrf, long nowNs, StageContext context,
                          boolean verified) {
        int e3 = l4 + IcmpFlyweight.HEADER_LENGTH;
        if (e3 + Ipv4Flyweight.MIN_HEADER_LENGTH > ipEnd || Ipv4Flyweight.version(buffer, e3) != 4) {
            return NatDropReason.TRUNCATED_L4.ordinal();
        }
        int embeddedHeaderLength = Ipv4Flyweight.headerLength(buffer, e3);
        // A quoted later fragment carries no transport header at all, whatever follows its IP header.
        if (Ipv4Flyweight.fragmentOffsetBytes(buffer, e3) != 0) {
            return NatDropReason.ICMP_ERROR_QUOTES_LATER_FRAGMENT.ordinal();
        }
        if (embeddedHeaderLength < Ipv4Flyweight.MIN_HEADER_LENGTH || e3 + embeddedHeaderLength + 8 > ipEnd) {
            return NatDropReason.TRUNCATED_L4.ordinal();
        }
        int e4 = e3 + embeddedHeaderLength;
        int read = embedded.readEmbedded(buffer, e3, e4, ipEnd - e4);
        if (read != FlowTuple.OK) {
            return readFailure(read);
        }
        // The quoted packet went the other way: its reverse is what this direction's session key holds.
        embedded.reverse();
        key[0] = SessionKeys.word0(outbound ? SessionKeys.TAG_INSIDE : SessionKeys.TAG_OUTSIDE, embedded.protocol,
            vrf, embedded.sourcePort, embedded.destinationPort);
        key[1] = SessionKeys.word1(embedded.source, embedded.destination);
        if (sessions.lookup(key, nowNs, values) < 0) {
            return NatDropReason.ICMP_ERROR_NO_SESSION.ordinal();
        }
        // RFC 5508 REQ-3: checked once a session would translate the error (so every other drop
        // is counted as before); the rewrite recomputes both checksums, which would hide corruption.
        if (!verified && !IcmpErrorRewriter.checksumsValid(buffer, l4, ipEnd, e3)) {
            return NatDropReason.ICMP_ERROR_BAD_CHECKSUM.ordinal();
        }
        long rewrite0 = values[SessionKeys.WORD_REWRITE0];
        long rewrite1 = values[SessionKeys.WORD_REWRITE1];
        if (traced) {
            // The session's translated side, as the quoted packet's reverse (this direction's key) holds it.
            note(NatTraceDecision.decision(NatTraceDecision.ICMP_ERROR_TRANSLATED, !outbound, 0,
                    outbound ? embedded.sourcePort : embedded.destinationPort, Rewrite.newPort(rewrite0)),
                NatTraceDecision.detail(outbound ? embedded.source : embedded.destination, Rewrite.newAddress(rewrite0)));
        }
        IcmpErrorRewriter.rewrite(buffer, l3, l4, ipEnd, e3, e4, !outbound, Rewrite.newAddress(rewrite0),
            Rewrite.newPort(rewrite0), (rewrite1 & Rewrite.FLAG_KEEP_PORT) != 0, (int) rewrite0 & 0xFFFF);
        batch.vrf[slot] = Rewrite.targetVrf(rewrite1);
        if (outbound && (rewrite1 & SessionKeys.FLAG_HAIRPIN) != 0) {
            // RFC 5508 REQ-7 / RFC 7857 §12: the quoted packet was hairpinned, so its error is too:
            // now in its public form (from, and quoting, our public addresses) it goes back in,
            // where the hairpin's other session translates the embedded address back to the
            // original endpoint and makes that the outer destination, in the endpoint's VPC.
            context.countEvent(NatEvents.HAIRPINNED);
            return icmpError(batch, slot, buffer, l3, l4, ipEnd, tables, false, tables.publicVrf(), nowNs, context,
                true);
        }
        context.countEvent(NatEvents.ICMP_ERRORS_TRANSLATED);
        return FORWARD;
    }

    /**
     * No session could be created for lack of resources: DESIGN §8 — answer with
     * ICMP destination unreachable code 13 (rate-limited per worker), otherwise drop and count.
     */
    private int refuse(PacketBatch batch, int slot, UnsafeBuffer buffer, int l3, NatDropReason reason,
                       NatTables tables, StageContext context) {
        if (!reason.isResourceRefusal()) {
            return reason.ordinal();
        }
        if (!takeIcmpToken(context.nowNs(), tables.settings().icmpErrorsPerSecond())) {
            return reason.ordinal();
        }
        // The error comes from the address the sender tried to reach (the NAT answers for it).
        int newTotal = unreachable.write(buffer, l3, batch.frameEnd(slot), Ipv4Flyweight.destination(buffer, l3),
            IcmpFlyweight.V4_CODE_ADMIN_PROHIBITED);
        if (newTotal < 0) {
            return reason.ordinal();
        }
        batch.length[slot] = l3 - batch.offset[slot] + newTotal;
        batch.flags[slot] |= PacketFlags.LOCALLY_GENERATED;
        if (traced) {
            note(NatTraceDecision.decision(NatTraceDecision.REFUSED_ANSWERED, false, reason.ordinal(), 0, 0), 0);
        }
        context.countEvent(NatEvents.REFUSED_WITH_ICMP);
        context.countEvent(NatEvents.refusedWithIcmp(reason));
        context.countEvent(NatEvents.ICMP_UNREACHABLE_SENT);
        return FORWARD;
    }

    private boolean takeIcmpToken(long nowNs, int perSecond) {
        if (perSecond <= 0) {
            return false;
        }
        long elapsedNs = nowNs - icmpRefillNs;
        if (elapsedNs < 0 || elapsedNs >= 1_000_000_000L) {
            icmpTokens = perSecond;
            icmpRefillNs = nowNs;
        }
        if (icmpTokens <= 0) {
            return false;
        }
        icmpTokens--;
        return true;
    }
}
