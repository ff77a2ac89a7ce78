package io.softgate.core.io;

import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;

/**
 * One worker's queue on one port: receives packets into frames of the worker's pool and
 * transmits frames, taking their ownership. Every backend (memory, pcap, UDP, AF_XDP, TUN/TAP)
 * gives the pipeline the same shape: a whole Ethernet frame (or an IP packet on an IP port)
 * starting at {@code batch.offset[slot]}.
 *
 * <p>Threading: an instance belongs to one worker; {@link #receive} and {@link #transmit} are
 * called only by that worker's thread, never block, never allocate once warm, never throw.
 */
public interface PacketIo extends AutoCloseable {
    /** Backend and queue name for logs and counters, e.g. {@code "udp:0"}. */
    String name();

    /**
     * Appends up to {@code batch.receiveCapacity() - batch.size()} received packets to {@code batch}
     * (via {@link PacketBatch#add}) with {@code port} as their ingress port, taking frames from
     * {@code pool}; returns how many were added (0 when nothing is waiting).
     */
    int receive(PacketBatch batch, int port, FramePool pool);

    /**
     * Transmits the packets of {@code slots}; ownership of their frames passes to the backend,
     * which returns them to {@code pool} once sent (or counts and releases those it cannot send).
     * Returns the number handed to the wire.
     */
    int transmit(PacketBatch batch, StageVector slots, FramePool pool);

    /**
     * This queue's packet, byte and drop counters (see {@link IoDropReason}). Backends override
     * this; the default, for simple test doubles, is a shared instance that stays at zero.
     */
    default PacketIoCounters counters() {
        return PacketIoCounters.UNCOUNTED;
    }

    /**
     * Called once on the worker's own thread as the worker stops ({@code Worker.onClose}), before
     * {@link #close} on the control thread: a backend whose I/O is driven by the worker's thread
     * (the UDP backend's {@code eventLoop = worker} mode) releases what only that thread may touch.
     * Default: nothing.
     */
    default void onWorkerClose() {
    }

    /** Releases the backend's sockets, rings and any frames it still holds. */
    @Override
    void close();
}
