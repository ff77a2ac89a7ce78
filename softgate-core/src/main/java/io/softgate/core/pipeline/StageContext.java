package io.softgate.core.pipeline;

import io.softgate.core.counter.WorkerCounters;
import io.softgate.core.memory.FramePool;
import io.softgate.core.snapshot.ConfigSnapshot;

/**
 * What a stage sees of its worker while it processes a vector: its outgoing edges, its
 * counters, the snapshot adopted for this batch, the batch's clock and the frame pool.
 *
 * <p>Threading: one instance per (worker, stage); used only by that worker's thread.
 */
public final class StageContext {
    private final StageVector[] edges;
    private final StageVector dropVector;
    private final WorkerCounters counters;
    private final int dropCounterBase;
    private final int eventCounterBase;
    private final FramePool pool;
    private final int workerId;
    private final String stageName;
    ConfigSnapshot snapshot;
    long nowNs;

    StageContext(String stageName, int workerId, StageVector[] edges, StageVector dropVector,
                 WorkerCounters counters, int dropCounterBase, int eventCounterBase, FramePool pool) {
        this.stageName = stageName;
        this.workerId = workerId;
        this.edges = edges;
        this.dropVector = dropVector;
        this.counters = counters;
        this.dropCounterBase = dropCounterBase;
        this.eventCounterBase = eventCounterBase;
        this.pool = pool;
    }

    /** Sends {@code slot} along edge {@code edge} (an index into {@link Stage#nextStages()}). */
    public void forward(int edge, int slot) {
        edges[edge].add(slot);
    }

    /** Drops {@code slot}, counting it under {@code reason}. */
    public void drop(int slot, DropReason reason) {
        counters.increment(dropCounterBase + reason.ordinal());
        dropVector.add(slot);
        int[] traced = traceDropReasons;
        if (traced != null) {
            traced[slot] = reason.ordinal();
        }
    }

    /**
     * Counts a drop under {@code reason} for a packet that has no slot in this batch: one the
     * stage kept (as bytes it copied) past the batch it arrived in and now gives up, e.g. a held
     * fragment whose hold expired. A packet with a slot is dropped with {@link #drop} instead.
     */
    public void countDrop(DropReason reason) {
        counters.increment(dropCounterBase + reason.ordinal());
    }

    /** Counts one event of this stage ({@code event} indexes {@link Stage#eventCounters()}). */
    public void countEvent(int event) {
        counters.increment(eventCounterBase + event);
    }

    /** Adds {@code amount} to an event counter of this stage. */
    public void addEvent(int event, long amount) {
        counters.add(eventCounterBase + event, amount);
    }

    /** The configuration snapshot this worker adopted for the current batch. */
    public ConfigSnapshot snapshot() {
        return snapshot;
    }

    /** The batch's cached clock ({@link System#nanoTime()} read once per batch). */
    public long nowNs() {
        return nowNs;
    }

    /** The worker's frame pool, for stages that must create a packet of their own. */
    public FramePool pool() {
        return pool;
    }

    public int workerId() {
        return workerId;
    }

    public String stageName() {
        return stageName;
    }

    // ---------------------------------------------------------------- packet trace (PacketTracer)

    /** Set by the pipeline only while it runs a traced batch; null otherwise. */
    long[] traceDecisions;
    long[] traceDetails;
    int[] traceDropReasons;

    /**
     * Tells a packet trace what this stage decided for {@code slot} (a rule id, a session or
     * backend index, a route): a no-op unless the batch is traced. Cheap enough for any stage.
     */
    public void decide(int slot, long decision) {
        long[] traced = traceDecisions;
        if (traced != null) {
            traced[slot] = decision;
        }
    }

    /**
     * {@link #decide(int, long)} with a second word for a decision one word cannot hold (the NAT's
     * session: rule and ports in one, addresses in the other): a no-op unless the batch is traced.
     */
    public void decide(int slot, long decision, long detail) {
        long[] traced = traceDecisions;
        long[] details = traceDetails;
        if (traced != null && details != null) {
            traced[slot] = decision;
            details[slot] = detail;
        }
    }

    StageVector[] edges() {
        return edges;
    }

    StageVector dropVector() {
        return dropVector;
    }
}
