package io.softgate.service.api;

import io.softgate.core.counter.CounterRegistry;
import io.softgate.core.pipeline.Worker;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.service.config.SoftgateConfig;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What the API may read of the running node: its configuration, counters, workers (for batch
 * latency), the snapshot publisher (epoch) and whether the data plane is running.
 *
 * <p>Threading: immutable holder; the referenced objects document their own contracts.
 */
public record NodeView(SoftgateConfig config, CounterRegistry counters, List<Worker> workers,
                       SnapshotPublisher publisher, BooleanSupplier running) {
    public NodeView {
        workers = List.copyOf(workers);
    }
}
