package io.softgate.lb.compile;

import io.softgate.lb.model.BackendKey;

/**
 * The health the compiler assumes for each backend (fed by the health checker).
 *
 * <p>Threading: implementations must be safe to call from the control thread that compiles.
 */
@FunctionalInterface
public interface BackendHealth {
    /** Every backend healthy (services without a health check, and before any probe ran). */
    BackendHealth ALL_HEALTHY = key -> true;

    boolean isHealthy(BackendKey key);
}
