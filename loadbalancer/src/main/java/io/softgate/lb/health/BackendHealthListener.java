package io.softgate.lb.health;

import io.softgate.lb.model.BackendKey;

/**
 * Told when a backend's health flips (after rise or fall consecutive probe results).
 *
 * <p>Threading: called from a probe thread, one change at a time per checker.
 */
@FunctionalInterface
public interface BackendHealthListener {
    void healthChanged(BackendKey backend, boolean healthy);
}
