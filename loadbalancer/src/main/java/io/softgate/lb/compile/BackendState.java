package io.softgate.lb.compile;

/**
 * Compiled state of a backend id in one snapshot, as the data plane reads it (int constants, so
 * the per-packet check is one array load and a compare).
 *
 * <p>Threading: constants only.
 */
public final class BackendState {
    /** The id names no backend in this snapshot (removed, or never existed): its connections move. */
    public static final byte ABSENT = 0;
    /** Healthy and enabled with weight: takes new connections and keeps established ones. */
    public static final byte ACTIVE = 1;
    /** In maintenance or weight 0, and healthy: keeps established connections, gets no new ones. */
    public static final byte DRAINING = 2;
    /** Failed its health check: gets nothing; its connections are moved on their next packet. */
    public static final byte DOWN = 3;

    private BackendState() {
    }

    /** True when established connections to a backend in {@code state} stay on it. */
    public static boolean keepsConnections(byte state) {
        return state == ACTIVE || state == DRAINING;
    }
}
