package io.softgate.benchmarks.pipeline;

import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A packet source and sink for benchmarks that stands in for a NIC queue: {@link #receive} takes
 * a frame from the pool and writes the next flow's header bytes into it (the payload bytes were
 * laid down once, like DMA that costs the CPU nothing, and no stage writes them), cycling over
 * the flows it was given; {@link #transmit} counts packets and bytes and returns the frames to
 * the pool, as a NIC does once it has sent them.
 *
 * <p>Threading: one instance per worker; used only by that worker's thread after construction;
 * never allocates after construction.
 */
public final class ReplayPacketIo implements PacketIo {
    private final String name;
    private final UnsafeBuffer frames;
    private final FrameMemory memory;
    private final byte[] headers;
    private final int headerBytes;
    private final int frameBytes;
    private final int flowCount;
    private int nextFlow;
    private long receivedPackets;
    private long transmittedPackets;
    private long transmittedBytes;
    private UnsafeBuffer capture;
    private int capturedLength = -1;

    /**
     * @param headers     {@code flowCount} headers of {@code headerBytes} each, back to back, in
     *                    the order they are to be received
     * @param frameBytes  length of every received frame (header plus payload)
     */
    public ReplayPacketIo(String name, FrameMemory memory, byte[] headers, int headerBytes, int frameBytes) {
        if (headers.length == 0 || headers.length % headerBytes != 0) {
            throw new IllegalArgumentException("headers must hold a whole number (> 0) of " + headerBytes + "-byte headers");
        }
        if (frameBytes < headerBytes || frameBytes > memory.frameSize() - memory.headroom()) {
            throw new IllegalArgumentException("frameBytes must be in [" + headerBytes + ", "
                + (memory.frameSize() - memory.headroom()) + "]: " + frameBytes);
        }
        this.name = name;
        this.memory = memory;
        this.frames = memory.buffer();
        this.headers = headers;
        this.headerBytes = headerBytes;
        this.frameBytes = frameBytes;
        this.flowCount = headers.length / headerBytes;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int receive(PacketBatch batch, int port, FramePool pool) {
        int received = 0;
        int flow = nextFlow;
        while (batch.size() < batch.receiveCapacity()) {
            int frame = pool.allocate();
            if (frame < 0) {
                break;
            }
            int start = memory.packetStart(frame);
            frames.putBytes(start, headers, flow * headerBytes, headerBytes);
            batch.add(frame, start, frameBytes, port);
            received++;
            flow++;
            if (flow == flowCount) {
                flow = 0;
            }
        }
        nextFlow = flow;
        receivedPackets += received;
        return received;
    }

    @Override
    public int transmit(PacketBatch batch, StageVector slots, FramePool pool) {
        int size = slots.size();
        if (capture != null && size > 0) {
            int first = slots.slot(0);
            capturedLength = Math.min(batch.length[first], capture.capacity());
            capture.putBytes(0, frames, batch.offset[first], capturedLength);
        }
        long bytes = 0;
        for (int i = 0; i < size; i++) {
            int slot = slots.slot(i);
            bytes += batch.length[slot];
            pool.release(batch.frame[slot]);
        }
        transmittedPackets += size;
        transmittedBytes += bytes;
        return size;
    }

    /** The headers this queue replays (shared, not copied: callers must not modify them). */
    public byte[] headers() {
        return headers;
    }

    /**
     * From now on, copies the first packet of every transmit call into {@code destination}
     * (for tests that look at what the pipeline sends); null stops it.
     */
    public void captureFirstTransmitted(UnsafeBuffer destination) {
        this.capture = destination;
        this.capturedLength = -1;
    }

    /** Length of the last captured packet, or -1 when none was captured. */
    public int capturedLength() {
        return capturedLength;
    }

    /** Number of flows this queue cycles over. */
    public int flowCount() {
        return flowCount;
    }

    public long receivedPackets() {
        return receivedPackets;
    }

    public long transmittedPackets() {
        return transmittedPackets;
    }

    public long transmittedBytes() {
        return transmittedBytes;
    }

    @Override
    public void close() {
        // Holds no frames between calls.
    }
}
