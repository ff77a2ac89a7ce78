package io.softgate.core.pipeline;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.counter.WorkerCounters;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FramePool;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.Agent;

/**
 * A run-to-completion worker: each duty cycle receives one batch from its ports, adopts the
 * current snapshot, runs the pipeline, transmits once per port and releases dropped frames.
 * Run it on its own thread with an Agrona {@code AgentRunner}, or call {@link #doWork()}
 * directly from a test for a deterministic, thread-free pipeline.
 *
 * <p>Threading: all state belongs to the thread that calls {@link #doWork()}; other threads read
 * only its counters, its adopted epoch and its latency recorder.
 */
public final class Worker implements Agent {
    /** Worker-level counter names, registered before the stages' counters. */
    public static final String RX_PACKETS = "worker.rx-packets";
    public static final String TX_PACKETS = "worker.tx-packets";
    public static final String BATCHES = "worker.batches";
    public static final String DROPPED_PACKETS = "worker.dropped-packets";
    public static final String NO_EGRESS_PORT = "worker.drop.no-egress-port";

    /**
     * Longest batch latency the histogram tracks; longer batches are recorded as this. A fixed
     * range keeps recording allocation-free (an auto-resizing histogram allocates ~150 KB on the
     * worker thread each time a batch is slower than every batch before it).
     */
    public static final long MAX_TRACKED_BATCH_LATENCY_NS = 60_000_000_000L;

    private static final int ID_RX = 0;
    private static final int ID_TX = 1;
    private static final int ID_BATCHES = 2;
    private static final int ID_DROPPED = 3;
    private static final int ID_NO_EGRESS = 4;
    /**
     * Slots of every batch that receive leaves free for the packets stages make themselves (an
     * answer to a held SYN, a held fragment released): with the whole batch filled by receive,
     * as it is under sustained load, those would wait for a batch with room that never comes.
     */
    public static final int STAGE_SLOTS = 8;

    private final int id;
    private final PacketIo[] ports;
    private final FramePool pool;
    private final PacketBatch batch;
    private final Pipeline pipeline;
    private final SnapshotPublisher publisher;
    private final WorkerEpochs epochs;
    private final WorkerCounters counters;
    private final StageVector[] perPortTx;
    private final SingleWriterRecorder batchLatencyNs;
    private final NanoClock clock;

    public Worker(int id, PipelineDefinition definition, PacketIo[] ports, FramePool pool, int batchSize,
                  SnapshotPublisher publisher, NanoClock clock) {
        this.id = id;
        this.ports = ports.clone();
        this.pool = pool;
        this.batch = new PacketBatch(pool.memory(), batchSize, STAGE_SLOTS);
        CounterLayout layout = new CounterLayout();
        registerWorkerCounters(layout);
        this.pipeline = new Pipeline(definition, id, batch, pool, layout);
        this.counters = pipeline.counters();
        this.publisher = publisher;
        this.epochs = publisher.epochs();
        this.perPortTx = new StageVector[ports.length];
        for (int p = 0; p < ports.length; p++) {
            perPortTx[p] = new StageVector(batch.capacity());
        }
        this.batchLatencyNs = new SingleWriterRecorder(1, MAX_TRACKED_BATCH_LATENCY_NS, 3);
        this.clock = clock;
    }

    private static void registerWorkerCounters(CounterLayout layout) {
        if (layout.register(RX_PACKETS) != ID_RX || layout.register(TX_PACKETS) != ID_TX
            || layout.register(BATCHES) != ID_BATCHES || layout.register(DROPPED_PACKETS) != ID_DROPPED
            || layout.register(NO_EGRESS_PORT) != ID_NO_EGRESS) {
            throw new IllegalStateException("worker counters must come first in the layout");
        }
    }

    @Override
    public int doWork() {
        batch.clear();
        int received = 0;
        for (int p = 0; p < ports.length && batch.size() < batch.receiveCapacity(); p++) {
            received += ports[p].receive(batch, p, pool);
        }
        if (received == 0) {
            epochs.quiesce(id);
            return 0;
        }
        long startNs = clock.nanoTime();
        ConfigSnapshot snapshot = adoptSnapshot();
        pipeline.run(batch, snapshot, startNs);
        transmit();
        releaseDropped();
        counters.add(ID_RX, received);
        counters.increment(ID_BATCHES);
        batchLatencyNs.recordValue(Math.min(MAX_TRACKED_BATCH_LATENCY_NS, Math.max(0, clock.nanoTime() - startNs)));
        return received;
    }

    /**
     * Reads the current snapshot and announces its epoch; re-reads after announcing so a publish
     * racing with us is either seen now or waits for our announcement (no stale table is used
     * after the control plane believes it is free).
     */
    private ConfigSnapshot adoptSnapshot() {
        ConfigSnapshot snapshot = publisher.current();
        epochs.adopt(id, snapshot.epoch());
        ConfigSnapshot again = publisher.current();
        if (again != snapshot) {
            snapshot = again;
            epochs.adopt(id, snapshot.epoch());
        }
        return snapshot;
    }

    private void transmit() {
        StageVector tx = pipeline.transmitVector();
        int size = tx.size();
        if (size == 0) {
            return;
        }
        int portCount = ports.length;
        for (int i = 0; i < size; i++) {
            int slot = tx.slot(i);
            int port = batch.egressPort[slot];
            if (port >= 0 && port < portCount) {
                perPortTx[port].add(slot);
            } else {
                counters.increment(ID_NO_EGRESS);
                counters.increment(ID_DROPPED);
                pool.release(batch.frame[slot]);
            }
        }
        for (int p = 0; p < portCount; p++) {
            StageVector vector = perPortTx[p];
            if (!vector.isEmpty()) {
                counters.add(ID_TX, ports[p].transmit(batch, vector, pool));
                vector.clear();
            }
        }
    }

    private void releaseDropped() {
        StageVector drop = pipeline.dropVector();
        int size = drop.size();
        for (int i = 0; i < size; i++) {
            pool.release(batch.frame[drop.slot(i)]);
        }
        counters.add(ID_DROPPED, size);
    }

    @Override
    public void onClose() {
        epochs.quiesce(id);
        for (PacketIo port : ports) {
            port.onWorkerClose();
        }
    }

    @Override
    public String roleName() {
        return "softgate-worker-" + id;
    }

    public int id() {
        return id;
    }

    public WorkerCounters counters() {
        return counters;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** Per-batch latency in nanoseconds; the control thread takes interval histograms from it. */
    public SingleWriterRecorder batchLatencyNs() {
        return batchLatencyNs;
    }

    public FramePool pool() {
        return pool;
    }
}
