package io.softgate.evpn.bgp.config;

/**
 * Graceful restart (RFC 4724) as both helper and restarting speaker, with RFC 8538 notification
 * support.
 *
 * @param enabled advertise the capability (helper mode needs it too, or FRR sends no End-of-RIB)
 * @param restartTimeSeconds how long peers keep our routes after we go away (max 4095)
 * @param restarting set the Restart State bit: this process restarted within the restart time
 *                   and peers should keep its routes until our End-of-RIB
 * @param forwardingStatePreserved set the F bit for our families (the data plane kept forwarding)
 * @param stalePathTimeSeconds upper bound on keeping a restarted peer's stale routes after it
 *                             is back, if its End-of-RIB never comes
 * @param notification set the N bit (RFC 8538 §2): with a peer that sets it too, a NOTIFICATION
 *                     either way (other than a Hard Reset) or a hold-timer expiry restarts the
 *                     session gracefully instead of flushing the routes; only with {@code enabled}
 *
 * <p>Threading: immutable, safe to share.
 */
public record GracefulRestartSettings(boolean enabled, int restartTimeSeconds, boolean restarting,
                                      boolean forwardingStatePreserved, int stalePathTimeSeconds,
                                      boolean notification) {
    /**
     * On, with the N bit: a gateway whose routes a leaf flushes on the first NOTIFICATION (a
     * malformed UPDATE RFC 7606 cannot contain, a hold-timer expiry on a busy control plane)
     * blackholes every tenant at once; with N the session resets but the leaf keeps forwarding
     * on stale routes for the restart time, as for a TCP failure. What must end the session
     * for good still does: Hard Reset (RFC 8538 §3) flushes, and only a peer that sets N too
     * changes behaviour.
     */
    public static final GracefulRestartSettings DEFAULT = new GracefulRestartSettings(true, 120, false, true, 360, true);
    public static final GracefulRestartSettings DISABLED = new GracefulRestartSettings(false, 0, false, false, 0, false);

    public GracefulRestartSettings {
        if (restartTimeSeconds < 0 || restartTimeSeconds > 4095) {
            throw new IllegalArgumentException("restart time must be 0..4095 s: " + restartTimeSeconds);
        }
    }

    public GracefulRestartSettings withRestarting(boolean value) {
        return new GracefulRestartSettings(enabled, restartTimeSeconds, value, forwardingStatePreserved,
                stalePathTimeSeconds, notification);
    }

    public GracefulRestartSettings withNotification(boolean value) {
        return new GracefulRestartSettings(enabled, restartTimeSeconds, restarting, forwardingStatePreserved,
                stalePathTimeSeconds, value);
    }

    /** Whether our OPEN sets the N bit: the capability is advertised and notification support is on. */
    public boolean advertisesNotification() {
        return enabled && notification;
    }
}
