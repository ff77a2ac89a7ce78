package io.softgate.lb.stage;

import io.softgate.core.flow.FlowTable;
import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.lb.compile.LoadBalancerTables;
import java.util.List;

/**
 * What the two load-balancer stages share: the single next edge, the tracked-connection table
 * with its batch prefetch, the per-instance scratch key and value, the stage's declared drop
 * reasons and event counters, and the lookup of the published load-balancer tables.
 *
 * <p>Threading: one instance per worker (the scratch arrays are per instance); the connection
 * table is shared and lock-free; allocation-free after construction.
 */
abstract class ConnectionStage implements Stage {
    /** The only edge: every packet that is not dropped goes to the next stage. */
    static final int EDGE_NEXT = 0;

    final FlowTable connections;
    final ConnectionBatchLookup batchLookup;
    /** Scratch connection key of the packet being processed. */
    final long[] key = new long[ConnectionLayout.KEY_WORDS];
    /** Scratch connection value (the rewrite) of the packet being processed. */
    final long[] value = new long[ConnectionLayout.VALUE_WORDS];
    private final List<String> nextStages;
    private final DropReason[] dropReasons;
    private final List<String> eventCounters;

    ConnectionStage(ConnectionTracker tracker, String nextStage, DropReason[] dropReasons, List<String> eventCounters) {
        this.connections = tracker.table();
        this.batchLookup = new ConnectionBatchLookup(connections);
        this.nextStages = List.of(nextStage);
        this.dropReasons = dropReasons;
        this.eventCounters = List.copyOf(eventCounters);
    }

    @Override
    public final List<String> nextStages() {
        return nextStages;
    }

    @Override
    public final DropReason[] dropReasons() {
        return dropReasons;
    }

    @Override
    public final List<String> eventCounters() {
        return eventCounters;
    }

    /** The published load-balancer tables, or null before any configuration (then packets pass). */
    static LoadBalancerTables tablesOf(StageContext context) {
        ConfigSnapshot snapshot = context.snapshot();
        return snapshot == null ? null : snapshot.get(LoadBalancerTables.SLOT);
    }
}
