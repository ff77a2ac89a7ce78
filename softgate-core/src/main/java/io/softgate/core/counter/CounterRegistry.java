package io.softgate.core.counter;

import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIoCounters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every worker's counters, summed on demand for the control plane (metrics, CLI, tests), and the
 * drop counters of the packet I/O queues added with {@link #addPort}, summed as
 * {@code io.drop.<label>} ({@link IoDropReason}): a packet a queue lost on its way in or out is
 * counted there, not by any stage.
 *
 * <p>Threading: workers and ports are added by the control thread; {@link #totals()} may be called from any
 * thread and never blocks a worker.
 */
public final class CounterRegistry {
    /** Name prefix of the I/O queues' drop counters: {@code io.drop.<label>}. */
    public static final String IO_DROP_PREFIX = "io.drop.";

    private final List<WorkerCounters> workers = new CopyOnWriteArrayList<>();
    private final List<PacketIoCounters> ports = new CopyOnWriteArrayList<>();

    public void add(WorkerCounters counters) {
        workers.add(counters);
    }

    /** Adds one packet I/O queue's counters: its drops count in {@code io.drop.<label>}. */
    public void addPort(PacketIoCounters counters) {
        ports.add(counters);
    }

    public List<WorkerCounters> workers() {
        return List.copyOf(workers);
    }

    /** Sum over all workers (or, for {@code io.drop.<label>}, all ports) of the counter called {@code name} (0 when none has it). */
    public long total(String name) {
        long sum = 0;
        if (name.startsWith(IO_DROP_PREFIX)) {
            for (IoDropReason reason : IoDropReason.values()) {
                if (name.equals(IO_DROP_PREFIX + reason.label())) {
                    sum += ioDrops(reason);
                }
            }
        }
        for (WorkerCounters worker : workers) {
            int id = worker.layout().id(name);
            if (id >= 0) {
                sum += worker.get(id);
            }
        }
        return sum;
    }

    /** Every counter name with its sum over all workers, in layout order. */
    public Map<String, Long> totals() {
        Map<String, Long> totals = new LinkedHashMap<>();
        for (WorkerCounters worker : workers) {
            CounterLayout layout = worker.layout();
            for (int id = 0; id < layout.size(); id++) {
                totals.merge(layout.name(id), worker.get(id), Long::sum);
            }
        }
        if (!ports.isEmpty()) {
            for (IoDropReason reason : IoDropReason.values()) {
                totals.merge(IO_DROP_PREFIX + reason.label(), ioDrops(reason), Long::sum);
            }
        }
        return totals;
    }

    private long ioDrops(IoDropReason reason) {
        long sum = 0;
        for (PacketIoCounters port : ports) {
            sum += port.drops(reason);
        }
        return sum;
    }
}
