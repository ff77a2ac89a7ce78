package io.softgate.lb.model;

/**
 * What the operator wants of a backend: {@link #ENABLED} takes new connections (while healthy);
 * {@link #MAINTENANCE} drains: it gets no new connections but keeps its established ones.
 *
 * <p>Threading: immutable enum.
 */
public enum BackendAdminState {
    ENABLED,
    MAINTENANCE
}
