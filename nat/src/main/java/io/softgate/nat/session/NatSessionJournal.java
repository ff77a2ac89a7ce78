package io.softgate.nat.session;

/**
 * Hook for session persistence (the Chronicle Map hitless-restart store, DESIGN §4): told of every
 * session created (slow path) and deleted (sweeper) with its two keys and both rewrites.
 *
 * <p>Threading: {@link #sessionCreated} is called from any worker thread on the slow path and
 * must be lock-free and allocation-free (e.g. write into a ring buffer); {@link #sessionDeleted}
 * is called from the sweeper thread.
 */
public interface NatSessionJournal {
    /** A journal that records nothing. */
    NatSessionJournal NONE = new NatSessionJournal() {
        @Override
        public void sessionCreated(long inside0, long inside1, long outside0, long outside1, long insideRewrite0,
                                   long insideRewrite1, long outsideRewrite0, long outsideRewrite1) {
        }

        @Override
        public void sessionDeleted(long inside0, long inside1) {
        }
    };

    void sessionCreated(long inside0, long inside1, long outside0, long outside1, long insideRewrite0,
                        long insideRewrite1, long outsideRewrite0, long outsideRewrite1);

    void sessionDeleted(long inside0, long inside1);
}
