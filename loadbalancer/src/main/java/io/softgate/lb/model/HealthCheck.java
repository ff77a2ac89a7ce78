package io.softgate.lb.model;

/**
 * A service's health check: type, per-probe timeout, interval between probes, the HTTP request
 * path, and the number of consecutive successes ({@code rise}) or failures ({@code fall}) that
 * change a backend's state.
 *
 * <p>Threading: immutable value.
 */
public record HealthCheck(HealthCheckType type, int timeoutMs, int intervalMs, String requestPath, int rise, int fall) {
    /** Default probe timeout (ms). */
    public static final int DEFAULT_TIMEOUT_MS = 2_000;
    /** Default interval between two probes of one backend (ms). */
    public static final int DEFAULT_INTERVAL_MS = 5_000;
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;

    /** No probing: backends count as healthy. */
    public static final HealthCheck NONE =
        new HealthCheck(HealthCheckType.NONE, DEFAULT_TIMEOUT_MS, DEFAULT_INTERVAL_MS, "/", DEFAULT_RISE, DEFAULT_FALL);

    public static HealthCheck tcp(int timeoutMs, int intervalMs, int rise, int fall) {
        return new HealthCheck(HealthCheckType.TCP, timeoutMs, intervalMs, "/", rise, fall);
    }

    public static HealthCheck http(String requestPath, int timeoutMs, int intervalMs, int rise, int fall) {
        return new HealthCheck(HealthCheckType.HTTP, timeoutMs, intervalMs, requestPath, rise, fall);
    }
}
