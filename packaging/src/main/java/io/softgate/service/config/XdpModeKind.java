package io.softgate.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where the AF_XDP steering program runs: {@code auto} (driver if it can, else generic),
 * {@code native} (driver only) or {@code generic} (the kernel's SKB path, any interface).
 *
 * <p>Threading: immutable.
 */
public enum XdpModeKind {
    @JsonProperty("auto") AUTO,
    @JsonProperty("native") NATIVE,
    @JsonProperty("generic") GENERIC
}
