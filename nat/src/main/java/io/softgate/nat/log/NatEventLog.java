package io.softgate.nat.log;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The packet-path half of the abuse-desk log: workers (slow path) and the sweeper push fixed-size
 * records into a bounded lock-free many-to-one ring buffer; {@link NatEventDrainer} formats them
 * off the packet path. A record never holds a destination (RFC 6888, DESIGN §8): only time,
 * protocol, VPC, inside address and port, and outside address with a port or a port block.
 * When the ring is full the record is dropped and {@link #droppedRecords()} counts it.
 *
 * <pre>
 * record (36 bytes): clockNs (8) | vrf (4) | protocol class (4) | inside address (4) |
 *                    inside port (4, -1 for a block) | outside address (4) | first port (4) | last port (4)
 * </pre>
 *
 * <p>Threading: {@link #append} is lock-free and allocation-free from any number of threads; one
 * drainer thread reads.
 */
public final class NatEventLog {
    static final int RECORD_LENGTH = 36;
    static final int CLOCK_OFFSET = 0;
    static final int VRF_OFFSET = 8;
    static final int PROTOCOL_OFFSET = 12;
    static final int INSIDE_ADDRESS_OFFSET = 16;
    static final int INSIDE_PORT_OFFSET = 20;
    static final int OUTSIDE_ADDRESS_OFFSET = 24;
    static final int FIRST_PORT_OFFSET = 28;
    static final int LAST_PORT_OFFSET = 32;

    private final RingBuffer ring;
    private final AtomicLong dropped = new AtomicLong();

    /** @param capacityBytes ring capacity, a power of two (e.g. 1 MiB holds about 20 000 records) */
    public NatEventLog(int capacityBytes) {
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacityBytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /** Appends one record; returns false (and counts it) when the ring is full. */
    public boolean append(int type, long clockNs, int vrf, int protocolClass, int insideAddress, int insidePort,
                          int outsideAddress, int firstPort, int lastPort) {
        int index = ring.tryClaim(type, RECORD_LENGTH);
        if (index <= 0) {
            dropped.incrementAndGet();
            return false;
        }
        var buffer = ring.buffer();
        buffer.putLong(index + CLOCK_OFFSET, clockNs);
        buffer.putInt(index + VRF_OFFSET, vrf);
        buffer.putInt(index + PROTOCOL_OFFSET, protocolClass);
        buffer.putInt(index + INSIDE_ADDRESS_OFFSET, insideAddress);
        buffer.putInt(index + INSIDE_PORT_OFFSET, insidePort);
        buffer.putInt(index + OUTSIDE_ADDRESS_OFFSET, outsideAddress);
        buffer.putInt(index + FIRST_PORT_OFFSET, firstPort);
        buffer.putInt(index + LAST_PORT_OFFSET, lastPort);
        ring.commit(index);
        return true;
    }

    /** Records lost because the ring was full. */
    public long droppedRecords() {
        return dropped.get();
    }

    RingBuffer ring() {
        return ring;
    }
}
