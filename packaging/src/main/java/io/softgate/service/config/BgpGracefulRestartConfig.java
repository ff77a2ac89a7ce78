package io.softgate.service.config;

/**
 * Graceful restart (RFC 4724): whether we advertise the capability (FRR sends End-of-RIB only to
 * peers that do), how long peers keep our routes after we go away, and whether we set the RFC
 * 8538 N bit (with a peer that sets it too, a NOTIFICATION or hold-timer expiry restarts the
 * session gracefully; a Hard Reset still flushes), and how stopping the service ends the sessions
 * ({@code onStop}: {@code restart}, the leaves keep our routes while we restart, or {@code shutdown},
 * they withdraw them at once).
 *
 * <p>Threading: immutable.
 */
public record BgpGracefulRestartConfig(Boolean enabled, Integer restartTimeSeconds, Boolean notification,
                                       GracefulRestartStopKind onStop) {
    public static final int DEFAULT_RESTART_TIME_SECONDS = 120;
    /** RFC 4724 §3: the restart time is a 12-bit field. */
    public static final int MAX_RESTART_TIME_SECONDS = 4095;
    static final BgpGracefulRestartConfig DEFAULTS = new BgpGracefulRestartConfig(null, null, null, null);

    public BgpGracefulRestartConfig {
        enabled = enabled == null || enabled;
        restartTimeSeconds = restartTimeSeconds == null ? DEFAULT_RESTART_TIME_SECONDS : restartTimeSeconds;
        notification = notification == null || notification;
        onStop = onStop == null ? GracefulRestartStopKind.RESTART : onStop;
    }
}
