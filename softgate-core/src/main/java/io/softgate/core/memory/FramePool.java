package io.softgate.core.memory;

/**
 * The free list of a set of frames in a {@link FrameMemory}: a frame is either free in the pool
 * or owned by exactly one holder (a batch slot, an I/O ring, a queue), and ownership moves by
 * handing over the frame index; there is no reference counting.
 *
 * <p>Threading: single-threaded; each worker owns its pool. Frames cross threads only through
 * queues that move ownership.
 */
public final class FramePool {
    private final FrameMemory memory;
    private final int[] free;
    private int freeCount;

    /** A pool owning frames {@code [firstFrame, firstFrame + count)} of {@code memory}. */
    public FramePool(FrameMemory memory, int firstFrame, int count) {
        if (firstFrame < 0 || count <= 0 || firstFrame + count > memory.frameCount()) {
            throw new IllegalArgumentException("frames [" + firstFrame + ", " + (firstFrame + count)
                + ") outside memory of " + memory.frameCount() + " frames");
        }
        this.memory = memory;
        this.free = new int[count];
        for (int i = 0; i < count; i++) {
            free[i] = firstFrame + count - 1 - i;
        }
        this.freeCount = count;
    }

    /** A pool owning every frame of {@code memory}. */
    public FramePool(FrameMemory memory) {
        this(memory, 0, memory.frameCount());
    }

    public FrameMemory memory() {
        return memory;
    }

    /** Takes a free frame, or returns -1 when none is left (the caller counts that as a drop). */
    public int allocate() {
        if (freeCount == 0) {
            return -1;
        }
        return free[--freeCount];
    }

    /** Gives a frame back; the caller no longer owns it. */
    public void release(int frame) {
        free[freeCount++] = frame;
    }

    public int available() {
        return freeCount;
    }

    public int capacity() {
        return free.length;
    }
}
