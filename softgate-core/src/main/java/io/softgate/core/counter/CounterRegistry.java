package io.softgate.core.counter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every worker's counters, summed on demand for the control plane (metrics, CLI, tests).
 *
 * <p>Threading: workers are added by the control thread; {@link #totals()} may be called from any
 * thread and never blocks a worker.
 */
public final class CounterRegistry {
    private final List<WorkerCounters> workers = new CopyOnWriteArrayList<>();

    public void add(WorkerCounters counters) {
        workers.add(counters);
    }

    public List<WorkerCounters> workers() {
        return List.copyOf(workers);
    }

    /** Sum over all workers of the counter called {@code name} (0 when no worker has it). */
    public long total(String name) {
        long sum = 0;
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
        return totals;
    }
}
