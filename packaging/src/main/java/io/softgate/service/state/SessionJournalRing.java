package io.softgate.service.state;

import io.softgate.nat.session.NatSessionJournal;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The NAT's session journal as a bounded lock-free many-to-one ring of fixed-size records: workers
 * (creates, refreshes) and the sweeper (deletes) append, the store's control thread drains into the
 * Chronicle Map ({@link SessionStoreWriter}). A record that finds the ring full is dropped and
 * counted ({@link #droppedRecords()}); a producer never blocks and never allocates.
 *
 * <p>Threading: any number of producer threads; one consumer ({@link #ring()} readers).
 */
public final class SessionJournalRing implements NatSessionJournal {
    static final int CREATED = 1;
    static final int REFRESHED = 2;
    static final int DELETED = 3;
    /** inside0, inside1, outside0, outside1, 4 rewrite words, deadline. */
    static final int CREATED_BYTES = 9 * Long.BYTES;
    /** inside0, inside1, deadline, TCP state. */
    static final int REFRESHED_BYTES = 4 * Long.BYTES;
    /** inside0, inside1. */
    static final int DELETED_BYTES = 2 * Long.BYTES;

    private final ManyToOneRingBuffer ring;
    private final AtomicLong dropped = new AtomicLong();

    /** @param capacityBytes ring size, a power of two (about 88 bytes per create record with its header) */
    public SessionJournalRing(int capacityBytes) {
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacityBytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    @Override
    public void sessionCreated(long inside0, long inside1, long outside0, long outside1, long insideRewrite0,
                               long insideRewrite1, long outsideRewrite0, long outsideRewrite1, long expiresAtNs) {
        int index = ring.tryClaim(CREATED, CREATED_BYTES);
        if (index <= 0) {
            dropped.incrementAndGet();
            return;
        }
        UnsafeBuffer buffer = (UnsafeBuffer) ring.buffer();
        buffer.putLong(index, inside0);
        buffer.putLong(index + 8, inside1);
        buffer.putLong(index + 16, outside0);
        buffer.putLong(index + 24, outside1);
        buffer.putLong(index + 32, insideRewrite0);
        buffer.putLong(index + 40, insideRewrite1);
        buffer.putLong(index + 48, outsideRewrite0);
        buffer.putLong(index + 56, outsideRewrite1);
        buffer.putLong(index + 64, expiresAtNs);
        ring.commit(index);
    }

    @Override
    public void sessionRefreshed(long inside0, long inside1, int tcpState, long expiresAtNs) {
        int index = ring.tryClaim(REFRESHED, REFRESHED_BYTES);
        if (index <= 0) {
            dropped.incrementAndGet();
            return;
        }
        UnsafeBuffer buffer = (UnsafeBuffer) ring.buffer();
        buffer.putLong(index, inside0);
        buffer.putLong(index + 8, inside1);
        buffer.putLong(index + 16, expiresAtNs);
        buffer.putLong(index + 24, tcpState);
        ring.commit(index);
    }

    @Override
    public void sessionDeleted(long inside0, long inside1) {
        int index = ring.tryClaim(DELETED, DELETED_BYTES);
        if (index <= 0) {
            dropped.incrementAndGet();
            return;
        }
        UnsafeBuffer buffer = (UnsafeBuffer) ring.buffer();
        buffer.putLong(index, inside0);
        buffer.putLong(index + 8, inside1);
        ring.commit(index);
    }

    RingBuffer ring() {
        return ring;
    }

    /** Records lost because the ring was full (the store then misses that create, refresh or delete). */
    public long droppedRecords() {
        return dropped.get();
    }
}
