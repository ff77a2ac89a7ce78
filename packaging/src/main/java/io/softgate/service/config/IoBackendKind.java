package io.softgate.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The packet I/O backends a configuration may name: {@code udp} terminates VXLAN on a UDP socket
 * (the default; no privilege beyond binding the port); {@code pcap} reads and writes capture
 * files; {@code memory} is for in-process tests and tools.
 *
 * <p>Threading: immutable.
 */
public enum IoBackendKind {
    @JsonProperty("udp") UDP,
    @JsonProperty("pcap") PCAP,
    @JsonProperty("memory") MEMORY;

    /** The name used in the configuration file. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
