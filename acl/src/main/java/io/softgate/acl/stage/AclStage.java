package io.softgate.acl.stage;

import io.softgate.acl.classify.AclTables;
import io.softgate.acl.classify.ClassifyBatch;
import io.softgate.acl.classify.CompiledRules;
import io.softgate.acl.classify.VrfClassifier;
import io.softgate.core.flow.FlowTable;
import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.Ipv6Flyweight;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The stateful ACL: a packet that is return traffic of a flow a rule permitted (with
 * {@code established} or {@code reverse}) passes through the shared flow table without being
 * classified; any other packet is classified by its VPC's compiled rules (first match, else the
 * default policy). A permitted flow whose rule grants return traffic leaves a return entry
 * keyed by (VRF, reverse 5-tuple). Entries carry the rule generation that made them: after a
 * rule change the forward direction is re-classified on the next return packet, and a flow the
 * new rules deny is cut.
 *
 * <p>Packets that need classification are classified a batch at a time
 * ({@link VrfClassifier#classify(ClassifyBatch)}, breadth-first, so their cache misses overlap):
 * a first pass parses each packet and answers from the flow table both return traffic and the
 * forward packets of flows already permitted under the current rules (their return entry records
 * the verdict, so an established flow costs flow-table lookups, not a classification; both keys of
 * every packet are looked up in one batch beforehand, {@link FlowStateBatchLookup}); the rest are
 * queued, classified together, and finished in their order. If finishing an earlier packet made
 * or changed a return entry, a later queued packet looks the flow table up again first, so the
 * verdicts are those of packet-by-packet processing.
 *
 * <p>Threading: one instance per worker, run only by that worker's thread; the flow table is
 * shared lock-free with the other workers. No allocation after warm-up (except when a new rule
 * generation is adopted, once per configuration change).
 */
final class AclStage implements Stage {
    static final int EVENT_RETURN_PASSED = 0;
    static final int EVENT_FLOW_CREATED = 1;
    static final int EVENT_FLOW_INSERT_FAILED = 2;
    static final int EVENT_FLOW_RECHECKED = 3;
    static final int EVENT_UNFILTERED = 4;
    static final int EVENT_RELATED_PASSED = 5;
    private static final List<String> EVENTS = List.of("return-passed", "flows-created", "flow-insert-failed",
        "flows-rechecked", "unfiltered", "related-icmp-passed");
    private static final DropReason[] DROP_REASONS = AclDropReason.values();

    /** Grant kinds stored in a return entry. */
    static final int GRANT_NONE = 0;
    static final int GRANT_ANY = 1;
    static final int GRANT_TCP_ESTABLISHED = 2;

    private static final int PROTOCOL_ICMP = Ipv4Flyweight.PROTOCOL_ICMP;
    private static final int PROTOCOL_ICMPV6 = Ipv4Flyweight.PROTOCOL_ICMPV6;
    private static final int PROTOCOL_TCP = Ipv4Flyweight.PROTOCOL_TCP;
    private static final int PROTOCOL_UDP = Ipv4Flyweight.PROTOCOL_UDP;
    private static final int ICMP_HEADER_LENGTH = 8;
    private static final int UDP_HEADER_LENGTH = 8;
    private static final long VRF_MASK = (1L << 23) - 1;
    /**
     * Marks the "destination port" of an ICMP query's flow key, which holds the message type
     * (below the mark) while the "source port" holds the identifier: never 0, so no query key
     * equals the (0, 0) ports of other ICMP messages.
     */
    private static final int ICMP_QUERY_KEY_MARK = 0x100;
    /** Packets classified together at most (a larger worker batch is classified in parts). */
    static final int CLASSIFY_BATCH = 256;
    /**
     * A return entry's expiry is rewritten only when it lags the wanted one by more than
     * timeout >> this (1/64 of the idle timeout): an established flow does not write its shared
     * entry on every packet, and its effective idle timeout stays within 1.6 % of the nominal one.
     */
    static final int REFRESH_SLACK_SHIFT = 6;

    private final String name;
    private final List<String> nextStages;
    private final FlowTable flows;
    private final AclFlowTimeouts timeouts;
    private final AclRuleCounters.WorkerArray ruleCounters;
    private final long[] key = new long[AclRuntime.KEY_WORDS];
    private final long[] value = new long[AclRuntime.VALUE_WORDS];
    private final long[] reversedKey = new long[AclRuntime.KEY_WORDS];
    private final FlowStateBatchLookup lookups;
    /** What the counter touch pass read (kept only so its reads stay). */
    @SuppressWarnings("unused")
    private long touched;
    private AclTables adopted;

    // The packet being processed, parsed once (fields, not objects: nothing is allocated).
    private boolean ipv6;
    private long srcHigh;
    private long srcLow;
    private long dstHigh;
    private long dstLow;
    private int protocol;
    private int srcPort;
    private int dstPort;
    private int icmpType;
    private int tcpFlags;
    private boolean nonFirstFragment;
    private int ipBytes;
    /** Absolute offset of the packet an ICMP error quotes, or -1; and the bytes available from it. */
    private int quotedOffset;
    private int quotedAvailable;
    private UnsafeBuffer currentBuffer;

    // Packets queued for batch classification, and what the stage needs to finish each.
    private final ClassifyBatch queue = new ClassifyBatch(CLASSIFY_BATCH);
    private VrfClassifier queueClassifier;
    private final int[] queuedSlot = new int[CLASSIFY_BATCH];
    private final int[] queuedTcpFlags = new int[CLASSIFY_BATCH];
    private final int[] queuedIpBytes = new int[CLASSIFY_BATCH];
    private final int[] queuedQuotedOffset = new int[CLASSIFY_BATCH];
    private final int[] queuedQuotedAvailable = new int[CLASSIFY_BATCH];
    /** True once a packet of this batch made or changed a return entry (later packets look again). */
    private boolean flowStateChanged;

    AclStage(String name, String nextStage, AclRuntime runtime, AclRuleCounters.WorkerArray ruleCounters) {
        this.name = name;
        this.nextStages = List.of(nextStage);
        this.flows = runtime.flows();
        this.timeouts = runtime.timeouts();
        this.lookups = new FlowStateBatchLookup(flows);
        this.ruleCounters = ruleCounters;
        // Egress: the packets come from the VPC; ingress: they go to it (AclStageFactory).
        queue.vpcAddresses(AclStageFactory.EGRESS.equals(name) ? ClassifyBatch.SOURCE
            : AclStageFactory.INGRESS.equals(name) ? ClassifyBatch.DESTINATION : ClassifyBatch.EITHER);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> nextStages() {
        return nextStages;
    }

    @Override
    public DropReason[] dropReasons() {
        return DROP_REASONS;
    }

    @Override
    public List<String> eventCounters() {
        return EVENTS;
    }

    @Override
    public void process(PacketBatch batch, StageVector input, StageContext context) {
        AclTables tables = context.snapshot() == null ? null : context.snapshot().get(AclTables.SLOT);
        if (tables != null && tables != adopted) {
            adopted = tables;
            ruleCounters.adopt(tables);
        }
        long nowNs = context.nowNs();
        flowStateChanged = false;
        lookUpFlowState(batch, input, tables, nowNs);
        for (int i = 0; i < input.size(); i++) {
            int slot = input.slot(i);
            VrfClassifier classifier = tables == null ? null : tables.classifier(batch.vrf[slot]);
            if (classifier == null) {
                context.countEvent(EVENT_UNFILTERED);
                context.forward(0, slot);
                continue;
            }
            if (classifier != queueClassifier || queue.isFull()) {
                classifyQueued(batch, tables, nowNs, context);
                queueClassifier = classifier;
            }
            DropReason bad = parse(batch, slot);
            if (bad != null) {
                context.drop(slot, bad);
                continue;
            }
            if (!passedByFlowState(batch.vrf[slot], slot, tables, classifier, nowNs, context)) {
                enqueue(slot);
            }
        }
        classifyQueued(batch, tables, nowNs, context);
        queueClassifier = null;
    }

    /**
     * Looks up, for the whole batch at once, the two flow-table keys each packet's first pass
     * needs (its own tuple and its reversed tuple), so their cache misses overlap.
     */
    private void lookUpFlowState(PacketBatch batch, StageVector input, AclTables tables, long nowNs) {
        lookups.begin(batch.capacity());
        if (tables == null) {
            return;
        }
        for (int i = 0; i < input.size(); i++) {
            int slot = input.slot(i);
            int vrf = batch.vrf[slot];
            if (tables.classifier(vrf) == null || parse(batch, slot) != null || nonFirstFragment) {
                lookups.skip(slot);
                continue;
            }
            fillKey(vrf, true);
            System.arraycopy(key, 0, reversedKey, 0, AclRuntime.KEY_WORDS);
            fillKey(vrf, false);
            lookups.add(slot, key, reversedKey);
        }
        lookups.lookUp(nowNs);
        touched = lookups.touchCounters(ruleCounters);
    }

    /**
     * Return traffic of a permitted flow, or an ICMP error about one, passes without
     * classification: true when the packet was forwarded or dropped here.
     */
    private boolean passedByFlowState(int vrf, int slot, AclTables tables, VrfClassifier classifier, long nowNs,
                                      StageContext context) {
        if (nonFirstFragment) {
            return false;
        }
        fillKey(vrf, false);
        int entry = lookups.lookupInto(slot, key, nowNs, value);
        if (entry >= 0 && returnEntryAdmits((int) value[1] & 0xFF)) {
            passReturnTraffic(entry, slot, tables, classifier, nowNs, context);
            return true;
        }
        if (quotedOffset >= 0 && relatedToPermittedFlow(vrf, tables, nowNs)) {
            ruleCounters.count((int) (value[1] >>> 32), ipBytes);
            context.countEvent(EVENT_RELATED_PASSED);
            context.forward(0, slot);
            return true;
        }
        return passedAsKnownForwardFlow(vrf, slot, tables, nowNs, context);
    }

    /**
     * A packet of a flow this stage already permitted, in the flow's forward direction, is
     * decided by the flow's return entry instead of by classification: true when it was forwarded.
     *
     * <p>Why this gives the classifier's answer: a return entry keyed by this packet's reversed
     * tuple that carries the current rule generation was written by classifying this very tuple
     * (with the forward ICMP type it records) against this generation's rules, either by
     * {@link #keepReturnEntry} or by the re-check in {@link #passReturnTraffic}; both directions
     * and both placements use the VRF's one classifier, and classification ignores TCP flags.
     * So the entry's counter id and grant are what classifying the packet would give, and
     * finishing it as classified would only find that entry unchanged and refresh it. An ICMP
     * packet whose type differs from the recorded one is classified. While earlier packets of
     * the batch wait for classification, ICMP is classified too: a queued ICMP packet of the same
     * identifier but another type may rewrite the recorded type first, as in packet order.
     */
    private boolean passedAsKnownForwardFlow(int vrf, int slot, AclTables tables, long nowNs,
                                             StageContext context) {
        boolean icmp = protocol == (ipv6 ? PROTOCOL_ICMPV6 : PROTOCOL_ICMP);
        if (icmp && queue.size() > 0) {
            return false;
        }
        fillKey(vrf, true);
        int entry = lookups.lookupInto(slot, key, nowNs, value);
        if (entry < 0 || value[0] != tables.generation()) {
            return false;
        }
        long meta = value[1];
        int forwardIcmpType = (int) ((meta >>> 8) & 0xFFFF) - 1;
        if (forwardIcmpType != icmpType || (meta & 0xFF) == GRANT_NONE) {
            return false;
        }
        int counterId = (int) (meta >>> 32);
        ruleCounters.count(counterId, ipBytes);
        context.decide(slot, counterId); // packet trace: the rule (or the VRF's default) that decided
        refreshIfDue(entry, nowNs);
        context.forward(0, slot);
        return true;
    }

    /** Queues the parsed packet for batch classification. */
    private void enqueue(int slot) {
        int at = queue.add(ipv6, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort, dstPort, icmpType,
            nonFirstFragment);
        queuedSlot[at] = slot;
        queuedTcpFlags[at] = tcpFlags;
        queuedIpBytes[at] = ipBytes;
        queuedQuotedOffset[at] = quotedOffset;
        queuedQuotedAvailable[at] = quotedAvailable;
    }

    /** Classifies the queued packets together, then finishes each in queue order. */
    private void classifyQueued(PacketBatch batch, AclTables tables, long nowNs, StageContext context) {
        int size = queue.size();
        if (size == 0) {
            return;
        }
        VrfClassifier classifier = queueClassifier;
        classifier.classify(queue);
        currentBuffer = batch.buffer();
        for (int at = 0; at < size; at++) {
            restore(at);
            int slot = queuedSlot[at];
            int vrf = batch.vrf[slot];
            // An earlier packet of this batch may have made the entry this one is return traffic of.
            if (flowStateChanged && passedByFlowState(vrf, slot, tables, classifier, nowNs, context)) {
                continue;
            }
            finishClassified(vrf, slot, queue.rank(at), tables, classifier, nowNs, context);
        }
        queue.clear();
    }

    private void restore(int at) {
        tcpFlags = queuedTcpFlags[at];
        ipBytes = queuedIpBytes[at];
        quotedOffset = queuedQuotedOffset[at];
        quotedAvailable = queuedQuotedAvailable[at];
        ipv6 = queue.isIpv6(at);
        srcHigh = queue.sourceHigh(at);
        srcLow = queue.sourceLow(at);
        dstHigh = queue.destinationHigh(at);
        dstLow = queue.destinationLow(at);
        protocol = queue.protocol(at);
        srcPort = queue.sourcePort(at);
        dstPort = queue.destinationPort(at);
        icmpType = queue.icmpType(at);
        nonFirstFragment = queue.isNonFirstFragment(at);
    }

    private void finishClassified(int vrf, int slot, int rank, AclTables tables, VrfClassifier classifier,
                                  long nowNs, StageContext context) {
        int counterId = rank < 0 ? tables.defaultCounterId(vrf) : classifier.ruleId(rank);
        ruleCounters.count(counterId, ipBytes);
        context.decide(slot, counterId); // packet trace: the rule (or the VRF's default) that decided
        if (!classifier.permits(rank)) {
            context.drop(slot, rank < 0 ? AclDropReason.DEFAULT_DENIED : AclDropReason.RULE_DENIED);
            return;
        }
        int grant = grantOf(classifier, rank, protocol);
        if (grant != GRANT_NONE && !nonFirstFragment) {
            keepReturnEntry(vrf, slot, tables.generation(), counterId, grant, nowNs, context);
        }
        context.forward(0, slot);
    }

    /** An established-only entry admits TCP segments with ACK or RST; a bare SYN is a new connection. */
    private boolean returnEntryAdmits(int grant) {
        return grant != GRANT_TCP_ESTABLISHED
            || (tcpFlags & (TcpFlyweight.FLAG_ACK | TcpFlyweight.FLAG_RST)) != 0;
    }

    private void passReturnTraffic(int entry, int slot, AclTables tables, VrfClassifier classifier, long nowNs,
                                   StageContext context) {
        long generation = value[0];
        long meta = value[1];
        int counterId = (int) (meta >>> 32);
        if (generation != tables.generation()) {
            // Rules changed since this entry was made: judge the flow's forward direction again.
            context.countEvent(EVENT_FLOW_RECHECKED);
            int forwardIcmpType = (int) ((meta >>> 8) & 0xFFFF) - 1;
            int rank = classifier.classify(ipv6, dstHigh, dstLow, srcHigh, srcLow, protocol, dstPort, srcPort,
                forwardIcmpType, false);
            int grant = classifier.permits(rank) ? grantOf(classifier, rank, protocol) : GRANT_NONE;
            lookups.tableChanged();
            if (grant == GRANT_NONE || !returnEntryAdmits(grant)) {
                flows.remove(entry, key);
                context.drop(slot, AclDropReason.FLOW_CUT);
                return;
            }
            counterId = rank < 0 ? tables.defaultCounterId(classifier.vrfIndex()) : classifier.ruleId(rank);
            // The generation word is claimed by CAS, so if another worker removed this entry and
            // its slot now holds another flow (different generation), we do not overwrite it.
            if (flows.compareAndSetValue(entry, 0, generation, tables.generation())) {
                flows.value(entry, 1, metaOf(counterId, forwardIcmpType, grant));
            }
        }
        refreshIfDue(entry, nowNs);
        ruleCounters.count(counterId, ipBytes);
        context.countEvent(EVENT_RETURN_PASSED);
        context.forward(0, slot);
    }

    /**
     * Makes sure the return entry of this permitted packet's flow exists for this rule generation:
     * inserted once, when the flow starts (or claimed again after a rule change); afterwards the
     * flow's packets only read it, and write its expiry when that is due (see
     * {@link #REFRESH_SLACK_SHIFT}).
     */
    private void keepReturnEntry(int vrf, int slot, long generation, int counterId, int grant, long nowNs,
                                 StageContext context) {
        fillKey(vrf, true);
        long meta = metaOf(counterId, icmpType, grant);
        int entry = lookups.lookupInto(slot, key, nowNs, value);
        if (entry < 0) {
            lookups.tableChanged();
            value[0] = generation;
            value[1] = meta;
            int result = flows.insert(key, value, nowNs + timeouts.forProtocol(protocol), nowNs);
            if (!FlowTable.isPresent(result)) {
                context.countEvent(EVENT_FLOW_INSERT_FAILED);
                return;
            }
            flowStateChanged = true;
            entry = FlowTable.entryIndex(result);
            if (FlowTable.isCreated(result)) {
                context.countEvent(EVENT_FLOW_CREATED);
                return;
            }
            // Another worker inserted it meanwhile: treat it as found.
            value[0] = flows.value(entry, 0);
            value[1] = flows.value(entry, 1);
        }
        long entryGeneration = value[0];
        if (entryGeneration != generation || value[1] != meta) {
            lookups.tableChanged();
        }
        if (entryGeneration != generation) {
            // An entry of an older rule generation: claim it for this one (CAS, see passReturnTraffic).
            if (flows.compareAndSetValue(entry, 0, entryGeneration, generation)) {
                flows.value(entry, 1, meta);
                flowStateChanged = true;
            }
        } else if (value[1] != meta) {
            flows.value(entry, 1, meta);
            flowStateChanged = true;
        }
        refreshIfDue(entry, nowNs);
    }

    /** Moves the entry's expiry to now + timeout only when it lags by more than the slack. */
    private void refreshIfDue(int entry, long nowNs) {
        long timeoutNs = timeouts.forProtocol(protocol);
        long wantedNs = nowNs + timeoutNs;
        if (flows.expiresAtNs(entry) < wantedNs - (timeoutNs >> REFRESH_SLACK_SHIFT)) {
            flows.refresh(entry, wantedNs);
        }
    }

    /**
     * True when this ICMP error quotes a packet of a flow with a current return entry, in either
     * direction (RFC 792 and RFC 4443 §2.4: an error carries the start of the packet that caused
     * it), and goes to that quoted packet's source. Such errors (e.g. "fragmentation needed",
     * RFC 1191) belong to the flow and pass.
     * Leaves the entry's value in {@link #value}.
     */
    private boolean relatedToPermittedFlow(int vrf, AclTables tables, long nowNs) {
        UnsafeBuffer buffer = currentBuffer;
        int quoted = quotedOffset;
        int available = quotedAvailable;
        long quotedSrcHigh;
        long quotedSrcLow;
        long quotedDstHigh;
        long quotedDstLow;
        int quotedProtocol;
        int quotedL4;
        if (ipv6) {
            if (available < Ipv6Flyweight.HEADER_LENGTH || Ipv6Flyweight.version(buffer, quoted) != 6) {
                return false;
            }
            long walk = Ipv6Flyweight.walkExtensionHeaders(buffer, quoted, available);
            if (walk < 0 || Ipv6Flyweight.walkFragmentBits(walk) != 0) {
                return false;
            }
            quotedSrcHigh = Ipv6Flyweight.sourceHigh(buffer, quoted);
            quotedSrcLow = Ipv6Flyweight.sourceLow(buffer, quoted);
            quotedDstHigh = Ipv6Flyweight.destinationHigh(buffer, quoted);
            quotedDstLow = Ipv6Flyweight.destinationLow(buffer, quoted);
            quotedProtocol = Ipv6Flyweight.walkProtocol(walk);
            quotedL4 = Ipv6Flyweight.walkL4Offset(walk);
        } else {
            if (available < Ipv4Flyweight.MIN_HEADER_LENGTH || Ipv4Flyweight.version(buffer, quoted) != 4) {
                return false;
            }
            quotedL4 = Ipv4Flyweight.headerLength(buffer, quoted);
            if (quotedL4 < Ipv4Flyweight.MIN_HEADER_LENGTH || Ipv4Flyweight.fragmentOffsetBytes(buffer, quoted) != 0) {
                return false;
            }
            quotedSrcHigh = (Ipv4Flyweight.source(buffer, quoted) & 0xFFFF_FFFFL) << 32;
            quotedSrcLow = 0;
            quotedDstHigh = (Ipv4Flyweight.destination(buffer, quoted) & 0xFFFF_FFFFL) << 32;
            quotedDstLow = 0;
            quotedProtocol = Ipv4Flyweight.protocol(buffer, quoted);
        }
        // RFC 792, RFC 4443 §2.4: an error goes to the source of the packet it quotes (Linux
        // conntrack likewise rejects one whose outer destination differs). An error sent anywhere
        // else is not related to the flow, whatever it quotes, and is classified like any packet.
        if (quotedSrcHigh != dstHigh || quotedSrcLow != dstLow) {
            return false;
        }
        // RFC 792 §"Destination Unreachable": at least 64 bits of the original datagram's data.
        if (quotedL4 + 8 > available) {
            return false;
        }
        int l4 = quoted + quotedL4;
        int quotedSrcPort = 0;
        int quotedDstPort = 0;
        // The ports of the quoted packet's reversed tuple (see fillKey for ICMP queries).
        int reversedSrcPort = 0;
        int reversedDstPort = 0;
        if (quotedProtocol == PROTOCOL_TCP || quotedProtocol == PROTOCOL_UDP) {
            quotedSrcPort = TcpFlyweight.sourcePort(buffer, l4);
            quotedDstPort = TcpFlyweight.destinationPort(buffer, l4);
            reversedSrcPort = quotedDstPort;
            reversedDstPort = quotedSrcPort;
        } else if (quotedProtocol == (ipv6 ? PROTOCOL_ICMPV6 : PROTOCOL_ICMP)) {
            int quotedType = buffer.getByte(l4) & 0xFF;
            if (!isIcmpQuery(ipv6, quotedType)) {
                return false;
            }
            quotedSrcPort = ((buffer.getByte(l4 + 4) & 0xFF) << 8) | (buffer.getByte(l4 + 5) & 0xFF);
            quotedDstPort = icmpQueryKeyPort(quotedType);
            reversedSrcPort = quotedSrcPort;
            reversedDstPort = icmpQueryKeyPort(icmpQueryCounterpart(ipv6, quotedType));
        }
        long head = ((vrf & VRF_MASK) << 41) | (ipv6 ? 1L << 40 : 0) | ((long) quotedProtocol << 32);
        // The quoted packet was a reply (its own tuple is a return entry) ...
        key[0] = head | ((long) quotedSrcPort << 16) | quotedDstPort;
        key[1] = quotedSrcHigh;
        key[2] = quotedSrcLow;
        key[3] = quotedDstHigh;
        key[4] = quotedDstLow;
        if (flows.lookupInto(key, nowNs, value) >= 0 && value[0] == tables.generation()) {
            return true;
        }
        // ... or a forward packet (its reversed tuple is the return entry).
        key[0] = head | ((long) reversedSrcPort << 16) | reversedDstPort;
        key[1] = quotedDstHigh;
        key[2] = quotedDstLow;
        key[3] = quotedSrcHigh;
        key[4] = quotedSrcLow;
        return flows.lookupInto(key, nowNs, value) >= 0 && value[0] == tables.generation();
    }

    private static long metaOf(int counterId, int forwardIcmpType, int grant) {
        return ((long) counterId << 32) | ((long) ((forwardIcmpType + 1) & 0xFFFF) << 8) | grant;
    }

    /**
     * What return traffic a permit grants: an {@code established} rule lets TCP replies with
     * ACK/RST in; {@code reverse} lets any reply in; the default policy (permit) is stateful too,
     * so that replies to traffic it let out are not judged by rules written for the other way.
     */
    static int grantOf(VrfClassifier classifier, int rank, int protocol) {
        if (rank < 0) {
            return GRANT_ANY;
        }
        int flags = classifier.ruleFlags(rank);
        if (protocol == PROTOCOL_TCP && (flags & CompiledRules.FLAG_ESTABLISHED) != 0) {
            return GRANT_TCP_ESTABLISHED;
        }
        return (flags & CompiledRules.FLAG_REVERSE) != 0 ? GRANT_ANY : GRANT_NONE;
    }

    /**
     * Key of the packet's own tuple, or (when {@code reverse}) of its reply. An ICMP query's key
     * holds (identifier, type) as its ports, and its reply's key (identifier, matching reply
     * type): an echo request's return entry admits the echo reply with its identifier, not a
     * request (or another query) arriving the other way (RFC 792, RFC 4443 §4).
     */
    private void fillKey(int vrf, boolean reverse) {
        int keySrcPort = reverse ? dstPort : srcPort;
        int keyDstPort = reverse ? srcPort : dstPort;
        if (icmpType >= 0 && isIcmpQuery(icmpType)) {
            keySrcPort = srcPort;
            keyDstPort = icmpQueryKeyPort(reverse ? icmpQueryCounterpart(ipv6, icmpType) : icmpType);
        }
        key[0] = ((vrf & VRF_MASK) << 41) | (ipv6 ? 1L << 40 : 0) | ((long) protocol << 32)
            | ((long) keySrcPort << 16) | keyDstPort;
        key[1] = reverse ? dstHigh : srcHigh;
        key[2] = reverse ? dstLow : srcLow;
        key[3] = reverse ? srcHigh : dstHigh;
        key[4] = reverse ? srcLow : dstLow;
    }

    /** Reads the inner headers of {@code slot} into fields; returns a drop reason or null. */
    private DropReason parse(PacketBatch batch, int slot) {
        UnsafeBuffer buffer = batch.buffer();
        int start = batch.offset[slot];
        int end = start + batch.length[slot];
        int l3 = batch.l3Offset[slot];
        int flags = batch.flags[slot];
        ipv6 = (flags & PacketFlags.INNER_IPV6) != 0;
        if (l3 < start || l3 >= end) {
            return AclDropReason.MALFORMED_IP;
        }
        ipBytes = end - l3;
        if (ipv6) {
            if (l3 + Ipv6Flyweight.HEADER_LENGTH > end) {
                return AclDropReason.MALFORMED_IP;
            }
            srcHigh = Ipv6Flyweight.sourceHigh(buffer, l3);
            srcLow = Ipv6Flyweight.sourceLow(buffer, l3);
            dstHigh = Ipv6Flyweight.destinationHigh(buffer, l3);
            dstLow = Ipv6Flyweight.destinationLow(buffer, l3);
            long walk = Ipv6Flyweight.walkExtensionHeaders(buffer, l3, end - l3);
            if (walk < 0) {
                return AclDropReason.MALFORMED_IP;
            }
            protocol = Ipv6Flyweight.walkProtocol(walk);
        } else {
            if (l3 + Ipv4Flyweight.MIN_HEADER_LENGTH > end) {
                return AclDropReason.MALFORMED_IP;
            }
            srcHigh = (Ipv4Flyweight.source(buffer, l3) & 0xFFFF_FFFFL) << 32;
            srcLow = 0;
            dstHigh = (Ipv4Flyweight.destination(buffer, l3) & 0xFFFF_FFFFL) << 32;
            dstLow = 0;
            protocol = Ipv4Flyweight.protocol(buffer, l3);
        }
        srcPort = 0;
        dstPort = 0;
        icmpType = -1;
        tcpFlags = 0;
        quotedOffset = -1;
        currentBuffer = buffer;
        int l4 = batch.l4Offset[slot];
        // RFC 791 §3.2 / RFC 8200 §4.5: only the first fragment carries the upper-layer header.
        nonFirstFragment = (flags & PacketFlags.NON_FIRST_FRAGMENT) != 0;
        if (nonFirstFragment) {
            return null;
        }
        if (l4 < l3 || l4 >= end) {
            return isKnownLayer4(protocol) ? AclDropReason.TRUNCATED_L4 : null;
        }
        int available = end - l4;
        if (protocol == PROTOCOL_TCP) {
            if (available < TcpFlyweight.FLAGS_OFFSET + 1) {
                return AclDropReason.TRUNCATED_L4;
            }
            srcPort = TcpFlyweight.sourcePort(buffer, l4);
            dstPort = TcpFlyweight.destinationPort(buffer, l4);
            tcpFlags = TcpFlyweight.flags(buffer, l4);
        } else if (protocol == PROTOCOL_UDP) {
            if (available < UDP_HEADER_LENGTH) {
                return AclDropReason.TRUNCATED_L4;
            }
            srcPort = TcpFlyweight.sourcePort(buffer, l4);
            dstPort = TcpFlyweight.destinationPort(buffer, l4);
        } else if (protocol == (ipv6 ? PROTOCOL_ICMPV6 : PROTOCOL_ICMP)) {
            if (available < ICMP_HEADER_LENGTH) {
                return AclDropReason.TRUNCATED_L4;
            }
            icmpType = buffer.getByte(l4) & 0xFF;
            if (ipv6 ? IcmpFlyweight.isV6Error(icmpType) : IcmpFlyweight.isV4Error(icmpType)) {
                quotedOffset = l4 + ICMP_HEADER_LENGTH;
                quotedAvailable = end - quotedOffset;
            }
            if (isIcmpQuery(icmpType)) {
                // RFC 792 / RFC 4443 §4: a query and its reply share the identifier, which keys the
                // flow together with the query/reply pairing (fillKey).
                int identifier = ((buffer.getByte(l4 + 4) & 0xFF) << 8) | (buffer.getByte(l4 + 5) & 0xFF);
                srcPort = identifier;
                dstPort = identifier;
            }
        }
        return null;
    }

    private boolean isKnownLayer4(int ipProtocol) {
        return ipProtocol == PROTOCOL_TCP || ipProtocol == PROTOCOL_UDP
            || ipProtocol == (ipv6 ? PROTOCOL_ICMPV6 : PROTOCOL_ICMP);
    }

    private boolean isIcmpQuery(int type) {
        return isIcmpQuery(ipv6, type);
    }

    /**
     * ICMP query and reply types that carry an identifier: echo (0/8), timestamp (13/14),
     * information (15/16) and address mask (17/18, RFC 950) for ICMPv4; echo (128/129) for ICMPv6.
     */
    private static boolean isIcmpQuery(boolean ipv6, int type) {
        return ipv6 ? type == 128 || type == 129
            : type == 0 || type == 8 || (type >= 13 && type <= 18);
    }

    /** The reply type of a query type, and the query type of a reply type. */
    private static int icmpQueryCounterpart(boolean ipv6, int type) {
        if (ipv6) {
            return type ^ 1; // 128 <-> 129
        }
        return type == 8 ? 0 : type == 0 ? 8 : ((type - 13) ^ 1) + 13; // 13 <-> 14, 15 <-> 16, 17 <-> 18
    }

    private static int icmpQueryKeyPort(int type) {
        return ICMP_QUERY_KEY_MARK | type;
    }
}
