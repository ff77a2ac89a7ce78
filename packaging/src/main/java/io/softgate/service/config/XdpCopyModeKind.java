package io.softgate.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How AF_XDP sockets bind: {@code auto} (zero-copy where the driver has it, else copy),
 * {@code zero-copy} (refuse to start without it) or {@code copy}.
 *
 * <p>Threading: immutable.
 */
public enum XdpCopyModeKind {
    @JsonProperty("auto") AUTO,
    @JsonProperty("zero-copy") ZERO_COPY,
    @JsonProperty("copy") COPY
}
