package io.softgate.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which packet I/O backend the workers use, with that backend's settings, and what to do when a
 * native backend is unavailable ({@code fallback}: refuse to start, or use {@code udp}).
 *
 * <p>Threading: immutable.
 */
public record IoConfig(IoBackendKind backend, UdpConfig udp, PcapConfig pcap,
                       @JsonProperty("af_xdp") AfXdpConfig afXdp, IoFallbackKind fallback, TunConfig tun) {
    static final IoConfig DEFAULTS = new IoConfig(null, null, null, null, null, null);

    public IoConfig {
        backend = backend == null ? IoBackendKind.UDP : backend;
        udp = udp == null ? UdpConfig.DEFAULTS : udp;
        pcap = pcap == null ? PcapConfig.NONE : pcap;
        afXdp = afXdp == null ? AfXdpConfig.NONE : afXdp;
        fallback = fallback == null ? IoFallbackKind.NONE : fallback;
        tun = tun == null ? TunConfig.NONE : tun;
    }
}
