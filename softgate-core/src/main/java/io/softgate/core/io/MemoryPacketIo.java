package io.softgate.core.io;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An in-memory queue for tests and tools: frames injected with {@link #inject} are received by
 * the worker, and frames the worker transmits are copied out to a transmit ring read with
 * {@link #pollTransmitted}. Both rings are bounded and preallocated, so receive, transmit,
 * inject and poll never allocate (except {@link #pollTransmitted()}, which returns a new array
 * for test convenience). Frames longer than the configured maximum are counted as
 * {@link IoDropReason#RX_OVERSIZE} / {@link IoDropReason#TX_OVERSIZE}, never truncated.
 *
 * <p>Threading: one injecting thread and one reading thread (often the test thread for both) may
 * run alongside the worker, which alone calls {@link #receive} and {@link #transmit};
 * {@link #close()} is called once the worker has stopped.
 */
public final class MemoryPacketIo implements PacketIo {
    private final String name;
    private final UnsafeBuffer frames;
    private final FrameRing rx;
    private final FrameRing tx;
    private final int maxFrameBytes;
    private final PacketIoCounters counters = new PacketIoCounters();
    private volatile boolean closed;

    /**
     * A queue named {@code name} whose rings hold {@code rxCapacity} and {@code txCapacity}
     * frames of at most {@code maxFrameBytes}; {@code pool} is the worker's pool.
     */
    public MemoryPacketIo(String name, FramePool pool, int rxCapacity, int txCapacity, int maxFrameBytes) {
        FrameMemory memory = pool.memory();
        int room = memory.frameSize() - memory.headroom();
        if (maxFrameBytes <= 0 || maxFrameBytes > room) {
            throw new IllegalArgumentException("maxFrameBytes must be in [1, " + room
                + "] (frame size minus headroom): " + maxFrameBytes);
        }
        this.name = name;
        this.frames = memory.buffer();
        this.rx = new FrameRing(rxCapacity, maxFrameBytes);
        this.tx = new FrameRing(txCapacity, maxFrameBytes);
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public String name() {
        return name;
    }

    /** Largest frame, in bytes, this queue receives or transmits. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Queues a frame for the worker to receive; false (and counted) when too large or the ring is full. */
    public boolean inject(byte[] frame) {
        return inject(frame, 0, frame.length);
    }

    /** Queues {@code length} bytes of {@code frame} from {@code offset}; false (and counted) when too large or full. */
    public boolean inject(byte[] frame, int offset, int length) {
        if (length > maxFrameBytes) {
            counters.drop(IoDropReason.RX_OVERSIZE);
            return false;
        }
        if (!rx.offer(frame, offset, length)) {
            counters.drop(IoDropReason.RX_QUEUE_FULL);
            return false;
        }
        return true;
    }

    /** Queues {@code length} bytes of {@code source} from {@code offset}; false (and counted) when too large or full. */
    public boolean inject(DirectBuffer source, int offset, int length) {
        if (length > maxFrameBytes) {
            counters.drop(IoDropReason.RX_OVERSIZE);
            return false;
        }
        if (!rx.offer(source, offset, length)) {
            counters.drop(IoDropReason.RX_QUEUE_FULL);
            return false;
        }
        return true;
    }

    /** Frames injected and not yet received. */
    public int pendingReceive() {
        return rx.size();
    }

    /** Frames transmitted and not yet polled. */
    public int pendingTransmit() {
        return tx.size();
    }

    /** The oldest transmitted frame as a new array, or {@code null} when none is waiting. */
    public byte[] pollTransmitted() {
        int length = tx.peekLength();
        if (length < 0) {
            return null;
        }
        byte[] copy = new byte[length];
        tx.poll(copy, 0);
        return copy;
    }

    /** Copies the oldest transmitted frame to {@code destination}; returns its length, or -1 when none is waiting. */
    public int pollTransmitted(MutableDirectBuffer destination, int offset) {
        return tx.poll(destination, offset);
    }

    @Override
    public int receive(PacketBatch batch, int port, FramePool pool) {
        int received = 0;
        long bytes = 0;
        while (batch.size() < batch.receiveCapacity()) {
            int length = rx.peekLength();
            if (length < 0) {
                break;
            }
            int frame = pool.allocate();
            if (frame < 0) {
                // Leave the rest queued: the pool refills as the worker transmits and drops.
                counters.addReceiveFrameWait();
                break;
            }
            int start = pool.memory().packetStart(frame);
            rx.poll(frames, start);
            batch.add(frame, start, length, port);
            received++;
            bytes += length;
        }
        if (received > 0) {
            counters.addReceived(received, bytes);
        }
        return received;
    }

    @Override
    public int transmit(PacketBatch batch, StageVector slots, FramePool pool) {
        int sent = 0;
        long bytes = 0;
        int size = slots.size();
        for (int i = 0; i < size; i++) {
            int slot = slots.slot(i);
            int length = batch.length[slot];
            if (length > maxFrameBytes) {
                counters.drop(IoDropReason.TX_OVERSIZE);
            } else if (!tx.offer(frames, batch.offset[slot], length)) {
                counters.drop(IoDropReason.TX_QUEUE_FULL);
            } else {
                sent++;
                bytes += length;
            }
            pool.release(batch.frame[slot]);
        }
        if (sent > 0) {
            counters.addTransmitted(sent, bytes);
        }
        return sent;
    }

    @Override
    public PacketIoCounters counters() {
        return counters;
    }

    /** True once {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /** Holds no frames between calls (rings hold copies), so closing only marks the queue closed. */
    @Override
    public void close() {
        closed = true;
    }
}
