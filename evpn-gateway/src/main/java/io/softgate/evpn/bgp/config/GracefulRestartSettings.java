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
 * @param onStop how the sessions end when the speaker stops: {@link StopMode#RESTART} (peers keep
 *               our routes for the restart time) or {@link StopMode#SHUTDOWN} (they withdraw them
 *               at once); without {@code enabled} a stop is always a shutdown
 * @param selectionDeferralTimeSeconds as a restarting speaker ({@code restarting}), the longest we
 *                                     hold back our routes and End-of-RIB from graceful-restart
 *                                     peers while waiting for their End-of-RIB (RFC 4724 §4.1,
 *                                     Selection_Deferral_Timer)
 *
 * <p>Threading: immutable, safe to share.
 */
public record GracefulRestartSettings(boolean enabled, int restartTimeSeconds, boolean restarting,
                                      boolean forwardingStatePreserved, int stalePathTimeSeconds,
                                      boolean notification, StopMode onStop, int selectionDeferralTimeSeconds) {
    /**
     * RFC 4724 §4.1 leaves the Selection_Deferral_Timer to configuration. 60 s: a leaf sends its
     * table and End-of-RIB within seconds of Established, and our End-of-RIB must reach the
     * leaves well before their stale-path timers (FRR: 360 s) sweep the routes they kept for us.
     */
    public static final int DEFAULT_SELECTION_DEFERRAL_TIME_SECONDS = 60;
    /**
     * On, with the N bit: a gateway whose routes a leaf flushes on the first NOTIFICATION (a
     * malformed UPDATE RFC 7606 cannot contain, a hold-timer expiry on a busy control plane)
     * blackholes every tenant at once; with N the session resets but the leaf keeps forwarding
     * on stale routes for the restart time, as for a TCP failure. What must end the session
     * for good still does: Hard Reset (RFC 8538 §3) flushes, and only a peer that sets N too
     * changes behaviour.
     */
    public static final GracefulRestartSettings DEFAULT = new GracefulRestartSettings(true, 120, false, true, 360, true,
            StopMode.RESTART, DEFAULT_SELECTION_DEFERRAL_TIME_SECONDS);
    public static final GracefulRestartSettings DISABLED = new GracefulRestartSettings(false, 0, false, false, 0, false,
            StopMode.SHUTDOWN, 0);

    public GracefulRestartSettings {
        if (restartTimeSeconds < 0 || restartTimeSeconds > 4095) {
            throw new IllegalArgumentException("restart time must be 0..4095 s: " + restartTimeSeconds);
        }
        if (onStop == null) {
            throw new IllegalArgumentException("onStop is required");
        }
        if (selectionDeferralTimeSeconds < 0) {
            throw new IllegalArgumentException("selection deferral time must not be negative: " + selectionDeferralTimeSeconds);
        }
    }

    public GracefulRestartSettings withRestarting(boolean value) {
        return new GracefulRestartSettings(enabled, restartTimeSeconds, value, forwardingStatePreserved,
                stalePathTimeSeconds, notification, onStop, selectionDeferralTimeSeconds);
    }

    public GracefulRestartSettings withNotification(boolean value) {
        return new GracefulRestartSettings(enabled, restartTimeSeconds, restarting, forwardingStatePreserved,
                stalePathTimeSeconds, value, onStop, selectionDeferralTimeSeconds);
    }

    public GracefulRestartSettings withOnStop(StopMode value) {
        return new GracefulRestartSettings(enabled, restartTimeSeconds, restarting, forwardingStatePreserved,
                stalePathTimeSeconds, notification, value, selectionDeferralTimeSeconds);
    }

    public GracefulRestartSettings withSelectionDeferralTimeSeconds(int value) {
        return new GracefulRestartSettings(enabled, restartTimeSeconds, restarting, forwardingStatePreserved,
                stalePathTimeSeconds, notification, onStop, value);
    }

    /** How a stop ends the sessions: {@code onStop}, except that without graceful restart it is always a shutdown. */
    public StopMode effectiveOnStop() {
        return enabled ? onStop : StopMode.SHUTDOWN;
    }

    /** Whether our OPENs set the Restart State (R) bit at start: the capability is advertised and we restarted. */
    public boolean restartingSpeaker() {
        return enabled && restarting;
    }

    /** Whether our OPEN sets the N bit: the capability is advertised and notification support is on. */
    public boolean advertisesNotification() {
        return enabled && notification;
    }
}
