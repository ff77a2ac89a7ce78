package io.softgate.core.io;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;

/**
 * The in-memory backend ({@code io.backend = memory}): one {@link MemoryPacketIo} per worker,
 * reachable through {@link #queue(int)} so a test or tool can inject and collect frames. Always
 * available.
 *
 * <p>Threading: {@link #open} and {@link #close} on the control thread; {@link #queue} from any
 * thread once the queue is open.
 */
public final class MemoryPacketIoBackend implements PacketIoBackend {
    /** Backend name in configuration. */
    public static final String NAME = "memory";
    /** Default ring capacity in frames. */
    public static final int DEFAULT_QUEUE_CAPACITY = 1024;
    /** Default largest frame: everything a default frame can hold after its headroom. */
    public static final int DEFAULT_MAX_FRAME_BYTES = FrameMemory.DEFAULT_FRAME_SIZE - FrameMemory.DEFAULT_HEADROOM;

    private final int rxCapacity;
    private final int txCapacity;
    private final int maxFrameBytes;
    private volatile MemoryPacketIo[] queues = new MemoryPacketIo[0];
    private boolean closed;

    /** Rings of {@code rxCapacity} / {@code txCapacity} frames of at most {@code maxFrameBytes} each. */
    public MemoryPacketIoBackend(int rxCapacity, int txCapacity, int maxFrameBytes) {
        if (rxCapacity <= 0 || txCapacity <= 0 || maxFrameBytes <= 0) {
            throw new IllegalArgumentException("capacities and maxFrameBytes must be > 0");
        }
        this.rxCapacity = rxCapacity;
        this.txCapacity = txCapacity;
        this.maxFrameBytes = maxFrameBytes;
    }

    public MemoryPacketIoBackend() {
        this(DEFAULT_QUEUE_CAPACITY, DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_FRAME_BYTES);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public PacketIo open(int workerId, int workerCount, FramePool pool) {
        BackendChecks.checkOpen(NAME, closed, workerId, workerCount);
        MemoryPacketIo[] current = queues;
        if (current.length != workerCount) {
            if (current.length != 0) {
                throw new IllegalArgumentException("workerCount " + workerCount + " differs from the "
                    + current.length + " of earlier opens");
            }
            current = new MemoryPacketIo[workerCount];
        } else {
            current = current.clone();
        }
        if (current[workerId] != null && !current[workerId].isClosed()) {
            throw new IllegalStateException("memory queue of worker " + workerId + " is already open");
        }
        MemoryPacketIo queue = new MemoryPacketIo(NAME + ":" + workerId, pool, rxCapacity, txCapacity, maxFrameBytes);
        current[workerId] = queue;
        queues = current;
        return queue;
    }

    /** The queue opened for {@code workerId}; throws when it has not been opened. */
    public MemoryPacketIo queue(int workerId) {
        MemoryPacketIo[] current = queues;
        if (workerId < 0 || workerId >= current.length || current[workerId] == null) {
            throw new IllegalStateException("memory queue of worker " + workerId + " is not open");
        }
        return current[workerId];
    }

    @Override
    public void close() {
        closed = true;
        for (MemoryPacketIo queue : queues) {
            if (queue != null) {
                queue.close();
            }
        }
    }
}
