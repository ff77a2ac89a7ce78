package io.softgate.evpn.bgp.config;

/**
 * Graceful restart (RFC 4724) as both helper and restarting speaker.
 *
 * @param enabled advertise the capability (helper mode needs it too, or FRR sends no End-of-RIB)
 * @param restartTimeSeconds how long peers keep our routes after we go away (max 4095)
 * @param restarting set the Restart State bit: this process restarted within the restart time
 *                   and peers should keep its routes until our End-of-RIB
 * @param forwardingStatePreserved set the F bit for our families (the data plane kept forwarding)
 * @param stalePathTimeSeconds upper bound on keeping a restarted peer's stale routes after it
 *                             is back, if its End-of-RIB never comes
 *
 * <p>Threading: immutable, safe to share.
 */
public record GracefulRestartSettings(boolean enabled, int restartTimeSeconds, boolean restarting,
                                      boolean forwardingStatePreserved, int stalePathTimeSeconds) {
    public static final GracefulRestartSettings DEFAULT = new GracefulRestartSettings(true, 120, false, true, 360);
    public static final GracefulRestartSettings DISABLED = new GracefulRestartSettings(false, 0, false, false, 0);

    public GracefulRestartSettings {
        if (restartTimeSeconds < 0 || restartTimeSeconds > 4095) {
            throw new IllegalArgumentException("restart time must be 0..4095 s: " + restartTimeSeconds);
        }
    }

    public GracefulRestartSettings withRestarting(boolean value) {
        return new GracefulRestartSettings(enabled, restartTimeSeconds, value, forwardingStatePreserved, stalePathTimeSeconds);
    }
}
