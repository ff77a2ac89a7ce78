package io.softgate.lb.stage;

import io.softgate.core.flow.FlowTable;

/**
 * The connection table every worker's {@code lb-vip} and {@code lb-reply} stages share: one
 * lock-free {@link FlowTable} holding both directions of every load-balanced connection, so the
 * reply finds its state whichever worker it lands on.
 *
 * <p>Threading: safe for any number of worker threads (the table is lock-free); sized once.
 */
public final class ConnectionTracker implements AutoCloseable {
    private final FlowTable table;

    /**
     * A table for {@code connections} connections: two entries each, and twice that many slots so
     * the table stays at most half full and inserts rarely exhaust a probe window (64 bytes per
     * slot: 1M connections take 256 MiB of direct memory).
     */
    public ConnectionTracker(int connections) {
        this.table = new FlowTable((int) Math.min(FlowTable.MAX_CAPACITY, Math.max(4L, connections * 4L)),
            ConnectionLayout.KEY_WORDS, ConnectionLayout.VALUE_WORDS);
    }

    public FlowTable table() {
        return table;
    }

    /** Entries (two per connection) currently live, expired ones not yet reclaimed included. */
    public int entries() {
        return table.size();
    }

    /** Deletes entries idle past their expiry (a housekeeping task may call it; lookups ignore them anyway). */
    public int removeExpired(long nowNs) {
        return table.removeExpired(nowNs);
    }

    @Override
    public void close() {
        table.close();
    }
}
