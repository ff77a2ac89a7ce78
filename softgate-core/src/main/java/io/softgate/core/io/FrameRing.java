package io.softgate.core.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A bounded single-producer single-consumer ring of packet copies: each slot holds up to
 * {@code slotBytes} bytes in one preallocated off-heap region, so offering and polling copy bytes
 * and never allocate.
 *
 * <p>Threading: one producer thread calls the {@code offer} methods, one consumer thread the
 * {@code poll}/{@code peek} methods; the producer publishes a slot with a release store of the
 * tail and the consumer frees it with a release store of the head.
 */
public final class FrameRing {
    private static final VarHandle POSITION;

    static {
        try {
            POSITION = MethodHandles.lookup().findVarHandle(Position.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A position on its own cache lines, so producer and consumer do not false-share. */
    @SuppressWarnings("unused")
    private static final class Position {
        long p1, p2, p3, p4, p5, p6, p7;
        long value;
        long q1, q2, q3, q4, q5, q6, q7;
    }

    private final UnsafeBuffer slots;
    private final int[] lengths;
    private final int capacity;
    private final int mask;
    private final int slotBytes;
    private final Position head = new Position();
    private final Position tail = new Position();

    /** A ring of {@code capacity} (rounded up to a power of two) slots of {@code slotBytes} each. */
    public FrameRing(int capacity, int slotBytes) {
        if (capacity <= 0 || capacity > (1 << 20)) {
            throw new IllegalArgumentException("ring capacity must be in [1, 2^20]: " + capacity);
        }
        if (slotBytes <= 0 || (long) slotBytes * capacity > (1L << 30)) {
            throw new IllegalArgumentException("ring slots too large: " + capacity + " x " + slotBytes + " bytes");
        }
        int rounded = Integer.highestOneBit(capacity - 1) << 1;
        this.capacity = capacity == 1 ? 1 : rounded;
        this.mask = this.capacity - 1;
        this.slotBytes = slotBytes;
        this.slots = new UnsafeBuffer(BufferUtil.allocateDirectAligned(this.capacity * slotBytes, 64));
        this.lengths = new int[this.capacity];
    }

    public int capacity() {
        return capacity;
    }

    public int slotBytes() {
        return slotBytes;
    }

    /** Number of packets waiting (a snapshot when read by a third thread). */
    public int size() {
        return (int) ((long) POSITION.getAcquire(tail) - (long) POSITION.getAcquire(head));
    }

    /** Producer: copies {@code length} bytes of {@code source} in; false when full or {@code length > slotBytes}. */
    public boolean offer(DirectBuffer source, int offset, int length) {
        long position = (long) POSITION.getOpaque(tail);
        if (length < 0 || length > slotBytes || position - (long) POSITION.getAcquire(head) >= capacity) {
            return false;
        }
        int slot = (int) position & mask;
        slots.putBytes(slot * slotBytes, source, offset, length);
        lengths[slot] = length;
        POSITION.setRelease(tail, position + 1);
        return true;
    }

    /** Producer: copies {@code length} bytes of {@code source} in; false when full or {@code length > slotBytes}. */
    public boolean offer(byte[] source, int offset, int length) {
        long position = (long) POSITION.getOpaque(tail);
        if (length < 0 || length > slotBytes || position - (long) POSITION.getAcquire(head) >= capacity) {
            return false;
        }
        int slot = (int) position & mask;
        slots.putBytes(slot * slotBytes, source, offset, length);
        lengths[slot] = length;
        POSITION.setRelease(tail, position + 1);
        return true;
    }

    /** Consumer: length of the oldest packet, or -1 when empty. */
    public int peekLength() {
        long position = (long) POSITION.getOpaque(head);
        if (position == (long) POSITION.getAcquire(tail)) {
            return -1;
        }
        return lengths[(int) position & mask];
    }

    /** Consumer: copies the oldest packet to {@code destination} and removes it; returns its length or -1 when empty. */
    public int poll(MutableDirectBuffer destination, int offset) {
        long position = (long) POSITION.getOpaque(head);
        if (position == (long) POSITION.getAcquire(tail)) {
            return -1;
        }
        int slot = (int) position & mask;
        int length = lengths[slot];
        destination.putBytes(offset, slots, slot * slotBytes, length);
        POSITION.setRelease(head, position + 1);
        return length;
    }

    /** Consumer: copies the oldest packet into {@code destination} and removes it; returns its length or -1 when empty. */
    public int poll(byte[] destination, int offset) {
        long position = (long) POSITION.getOpaque(head);
        if (position == (long) POSITION.getAcquire(tail)) {
            return -1;
        }
        int slot = (int) position & mask;
        int length = lengths[slot];
        slots.getBytes(slot * slotBytes, destination, offset, length);
        POSITION.setRelease(head, position + 1);
        return length;
    }

    /** Consumer: removes the oldest packet without reading it; false when empty. */
    public boolean skip() {
        long position = (long) POSITION.getOpaque(head);
        if (position == (long) POSITION.getAcquire(tail)) {
            return false;
        }
        POSITION.setRelease(head, position + 1);
        return true;
    }
}
