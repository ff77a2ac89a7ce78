package io.softgate.core.pipeline;

/**
 * The slots waiting at one stage: a list of {@link PacketBatch} slot indices.
 *
 * <p>Threading: owned by one worker; never shared.
 */
public final class StageVector {
    private final int[] slots;
    private int size;

    public StageVector(int capacity) {
        this.slots = new int[capacity];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The slot index at position {@code i} of this vector. */
    public int slot(int i) {
        return slots[i];
    }

    public void add(int slot) {
        slots[size++] = slot;
    }

    public void clear() {
        size = 0;
    }
}
