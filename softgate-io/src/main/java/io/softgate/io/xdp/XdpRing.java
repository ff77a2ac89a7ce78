package io.softgate.io.xdp;

import com.kenai.jffi.MemoryIO;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One AF_XDP ring mapped from the kernel (fill, completion, RX or TX): a producer index, a
 * consumer index, a flags word and a power-of-two array of entries, shared with the kernel.
 * The side we own is written with release semantics after the entries it publishes, and the
 * kernel's side is read with acquire semantics before the entries it published are read (the
 * same pairing as the kernel's smp_load_acquire / smp_store_release on these words). Entries are
 * plain memory read and written through an {@link UnsafeBuffer}.
 *
 * <p>Indices are free-running 32-bit counters; {@code index & mask} is the slot.
 *
 * <p>Threading: one ring belongs to one worker's queue; the kernel is the only other party.
 */
final class XdpRing {
    private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final ByteBuffer words;
    private final int producerOffset;
    private final int consumerOffset;
    private final int flagsOffset;
    /** The entries: 8-byte UMEM addresses (fill, completion) or 16-byte descriptors (RX, TX). */
    final UnsafeBuffer entries;
    final int mask;
    final int size;
    final long mappedAddress;
    final long mappedBytes;

    XdpRing(long mappedAddress, long mappedBytes, long producerOffset, long consumerOffset, long flagsOffset,
            long descriptorOffset, int size, int entryBytes) {
        this.mappedAddress = mappedAddress;
        this.mappedBytes = mappedBytes;
        this.words = MemoryIO.getInstance().newDirectByteBuffer(mappedAddress, (int) descriptorOffset)
            .order(ByteOrder.nativeOrder());
        this.producerOffset = (int) producerOffset;
        this.consumerOffset = (int) consumerOffset;
        this.flagsOffset = (int) flagsOffset;
        this.entries = new UnsafeBuffer(mappedAddress + descriptorOffset, size * entryBytes);
        this.size = size;
        this.mask = size - 1;
    }

    /** The producer index, read with acquire semantics (the kernel produces on RX and completion). */
    int producerAcquire() {
        return (int) WORD.getAcquire(words, producerOffset);
    }

    /** Publishes entries up to {@code index} (we produce on fill and TX). */
    void producerRelease(int index) {
        WORD.setRelease(words, producerOffset, index);
    }

    /** The consumer index, read with acquire semantics (the kernel consumes fill and TX). */
    int consumerAcquire() {
        return (int) WORD.getAcquire(words, consumerOffset);
    }

    /** Hands entries up to {@code index} back to the kernel (we consume RX and completion). */
    void consumerRelease(int index) {
        WORD.setRelease(words, consumerOffset, index);
    }

    /** True when the kernel asks for a system call to make progress on this ring (XDP_USE_NEED_WAKEUP). */
    boolean needsWakeup() {
        return ((int) WORD.getAcquire(words, flagsOffset) & XdpConstants.XDP_RING_NEED_WAKEUP) != 0;
    }
}
