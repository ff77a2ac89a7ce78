package io.softgate.nat.session;

/**
 * Hook for session persistence (the Chronicle Map hitless-restart store, DESIGN §4): told of every
 * session created (slow path), of deadline refreshes that cross a {@link #REFRESH_GRANULARITY_NS}
 * window and of TCP state changes (fast path), and of every session deleted (sweeper). Sessions
 * are named by their inside key; deadlines are readings of the workers' nanosecond clock (the
 * journal converts them to wall-clock time, which survives a restart).
 *
 * <p>Threading: {@link #sessionCreated} and {@link #sessionRefreshed} are called from any worker
 * thread and must be lock-free and allocation-free (e.g. write into a ring buffer);
 * {@link #sessionDeleted} is called from the sweeper thread.
 */
public interface NatSessionJournal {
    /**
     * Refreshes are journaled only when a session's deadline enters a new window of this many
     * nanoseconds (about 68.7 s), so an active session costs one record per window rather than one
     * per second. A persisted deadline therefore lags the true one by less than this: a restore
     * adds it, so a session is never expired early (at worst this much late).
     */
    long REFRESH_GRANULARITY_NS = 1L << 36;

    /** A journal that records nothing. */
    NatSessionJournal NONE = new NatSessionJournal() {
        @Override
        public void sessionCreated(long inside0, long inside1, long outside0, long outside1, long insideRewrite0,
                                   long insideRewrite1, long outsideRewrite0, long outsideRewrite1,
                                   long expiresAtNs) {
        }

        @Override
        public void sessionRefreshed(long inside0, long inside1, int tcpState, long expiresAtNs) {
        }

        @Override
        public void sessionDeleted(long inside0, long inside1) {
        }
    };

    /** A session was created: both keys, both precompiled rewrites, its idle deadline (worker clock). */
    void sessionCreated(long inside0, long inside1, long outside0, long outside1, long insideRewrite0,
                        long insideRewrite1, long outsideRewrite0, long outsideRewrite1, long expiresAtNs);

    /** The session of inside key {@code inside0, inside1} now has TCP state {@code tcpState} and this deadline. */
    void sessionRefreshed(long inside0, long inside1, int tcpState, long expiresAtNs);

    void sessionDeleted(long inside0, long inside1);
}
