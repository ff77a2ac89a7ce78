package io.softgate.service.cli;

import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.service.io.PacketIoFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Packet I/O for service life-cycle tests: one idle port per worker that receives and sends
 * nothing; {@link #open} counts the ports opened and not yet closed.
 *
 * <p>Threading: ports are opened and closed by the service's threads; the count is atomic.
 */
final class IdlePortFactory implements PacketIoFactory {
    final AtomicInteger open = new AtomicInteger();

    @Override
    public PacketIo[] openPorts(int workerId, FramePool pool) {
        open.incrementAndGet();
        return new PacketIo[] {new PacketIo() {
            @Override
            public String name() {
                return "idle:" + workerId;
            }

            @Override
            public int receive(PacketBatch batch, int port, FramePool framePool) {
                return 0;
            }

            @Override
            public int transmit(PacketBatch batch, StageVector slots, FramePool framePool) {
                return 0;
            }

            @Override
            public void close() {
                open.decrementAndGet();
            }
        }};
    }
}
