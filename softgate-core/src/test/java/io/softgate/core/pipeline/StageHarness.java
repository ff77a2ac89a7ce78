package io.softgate.core.pipeline;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.counter.WorkerCounters;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.snapshot.ConfigSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Runs one stage alone on packets given as byte arrays and reports where each went: the edge
 * (next stage name), or the drop reason, and the bytes of the packet afterwards. Golden packet
 * tables and zero-allocation tests in every module are built on it.
 *
 * <p>Threading: single-threaded, like a worker.
 */
public final class StageHarness {
    /** Verdict name of a dropped packet. */
    public static final String DROPPED = Stage.DROP;

    private final Stage stage;
    private final FrameMemory memory;
    private final FramePool pool;
    private final PacketBatch batch;
    private final StageVector input;
    private final StageVector[] edges;
    private final StageVector drop;
    private final WorkerCounters counters;
    private final StageContext context;
    private final int dropBase;
    private final List<String> edgeNames;
    private List<Outcome> generated = List.of();
    /** Per-slot trace decisions while {@link #traced} is on (as the pipeline's tracer keeps them). */
    private final long[] decisions;
    private final long[] details;
    private final int[] dropReasons;

    public StageHarness(Stage stage, ConfigSnapshot snapshot) {
        this(stage, snapshot, 64);
    }

    public StageHarness(Stage stage, ConfigSnapshot snapshot, int batchCapacity) {
        this.stage = stage;
        this.memory = new FrameMemory(batchCapacity * 4);
        this.pool = new FramePool(memory);
        this.batch = new PacketBatch(memory, batchCapacity);
        this.input = new StageVector(batchCapacity);
        this.edgeNames = stage.nextStages();
        this.edges = new StageVector[edgeNames.size()];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = new StageVector(batchCapacity);
        }
        this.drop = new StageVector(batchCapacity);
        CounterLayout layout = new CounterLayout();
        List<String> dropNames = new ArrayList<>();
        for (DropReason reason : stage.dropReasons()) {
            dropNames.add(stage.name() + ".drop." + reason.label());
        }
        this.dropBase = layout.registerAll(dropNames);
        List<String> eventNames = new ArrayList<>();
        for (String event : stage.eventCounters()) {
            eventNames.add(stage.name() + "." + event);
        }
        int eventBase = layout.registerAll(eventNames);
        this.counters = new WorkerCounters(layout.freeze());
        this.context = new StageContext(stage.name(), 0, edges, drop, counters, dropBase, eventBase, pool);
        this.context.snapshot = snapshot;
        this.decisions = new long[batchCapacity];
        this.details = new long[batchCapacity];
        this.dropReasons = new int[batchCapacity];
    }

    /**
     * Runs the next batches as a traced batch ({@code true}) or not: the stage's
     * {@link StageContext#decide} calls are then kept per slot, as {@link Pipeline} keeps them for
     * a packet trace, and each {@link Outcome} reports them. Which slots are traced packets is the
     * test's to mark ({@link PacketFlags#TRACE} in the presets), as the pipeline marks matches.
     */
    public void traced(boolean traced) {
        context.traceDecisions = traced ? decisions : null;
        context.traceDetails = traced ? details : null;
        context.traceDropReasons = traced ? dropReasons : null;
    }

    public void snapshot(ConfigSnapshot snapshot) {
        context.snapshot = snapshot;
    }

    public void nowNs(long nowNs) {
        context.nowNs = nowNs;
    }

    public PacketBatch batch() {
        return batch;
    }

    public FramePool pool() {
        return pool;
    }

    /** Value of counter {@code name} (full name, e.g. {@code "vxlan-decap.drop.vxlan-i-flag-clear"}). */
    public long counter(String name) {
        int id = counters.layout().id(name);
        if (id < 0) {
            throw new IllegalArgumentException("no counter " + name + " in " + counters.layout().names());
        }
        return counters.get(id);
    }

    /** Runs one packet; {@code presets} may set slot metadata (vrf, l3Offset...) before the stage runs. */
    public Outcome run(byte[] packet, IntConsumer presets) {
        return runAll(List.of(packet), presets).get(0);
    }

    public Outcome run(byte[] packet) {
        return run(packet, slot -> { });
    }

    /** Runs packets as one batch; outcomes come back in input order. */
    public List<Outcome> runAll(List<byte[]> packets, IntConsumer presets) {
        if (packets.size() > batch.capacity()) {
            throw new IllegalArgumentException("more packets than the batch holds");
        }
        load(packets, presets);
        processLoaded();
        List<Outcome> outcomes = new ArrayList<>();
        for (int slot = 0; slot < packets.size(); slot++) {
            outcomes.add(outcomeOf(slot));
        }
        generated = new ArrayList<>();
        for (int slot = packets.size(); slot < batch.size(); slot++) {
            generated.add(outcomeOf(slot));
        }
        releaseAll();
        return outcomes;
    }

    /**
     * Packets the stage created itself during the last {@link #runAll} (slots it appended to the
     * batch, e.g. an ICMP error generated at a timer), in slot order; each was forwarded or dropped.
     */
    public List<Outcome> generated() {
        return generated;
    }

    /** Copies packets into frames and slots without running the stage (for allocation tests). */
    public void load(List<byte[]> packets, IntConsumer presets) {
        batch.clear();
        for (byte[] packet : packets) {
            int frame = pool.allocate();
            int start = memory.packetStart(frame);
            memory.buffer().putBytes(start, packet);
            int slot = batch.add(frame, start, packet.length, 0);
            presets.accept(slot);
        }
    }

    /** Runs the stage over every loaded slot; the frames stay in place for inspection. */
    public void processLoaded() {
        input.clear();
        drop.clear();
        for (StageVector edge : edges) {
            edge.clear();
        }
        for (int slot = 0; slot < batch.size(); slot++) {
            input.add(slot);
        }
        java.util.Arrays.fill(decisions, PacketTracer.NO_DECISION);
        java.util.Arrays.fill(details, PacketTracer.NO_DECISION);
        stage.process(batch, input, context);
    }

    /** Returns every loaded frame to the pool. */
    public void releaseAll() {
        for (int slot = 0; slot < batch.size(); slot++) {
            pool.release(batch.frame[slot]);
        }
        batch.clear();
    }

    private Outcome outcomeOf(int slot) {
        String verdict = null;
        int hits = 0;
        for (int e = 0; e < edges.length; e++) {
            if (contains(edges[e], slot)) {
                verdict = edgeNames.get(e);
                hits++;
            }
        }
        if (contains(drop, slot)) {
            verdict = DROPPED;
            hits++;
        }
        if (hits != 1) {
            throw new AssertionError("stage " + stage.name() + " handled slot " + slot + " " + hits
                + " times; it must forward or drop every packet exactly once");
        }
        byte[] bytes = new byte[batch.length[slot]];
        memory.buffer().getBytes(batch.offset[slot], bytes);
        return new Outcome(verdict, bytes, slot, batch, decisions[slot], details[slot]);
    }

    private static boolean contains(StageVector vector, int slot) {
        for (int i = 0; i < vector.size(); i++) {
            if (vector.slot(i) == slot) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where one packet went and what it looked like afterwards.
     *
     * <p>Threading: a plain value for the test thread.
     */
    public static final class Outcome {
        private final String verdict;
        private final byte[] packet;
        private final int egressPort;
        private final int vrf;
        private final int adjacency;
        private final int l3Offset;
        private final int offset;
        private final long aux;
        private final long decision;
        private final long detail;

        Outcome(String verdict, byte[] packet, int slot, PacketBatch batch, long decision, long detail) {
            this.verdict = verdict;
            this.packet = packet;
            this.egressPort = batch.egressPort[slot];
            this.vrf = batch.vrf[slot];
            this.adjacency = batch.adjacency[slot];
            this.l3Offset = batch.l3Offset[slot];
            this.offset = batch.offset[slot];
            this.aux = batch.aux[slot];
            this.decision = decision;
            this.detail = detail;
        }

        /** What the stage told a trace it decided ({@link PacketTracer#NO_DECISION} unless traced, see {@link StageHarness#traced}). */
        public long decision() {
            return decision;
        }

        /** The decision's second word ({@link PacketTracer#NO_DECISION} when the stage gave none). */
        public long detail() {
            return detail;
        }

        /** The next stage's name, or {@link #DROPPED}. */
        public String verdict() {
            return verdict;
        }

        /** The packet's bytes after the stage ran (from its possibly moved start). */
        public byte[] packet() {
            return packet;
        }

        public int egressPort() {
            return egressPort;
        }

        public int vrf() {
            return vrf;
        }

        public int adjacency() {
            return adjacency;
        }

        /** Inner IP header offset relative to the packet's start, or -1. */
        public int innerIpOffset() {
            return l3Offset < 0 ? -1 : l3Offset - offset;
        }

        public long aux() {
            return aux;
        }
    }
}
