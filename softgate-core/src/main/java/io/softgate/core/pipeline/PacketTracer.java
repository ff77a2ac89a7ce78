package io.softgate.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One worker's packet-trace recorder: while a {@link TraceSession} is armed, the worker's
 * {@link Pipeline} matches each decapsulated packet against the session's filter, marks the
 * matches ({@link PacketFlags#TRACE}) and records, for every stage a marked packet passes, the
 * stage, its verdict (the edge it took, or the drop reason) and a decision word: what the stage
 * put in {@link StageContext#decide} (a rule, session, backend; a second word where one is
 * too small, e.g. the NAT's translated addresses), else the adjacency the packet holds (the route
 * lookup's next hop). Everything lives in arrays allocated here, once; the hot
 * path with no session armed pays one volatile read per batch.
 *
 * <p>Threading: {@link #arm}, {@link #disarm} and {@link #steps} by control threads; recording by
 * the owning worker only. Steps are published with a release store of the step count, so a
 * reader sees whole steps.
 */
public final class PacketTracer {
    /** {@link Step#decision()} when the stage set none and the packet holds no adjacency. */
    public static final long NO_DECISION = Long.MIN_VALUE;
    /** {@link Step#stage()} of a packet's first step: what it was when it matched. */
    public static final int MATCHED = -1;

    private final int workerId;
    private final int capacity;
    // One step per (traced packet, stage); struct of arrays, written by the worker only.
    private final int[] stepPacket;
    private final int[] stepStage;
    private final int[] stepOutcome;
    private final long[] stepDecision;
    private final long[] stepDetail;
    private final int[] stepVrf;
    private final AtomicInteger stepCount = new AtomicInteger();
    // Per batch slot, while a batch is traced.
    final long[] decisions;
    final long[] details;
    final int[] dropReasons;
    private final int[] packetOfSlot;
    private final int[] marks;
    private volatile TraceSession session;
    private volatile TraceSession recording;

    /**
     * @param batchCapacity slots per batch of the worker
     * @param edgeCapacity  the most edges any stage of the pipeline has
     * @param stepCapacity  steps kept per trace on this worker (further steps are not recorded)
     */
    public PacketTracer(int workerId, int batchCapacity, int edgeCapacity, int stepCapacity) {
        this.workerId = workerId;
        this.capacity = stepCapacity;
        this.stepPacket = new int[stepCapacity];
        this.stepStage = new int[stepCapacity];
        this.stepOutcome = new int[stepCapacity];
        this.stepDecision = new long[stepCapacity];
        this.stepDetail = new long[stepCapacity];
        this.stepVrf = new int[stepCapacity];
        this.decisions = new long[batchCapacity];
        this.details = new long[batchCapacity];
        this.dropReasons = new int[batchCapacity];
        this.packetOfSlot = new int[batchCapacity];
        this.marks = new int[edgeCapacity + 1];
    }

    /** Starts recording {@code next} (the previous trace's steps are discarded at the next batch). */
    public void arm(TraceSession next) {
        session = next;
    }

    /** Stops recording; the steps recorded so far stay readable. */
    public void disarm() {
        session = null;
    }

    public TraceSession session() {
        return session;
    }

    public int workerId() {
        return workerId;
    }

    /**
     * One recorded step: packet number, stage index ({@link #MATCHED} for the match), outcome,
     * decision, VRF after the stage, and the decision's second word ({@link #NO_DECISION} unless the
     * stage used {@link StageContext#decide(int, long, long)}).
     */
    public record Step(long sessionId, int packet, int stage, int outcome, long decision, int vrf, long detail) {
        /** A step whose stage decided one word (or nothing). */
        public Step(long sessionId, int packet, int stage, int outcome, long decision, int vrf) {
            this(sessionId, packet, stage, outcome, decision, vrf, NO_DECISION);
        }

        /** The outcome of a drop with reason ordinal {@code reason}. */
        public static int dropOutcome(int reason) {
            return -1 - reason;
        }

        public boolean dropped() {
            return outcome < 0;
        }

        /** Edge index taken (when not dropped). */
        public int edge() {
            return outcome;
        }

        /** Drop reason ordinal (when dropped). */
        public int dropReason() {
            return -1 - outcome;
        }
    }

    /** The steps recorded for {@code sessionId} so far (a copy; empty if this worker records another trace). */
    public List<Step> steps(long sessionId) {
        TraceSession current = recording;
        List<Step> steps = new ArrayList<>();
        if (current == null || current.id() != sessionId) {
            return steps;
        }
        int count = stepCount.get();
        for (int i = 0; i < count; i++) {
            steps.add(new Step(sessionId, stepPacket[i], stepStage[i], stepOutcome[i], stepDecision[i], stepVrf[i],
                stepDetail[i]));
        }
        return steps;
    }

    // ---------------------------------------------------------------- worker side

    /** The armed session for this batch, or null; resets the step ring when a new session starts. */
    TraceSession beginBatch() {
        TraceSession armed = session;
        if (armed == null) {
            return null;
        }
        if (armed != recording) {
            stepCount.set(0);
            recording = armed;
        }
        return armed;
    }

    /** Before a stage runs on a traced batch: remembers where its edge vectors and the drop vector end. */
    void beforeStage(StageVector input, StageVector[] edges, StageVector drop) {
        for (int i = 0; i < input.size(); i++) {
            int slot = input.slot(i);
            decisions[slot] = NO_DECISION;
            details[slot] = NO_DECISION;
            dropReasons[slot] = -1;
        }
        for (int e = 0; e < edges.length; e++) {
            marks[e] = edges[e].size();
        }
        marks[edges.length] = drop.size();
    }

    /**
     * After the entry stage: matches the slots it forwarded against the filter and marks those
     * that claim a packet number (recording their match step).
     */
    void matchAfterEntry(TraceSession armed, PacketBatch batch, StageVector[] edges) {
        if (armed.complete()) {
            return;
        }
        TraceFilter filter = armed.filter();
        for (int e = 0; e < edges.length; e++) {
            StageVector edge = edges[e];
            for (int i = marks[e]; i < edge.size(); i++) {
                int slot = edge.slot(i);
                if ((batch.flags[slot] & PacketFlags.TRACE) != 0 || !filter.matches(batch, slot)) {
                    continue;
                }
                int packet = armed.claim();
                if (packet < 0) {
                    return;
                }
                batch.flags[slot] |= PacketFlags.TRACE;
                packetOfSlot[slot] = packet;
                record(packet, MATCHED, batch.vni[slot], NO_DECISION, NO_DECISION, batch.vrf[slot]);
            }
        }
    }

    /** After stage {@code stage} ran: one step for each traced slot it forwarded or dropped. */
    void afterStage(int stage, PacketBatch batch, StageVector[] edges, StageVector drop) {
        for (int e = 0; e < edges.length; e++) {
            StageVector edge = edges[e];
            boolean seen = false;
            for (int earlier = 0; earlier < e; earlier++) {
                seen |= edges[earlier] == edge;
            }
            if (seen) {
                continue; // two edges into one vector: recorded under the first
            }
            for (int i = marks[e]; i < edge.size(); i++) {
                int slot = edge.slot(i);
                if ((batch.flags[slot] & PacketFlags.TRACE) != 0) {
                    record(packetOfSlot[slot], stage, e, decisionOf(batch, slot), details[slot], batch.vrf[slot]);
                }
            }
        }
        for (int i = marks[edges.length]; i < drop.size(); i++) {
            int slot = drop.slot(i);
            if ((batch.flags[slot] & PacketFlags.TRACE) != 0) {
                record(packetOfSlot[slot], stage, Step.dropOutcome(Math.max(0, dropReasons[slot])), decisionOf(batch, slot),
                    details[slot], batch.vrf[slot]);
            }
        }
    }

    private long decisionOf(PacketBatch batch, int slot) {
        long decided = decisions[slot];
        if (decided != NO_DECISION) {
            return decided;
        }
        int adjacency = batch.adjacency[slot];
        return adjacency == PacketBatch.UNSET ? NO_DECISION : adjacency;
    }

    private void record(int packet, int stage, int outcome, long decision, long detail, int vrf) {
        int index = stepCount.get();
        if (index >= capacity) {
            return;
        }
        stepPacket[index] = packet;
        stepStage[index] = stage;
        stepOutcome[index] = outcome;
        stepDecision[index] = decision;
        stepDetail[index] = detail;
        stepVrf[index] = vrf;
        stepCount.lazySet(index + 1); // release: the step's fields are visible before the count
    }
}
