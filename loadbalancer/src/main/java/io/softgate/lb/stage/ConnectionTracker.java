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
    /**
     * Slots an insert may probe. Linear probing at half load still forms the odd cluster longer
     * than the table's default 32 (measured: 2 failed inserts in 1M connections), and a miss stops
     * at the first empty slot anyway, so a wider window costs only where the table is crowded.
     */
    static final int PROBE_WINDOW = 128;

    private final FlowTable table;

    /**
     * A table for {@code connections} connections: two entries each, and twice that many slots so
     * the table stays at most half full and inserts rarely exhaust a probe window (64 bytes per
     * slot: 1M connections take 256 MiB of direct memory).
     */
    public ConnectionTracker(int connections) {
        this.table = new FlowTable((int) Math.min(FlowTable.MAX_CAPACITY, Math.max(4L, connections * 4L)),
            ConnectionLayout.KEY_WORDS, ConnectionLayout.VALUE_WORDS, PROBE_WINDOW);
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
