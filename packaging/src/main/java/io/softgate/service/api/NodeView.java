package io.softgate.service.api;

import io.softgate.core.counter.CounterRegistry;
import io.softgate.core.pipeline.Worker;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.service.config.SoftgateConfig;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What the API may read of the running node: its configuration, counters, workers (for batch
 * latency), the snapshot publisher (epoch), whether the data plane is running, and the stateful
 * objects behind the state endpoints ({@link StateSources}).
 *
 * <p>Threading: immutable holder; the referenced objects document their own contracts.
 */
public record NodeView(SoftgateConfig config, CounterRegistry counters, List<Worker> workers,
                       SnapshotPublisher publisher, BooleanSupplier running, StateSources state) {
    public NodeView {
        workers = List.copyOf(workers);
        state = state == null ? StateSources.NONE : state;
    }

    /** A view without session tables, LB controller or BGP speaker (their endpoints say so). */
    public NodeView(SoftgateConfig config, CounterRegistry counters, List<Worker> workers,
                    SnapshotPublisher publisher, BooleanSupplier running) {
        this(config, counters, workers, publisher, running, StateSources.NONE);
    }
}
