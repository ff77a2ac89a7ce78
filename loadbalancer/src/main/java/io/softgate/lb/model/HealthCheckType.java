package io.softgate.lb.model;

/**
 * How a service's backends are probed: not at all (always healthy), TCP connect, or HTTP GET
 * (2xx and 3xx answers are healthy).
 *
 * <p>Threading: immutable enum.
 */
public enum HealthCheckType {
    NONE,
    TCP,
    HTTP
}
