package io.softgate.service.io;

import io.softgate.core.io.MemoryPacketIoBackend;
import io.softgate.core.io.PacketIoBackend;
import io.softgate.core.io.PcapPacketIoBackend;
import io.softgate.core.memory.FrameMemory;
import io.softgate.io.udp.UdpPacketIoBackend;
import io.softgate.service.config.Addresses;
import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.config.IoConfig;
import io.softgate.service.config.NodeConfig;
import io.softgate.service.config.SoftgateConfig;
import java.nio.file.Path;
import org.agrona.concurrent.EpochNanoClock;

/**
 * Maps the {@code io} section of a configuration to the packet I/O backend it names.
 *
 * <p>Threading: stateless.
 */
public final class PacketIoBackends {
    /** The largest frame a backend may hand the pipeline: a frame minus the encapsulation headroom. */
    static final int MAX_FRAME_BYTES = FrameMemory.DEFAULT_FRAME_SIZE - FrameMemory.DEFAULT_HEADROOM;

    private PacketIoBackends() {
    }

    /** The factory for the backend {@code loaded} names, checked to be usable on this machine. */
    public static PacketIoFactory forConfig(LoadedConfig loaded) throws BackendUnavailableException {
        SoftgateConfig config = loaded.config();
        IoConfig io = config.io();
        PacketIoBackend backend = switch (io.backend()) {
            case UDP -> udp(config.node(), io);
            case PCAP -> new PcapPacketIoBackend(loaded.resolve(io.pcap().input()), loaded.resolve(io.pcap().output()),
                MAX_FRAME_BYTES);
            case MEMORY -> new MemoryPacketIoBackend();
        };
        return checked(backend, config.dataplane().workers());
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
        if (!backend.isAvailable()) {
            Throwable cause = backend.unavailabilityCause();
            backend.close();
            throw new BackendUnavailableException("io.backend \"" + backend.name() + "\" is unavailable here: "
                + (cause == null ? "no cause given" : cause.getMessage()));
        }
        return new BackendPacketIoFactory(backend, workers);
    }
}
