package io.softgate.service.io;

import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoBackend;
import io.softgate.core.memory.FramePool;
import io.softgate.io.udp.UdpPacketIoBackend;
import io.softgate.io.xdp.XdpPacketIoBackend;
import java.io.IOException;

/**
 * Opens each worker's queue of a {@link PacketIoBackend} as that worker's single port (port 0).
 *
 * <p>Threading: used by the control thread, like the backend.
 */
public final class BackendPacketIoFactory implements PacketIoFactory {
    private final PacketIoBackend backend;
    private final int workerCount;

    public BackendPacketIoFactory(PacketIoBackend backend, int workerCount) {
        this.backend = backend;
        this.workerCount = workerCount;
    }

    public PacketIoBackend backend() {
        return backend;
    }

    @Override
    public String description() {
        if (backend instanceof UdpPacketIoBackend udp) {
            return udp.name() + " (" + udp.transport() + ") port " + udp.boundPort();
        }
        if (backend instanceof XdpPacketIoBackend xdp) {
            return xdp.name() + " (" + xdp.describeModes() + ")";
        }
        return backend.name();
    }

    @Override
    public PacketIo[] openPorts(int workerId, FramePool pool) throws IOException {
        return new PacketIo[] {backend.open(workerId, workerCount, pool)};
    }

    @Override
    public void close() {
        backend.close();
    }
}
