package io.softgate.service.io;

import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoBackend;
import io.softgate.core.memory.FramePool;
import io.softgate.io.udp.UdpPacketIoBackend;
import io.softgate.io.xdp.XdpPacketIoBackend;
import java.io.IOException;
import java.util.Locale;

/**
 * Opens each worker's queue of a {@link PacketIoBackend} as that worker's single port (port 0).
 *
 * <p>Threading: used by the control thread, like the backend.
 */
public final class BackendPacketIoFactory implements PacketIoFactory {
    private final PacketIoBackend backend;
    private final PacketIoBackend[] additionalPorts;
    private final int workerCount;

    public BackendPacketIoFactory(PacketIoBackend backend, int workerCount) {
        this(backend, workerCount, new PacketIoBackend[0]);
    }

    /** Port 0 from {@code backend}; ports 1.. from {@code additionalPorts} (e.g. a TUN uplink), one queue per worker each. */
    public BackendPacketIoFactory(PacketIoBackend backend, int workerCount, PacketIoBackend[] additionalPorts) {
        this.backend = backend;
        this.workerCount = workerCount;
        this.additionalPorts = additionalPorts.clone();
    }

    public PacketIoBackend backend() {
        return backend;
    }

    @Override
    public String description() {
        if (backend instanceof UdpPacketIoBackend udp) {
            return udp.name() + " (" + udp.transport() + ") port " + udp.boundPort() + ", event loop "
                + udp.eventLoop().name().toLowerCase(Locale.ROOT) + (udp.segmentation() ? ", GSO" : "")
                + describeAdditionalPorts();
        }
        if (backend instanceof XdpPacketIoBackend xdp) {
            return xdp.name() + " (" + xdp.describeModes() + ")" + describeAdditionalPorts();
        }
        return backend.name() + describeAdditionalPorts();
    }

    private String describeAdditionalPorts() {
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < additionalPorts.length; p++) {
            text.append(", port ").append(p + 1).append(' ').append(additionalPorts[p].name());
        }
        return text.toString();
    }

    @Override
    public PacketIo[] openPorts(int workerId, FramePool pool) throws IOException {
        PacketIo[] ports = new PacketIo[1 + additionalPorts.length];
        try {
            ports[0] = backend.open(workerId, workerCount, pool);
            for (int p = 0; p < additionalPorts.length; p++) {
                ports[1 + p] = additionalPorts[p].open(workerId, workerCount, pool);
            }
        } catch (IOException | RuntimeException e) {
            for (PacketIo port : ports) {
                if (port != null) {
                    port.close();
                }
            }
            throw e;
        }
        return ports;
    }

    @Override
    public void close() {
        backend.close();
        for (PacketIoBackend port : additionalPorts) {
            port.close();
        }
    }
}
