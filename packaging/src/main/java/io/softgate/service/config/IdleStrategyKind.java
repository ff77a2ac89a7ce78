package io.softgate.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a worker waits when a duty cycle found no packet: back off (spin, yield, then park; the
 * default, kind to shared cores) or spin without pause (lowest latency, burns its core).
 *
 * <p>Threading: immutable.
 */
public enum IdleStrategyKind {
    @JsonProperty("backoff") BACKOFF,
    @JsonProperty("busy-spin") BUSY_SPIN
}
