package io.softgate.lb.health;

/**
 * The rise/fall state of one backend: it goes down after {@code fall} consecutive failed probes
 * and up again after {@code rise} consecutive successes. A new backend starts healthy, so adding
 * a service never blackholes it while the first probes run (the data plane moves connections
 * away from it within fall x interval if it is in fact dead).
 *
 * <p>Threading: not thread-safe; the checker serialises access per backend.
 */
final class RiseFallCounter {
    private int rise;
    private int fall;
    private boolean healthy = true;
    private int successes;
    private int failures;

    RiseFallCounter(int rise, int fall) {
        this.rise = rise;
        this.fall = fall;
    }

    void thresholds(int newRise, int newFall) {
        this.rise = newRise;
        this.fall = newFall;
    }

    /** Records one probe result; returns true when the health state flipped. */
    boolean record(boolean success) {
        if (success) {
            failures = 0;
            successes++;
            if (!healthy && successes >= rise) {
                healthy = true;
                return true;
            }
        } else {
            successes = 0;
            failures++;
            if (healthy && failures >= fall) {
                healthy = false;
                return true;
            }
        }
        return false;
    }

    boolean healthy() {
        return healthy;
    }

    /** Consecutive successful probes since the last failure. */
    int successes() {
        return successes;
    }

    /** Consecutive failed probes since the last success. */
    int failures() {
        return failures;
    }
}
