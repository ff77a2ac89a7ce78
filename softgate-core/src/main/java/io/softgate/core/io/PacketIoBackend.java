package io.softgate.core.io;

import io.softgate.core.memory.FramePool;
import java.io.IOException;

/**
 * A kind of packet I/O (memory, pcap, udp, af_xdp, tun): says whether it can run on
 * this machine and opens one {@link PacketIo} queue per worker. Modelled on Netty's
 * {@code Epoll.isAvailable()} / {@code unavailabilityCause()}: a backend that needs native code,
 * privileges or a kernel feature reports why it cannot run instead of failing later.
 *
 * <p>Lifecycle: the control thread creates the backend from configuration, checks
 * {@link #isAvailable()}, calls {@link #open} once per worker before the workers start, hands each
 * queue to its worker, and after the workers have stopped closes every queue and then the backend
 * (closing the backend also closes any queue still open).
 *
 * <p>Threading: {@link #name}, {@link #isAvailable} and {@link #unavailabilityCause} may be called
 * from any thread; {@link #open} and {@link #close} only from the control thread.
 */
public interface PacketIoBackend extends AutoCloseable {
    /** Configuration name of the backend: {@code "memory"}, {@code "pcap"}, {@code "udp"}, ... */
    String name();

    /** True when {@link #open} can succeed as far as the machine is concerned (native code loads, kernel supports it). */
    boolean isAvailable();

    /** Why the backend cannot run here, or {@code null} when {@link #isAvailable()} is true. */
    Throwable unavailabilityCause();

    /**
     * Throws {@link IllegalStateException} naming the backend and carrying
     * {@link #unavailabilityCause()} when the backend cannot run here; does nothing otherwise.
     */
    default void ensureAvailable() {
        if (!isAvailable()) {
            Throwable cause = unavailabilityCause();
            throw new IllegalStateException("packet I/O backend '" + name() + "' is unavailable: "
                + (cause == null ? "no cause given" : cause.getMessage()), cause);
        }
    }

    /**
     * Opens worker {@code workerId}'s queue ({@code 0 <= workerId < workerCount}). {@code pool} is
     * that worker's frame pool: the queue receives into it and, on {@link PacketIo#close()},
     * returns to it every frame it still holds. The worker must pass the same pool to
     * {@link PacketIo#receive} and {@link PacketIo#transmit}.
     *
     * @throws IOException when the queue cannot be set up (bind fails, file missing, bad file)
     * @throws IllegalStateException when the backend is unavailable or already closed, or the
     *     worker's queue is already open
     */
    PacketIo open(int workerId, int workerCount, FramePool pool) throws IOException;

    /** Closes every queue still open and releases shared resources (event loops, files). Idempotent. */
    @Override
    void close();
}
