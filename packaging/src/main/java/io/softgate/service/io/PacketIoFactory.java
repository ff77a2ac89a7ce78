package io.softgate.service.io;

import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FramePool;
import java.io.IOException;

/**
 * Opens each worker's packet I/O ports for the configured backend (port index = array index, the
 * {@code ingressPort}/{@code egressPort} numbers the pipeline sees).
 *
 * <p>Threading: called by the control thread while the runtime is built and closed.
 */
public interface PacketIoFactory extends AutoCloseable {
    /** Opens the ports of worker {@code workerId}; frames come from that worker's {@code pool}. */
    PacketIo[] openPorts(int workerId, FramePool pool) throws IOException;

    /** What the workers' ports are, for the start-up log line (e.g. {@code udp (EPOLL) 127.0.0.1:14789}). */
    default String description() {
        return getClass().getSimpleName();
    }

    /** Releases anything shared between workers' ports (ports themselves are closed one by one). */
    @Override
    default void close() {
    }
}
