package io.softgate.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the service does when the configured backend is unavailable on this machine: refuse to
 * start (the default, {@code none}) or run on the UDP backend instead ({@code udp}), logging why.
 *
 * <p>Threading: immutable.
 */
public enum IoFallbackKind {
    @JsonProperty("none") NONE,
    @JsonProperty("udp") UDP
}
