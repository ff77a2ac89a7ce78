package io.softgate.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The packet I/O backends a configuration may name: {@code udp} terminates VXLAN on a UDP socket
 * (the default; no privilege beyond binding the port); {@code af_xdp} receives and sends raw
 * frames on an interface through AF_XDP sockets (needs CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF);
 * {@code pcap} reads and writes capture files; {@code memory} is for in-process tests and tools.
 *
 * <p>Threading: immutable.
 */
public enum IoBackendKind {
    @JsonProperty("udp") UDP,
    @JsonProperty("af_xdp") AF_XDP,
    @JsonProperty("pcap") PCAP,
    @JsonProperty("memory") MEMORY;

    /** The name used in the configuration file. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
