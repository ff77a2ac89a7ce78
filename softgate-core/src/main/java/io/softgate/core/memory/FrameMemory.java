package io.softgate.core.memory;

import java.nio.ByteBuffer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A preallocated off-heap region cut into equal frames; a packet's bytes live at
 * {@code frameOffset(frame) + headroom ...} inside the one {@link #buffer()} that covers the region.
 *
 * <p>Threading: immutable after construction; the bytes of a frame may be touched only by the
 * current owner of that frame (see {@link FramePool}).
 */
public final class FrameMemory {
    /** Bytes kept free in front of every received packet so encapsulation can prepend headers in place. */
    public static final int DEFAULT_HEADROOM = 128;
    /** Default frame size: fits a 1500-byte inner packet plus VXLAN and headroom. */
    public static final int DEFAULT_FRAME_SIZE = 2048;

    private final UnsafeBuffer buffer;
    private final int frameCount;
    private final int frameSize;
    private final int headroom;

    public FrameMemory(int frameCount, int frameSize, int headroom) {
        if (frameCount <= 0) {
            throw new IllegalArgumentException("frameCount must be > 0: " + frameCount);
        }
        if (frameSize < 256 || Integer.bitCount(frameSize) != 1) {
            throw new IllegalArgumentException("frameSize must be a power of two >= 256: " + frameSize);
        }
        if (headroom < 0 || headroom >= frameSize / 2) {
            throw new IllegalArgumentException("headroom must be in [0, frameSize/2): " + headroom);
        }
        long bytes = (long) frameCount * frameSize;
        if (bytes > Integer.MAX_VALUE - 4096) {
            throw new IllegalArgumentException("frame region too large: " + bytes + " bytes");
        }
        ByteBuffer region = BufferUtil.allocateDirectAligned((int) bytes, 4096);
        this.buffer = new UnsafeBuffer(region);
        this.frameCount = frameCount;
        this.frameSize = frameSize;
        this.headroom = headroom;
    }

    public FrameMemory(int frameCount) {
        this(frameCount, DEFAULT_FRAME_SIZE, DEFAULT_HEADROOM);
    }

    /** The buffer that covers every frame; flyweights read packets from it at absolute offsets. */
    public UnsafeBuffer buffer() {
        return buffer;
    }

    public int frameCount() {
        return frameCount;
    }

    public int frameSize() {
        return frameSize;
    }

    public int headroom() {
        return headroom;
    }

    /** Absolute offset of the first byte of {@code frame}. */
    public int frameOffset(int frame) {
        return frame * frameSize;
    }

    /** Absolute offset where a received packet's first byte goes (after the headroom). */
    public int packetStart(int frame) {
        return frame * frameSize + headroom;
    }

    /** Absolute offset one past the last usable byte of {@code frame}. */
    public int frameEnd(int frame) {
        return (frame + 1) * frameSize;
    }
}
