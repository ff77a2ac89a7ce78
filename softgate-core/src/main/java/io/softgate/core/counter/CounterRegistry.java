package io.softgate.core.counter;

import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIoCounters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every worker's counters and every packet I/O queue's counters, summed on demand for the control
 * plane (metrics, CLI, tests). The queues' sums are named {@value #IO_RX_PACKETS},
 * {@value #IO_RX_BYTES}, {@value #IO_TX_PACKETS}, {@value #IO_TX_BYTES},
 * {@value #IO_RX_FRAME_WAITS} and {@code io.drop.<label>} ({@link IoDropReason}), after the pipeline's counters.
 *
 * <p>Threading: workers and queues are added by the control thread; {@link #totals()} may be
 * called from any thread and never blocks a worker.
 */
public final class CounterRegistry {
    public static final String IO_RX_PACKETS = "io.rx-packets";
    public static final String IO_RX_BYTES = "io.rx-bytes";
    public static final String IO_TX_PACKETS = "io.tx-packets";
    public static final String IO_TX_BYTES = "io.tx-bytes";
    /** Receives stopped for want of a free frame, their packets left queued: a stall, not a drop. */
    public static final String IO_RX_FRAME_WAITS = "io.rx-frame-waits";
    private static final String IO_DROP_PREFIX = "io.drop.";

    private final List<WorkerCounters> workers = new CopyOnWriteArrayList<>();
    private final List<PacketIoCounters> queues = new CopyOnWriteArrayList<>();

    public void add(WorkerCounters counters) {
        workers.add(counters);
    }

    /** Adds a packet I/O queue's counters to the {@code io.*} sums (the same queue twice counts once). */
    public void addQueue(PacketIoCounters counters) {
        if (!queues.contains(counters)) {
            queues.add(counters);
        }
    }

    public List<WorkerCounters> workers() {
        return List.copyOf(workers);
    }

    /** Sum over all workers (or, for an {@code io.*} name, all queues) of the counter called {@code name}; 0 when none has it. */
    public long total(String name) {
        if (name.startsWith("io.")) {
            Long io = ioTotals().get(name);
            return io == null ? 0 : io;
        }
        long sum = 0;
        for (WorkerCounters worker : workers) {
            int id = worker.layout().id(name);
            if (id >= 0) {
                sum += worker.get(id);
            }
        }
        return sum;
    }

    /** Every counter name with its sum over all workers, in layout order, then the {@code io.*} sums. */
    public Map<String, Long> totals() {
        Map<String, Long> totals = new LinkedHashMap<>();
        for (WorkerCounters worker : workers) {
            CounterLayout layout = worker.layout();
            for (int id = 0; id < layout.size(); id++) {
                totals.merge(layout.name(id), worker.get(id), Long::sum);
            }
        }
        totals.putAll(ioTotals());
        return totals;
    }

    /** The {@code io.*} sums over every added queue (all names, zeros included, once a queue was added). */
    private Map<String, Long> ioTotals() {
        Map<String, Long> totals = new LinkedHashMap<>();
        if (queues.isEmpty()) {
            return totals;
        }
        long rxPackets = 0;
        long rxBytes = 0;
        long txPackets = 0;
        long txBytes = 0;
        long frameWaits = 0;
        long[] drops = new long[IoDropReason.count()];
        for (PacketIoCounters queue : queues) {
            rxPackets += queue.receivedPackets();
            rxBytes += queue.receivedBytes();
            txPackets += queue.transmittedPackets();
            txBytes += queue.transmittedBytes();
            frameWaits += queue.receiveFrameWaits();
            for (int reason = 0; reason < drops.length; reason++) {
                drops[reason] += queue.drops(IoDropReason.byOrdinal(reason));
            }
        }
        totals.put(IO_RX_PACKETS, rxPackets);
        totals.put(IO_RX_BYTES, rxBytes);
        totals.put(IO_TX_PACKETS, txPackets);
        totals.put(IO_TX_BYTES, txBytes);
        totals.put(IO_RX_FRAME_WAITS, frameWaits);
        for (int reason = 0; reason < drops.length; reason++) {
            totals.put(IO_DROP_PREFIX + IoDropReason.byOrdinal(reason).label(), drops[reason]);
        }
        return totals;
    }
}
