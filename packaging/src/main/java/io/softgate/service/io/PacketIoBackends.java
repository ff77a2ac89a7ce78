package io.softgate.service.io;

import io.softgate.core.io.MemoryPacketIoBackend;
import io.softgate.core.io.PacketIoBackend;
import io.softgate.core.io.PcapPacketIoBackend;
import io.softgate.core.memory.FrameMemory;
import io.softgate.io.tun.TunMode;
import io.softgate.io.tun.TunPacketIoBackend;
import io.softgate.io.udp.UdpEventLoopMode;
import io.softgate.io.udp.UdpPacketIoBackend;
import io.softgate.io.xdp.BusyPoll;
import io.softgate.io.xdp.XdpCopyMode;
import io.softgate.io.xdp.XdpMode;
import io.softgate.io.xdp.XdpPacketIoBackend;
import io.softgate.service.config.AfXdpConfig;
import io.softgate.service.config.IoFallbackKind;
import io.softgate.service.config.Addresses;
import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.config.IoBackendKind;
import io.softgate.service.config.IoConfig;
import io.softgate.service.config.NodeConfig;
import io.softgate.service.config.SoftgateConfig;
import java.nio.file.Path;
import org.agrona.concurrent.EpochNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the {@code io} section of a configuration to the packet I/O backend it names.
 *
 * <p>Threading: stateless.
 */
public final class PacketIoBackends {
    /** The largest frame a backend may hand the pipeline: a frame minus the encapsulation headroom. */
    static final int MAX_FRAME_BYTES = FrameMemory.DEFAULT_FRAME_SIZE - FrameMemory.DEFAULT_HEADROOM;
    /** The kernel keeps 256 bytes of headroom in every AF_XDP UMEM chunk (XDP_PACKET_HEADROOM). */
    static final int MAX_XDP_FRAME_BYTES = FrameMemory.DEFAULT_FRAME_SIZE - 256;
    /** An outer Ethernet header with one 802.1Q tag, in front of an underlay-MTU IPv4 packet. */
    private static final int ETHERNET_HEADER_WITH_TAG_BYTES = 18;
    private static final Logger LOG = LoggerFactory.getLogger(PacketIoBackends.class);

    private PacketIoBackends() {
    }

    /** The factory for the backend {@code loaded} names, checked to be usable on this machine. */
    public static PacketIoFactory forConfig(LoadedConfig loaded) throws BackendUnavailableException {
        SoftgateConfig config = loaded.config();
        IoConfig io = config.io();
        PacketIoBackend backend = switch (io.backend()) {
            case UDP -> udp(config.node(), io);
            case AF_XDP -> afXdp(config, io.afXdp());
            case PCAP -> new PcapPacketIoBackend(loaded.resolve(io.pcap().input()), loaded.resolve(io.pcap().output()),
                MAX_FRAME_BYTES);
            case MEMORY -> new MemoryPacketIoBackend();
        };
        if (io.backend() == IoBackendKind.AF_XDP && io.fallback() == IoFallbackKind.UDP && !backend.isAvailable()) {
            Throwable cause = backend.unavailabilityCause();
            backend.close();
            LOG.warn("io.backend af_xdp is unavailable here ({}); io.fallback is udp: using the udp backend on {}:{}",
                cause == null ? "no cause given" : cause.getMessage(), io.udp().bindAddress(), io.udp().port());
            backend = udp(config.node(), io);
        }
        if (!io.tun().configured()) {
            return checked(backend, config.dataplane().workers());
        }
        BackendPacketIoFactory fabric = checked(backend, config.dataplane().workers());
        PacketIoBackend tun;
        try {
            tun = TunPacketIoBackend.builder().deviceName(io.tun().interfaceName()).mode(TunMode.TUN)
                .maxFrameBytes(Math.min(MAX_FRAME_BYTES, config.node().underlayMtuBytes())).build();
            tun.ensureAvailable();
        } catch (IllegalArgumentException | IllegalStateException e) {
            fabric.close();
            throw new BackendUnavailableException("io.tun: " + e.getMessage());
        }
        return new BackendPacketIoFactory(fabric.backend(), config.dataplane().workers(), new PacketIoBackend[] {tun});
    }

    private static PacketIoBackend afXdp(SoftgateConfig config, AfXdpConfig xdp) throws BackendUnavailableException {
        NodeConfig node = config.node();
        try {
            return XdpPacketIoBackend.builder()
                .interfaceName(xdp.interfaceName())
                .vtepAddress(xdp.vtepAddress() == null ? node.vtepAddress() : xdp.vtepAddress())
                .firstQueue(xdp.firstQueue())
                .maxWorkers(config.dataplane().workers())
                .ringSize(xdp.ringSize())
                .maxFrameBytes(Math.min(MAX_XDP_FRAME_BYTES, node.underlayMtuBytes() + ETHERNET_HEADER_WITH_TAG_BYTES))
                .xdpMode(switch (xdp.xdpMode()) {
                    case AUTO -> XdpMode.AUTO;
                    case NATIVE -> XdpMode.NATIVE;
                    case GENERIC -> XdpMode.GENERIC;
                })
                .copyMode(switch (xdp.copyMode()) {
                    case AUTO -> XdpCopyMode.AUTO;
                    case ZERO_COPY -> XdpCopyMode.ZERO_COPY;
                    case COPY -> XdpCopyMode.COPY;
                })
                .busyPoll(xdp.busyPoll() ? BusyPoll.recommended() : BusyPoll.OFF)
                .build();
        } catch (IllegalArgumentException e) {
            throw new BackendUnavailableException("io.af_xdp: " + e.getMessage());
        }
    }

    private static PacketIoBackend udp(NodeConfig node, IoConfig io) throws BackendUnavailableException {
        try {
            return UdpPacketIoBackend.builder()
                .bindAddress(io.udp().bindAddress())
                .vtepAddress(node.vtepAddress())
                .port(io.udp().port())
                .localMac(Addresses.parseMac(node.underlayMac()))
                .peerMac(Addresses.parseMac(node.underlayNextHopMac()))
                .maxFrameBytes(MAX_FRAME_BYTES)
                .eventLoop(switch (io.udp().eventLoop()) {
                    case WORKER -> UdpEventLoopMode.WORKER;
                    case SEPARATE -> UdpEventLoopMode.SEPARATE;
                })
                // The same settings as the AF_XDP backend's busyPoll (BusyPoll.recommended()).
                .busyPoll(io.udp().busyPoll() ? BusyPoll.recommended().busyPollMicros() : 0,
                    BusyPoll.recommended().budget())
                .segmentation(io.udp().segmentation())
                .build();
        } catch (IllegalArgumentException e) {
            throw new BackendUnavailableException("io.udp: " + e.getMessage());
        }
    }

    /**
     * A pcap factory for {@code softgate replay}: one worker reads {@code input} to its end and
     * writes {@code output}; output records are stamped by {@code clock}.
     */
    public static BackendPacketIoFactory pcap(Path input, Path output, EpochNanoClock clock)
        throws BackendUnavailableException {
        return checked(new PcapPacketIoBackend(input, output, MAX_FRAME_BYTES, false, clock), 1);
    }

    private static BackendPacketIoFactory checked(PacketIoBackend backend, int workers) throws BackendUnavailableException {
        try {
            backend.ensureAvailable();
        } catch (IllegalStateException e) {
            backend.close();
            throw new BackendUnavailableException(e.getMessage());
        }
        return new BackendPacketIoFactory(backend, workers);
    }
}
