package io.softgate.service.config;

/**
 * Which packet I/O backend the workers use, with that backend's settings.
 *
 * <p>Threading: immutable.
 */
public record IoConfig(IoBackendKind backend, UdpConfig udp, PcapConfig pcap) {
    static final IoConfig DEFAULTS = new IoConfig(null, null, null);

    public IoConfig {
        backend = backend == null ? IoBackendKind.UDP : backend;
        udp = udp == null ? UdpConfig.DEFAULTS : udp;
        pcap = pcap == null ? PcapConfig.NONE : pcap;
    }
}
