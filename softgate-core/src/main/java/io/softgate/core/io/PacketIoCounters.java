package io.softgate.core.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one packet I/O queue: packets and bytes received and transmitted, and one
 * drop counter per {@link IoDropReason}. Updates are atomic adds on a plain long array, so a
 * queue may count from both its worker and its backend's receive thread (for example Netty's
 * event loop counting a full hand-over queue); workers add once per batch, not per packet.
 *
 * <p>Threading: any thread may update or read; reads are lock-free and see every completed add.
 */
public final class PacketIoCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Spacing so two queues' counters do not share a cache line. */
    private static final int PAD = 8;
    private static final int RX_PACKETS = PAD;
    private static final int RX_BYTES = PAD + 1;
    private static final int TX_PACKETS = PAD + 2;
    private static final int TX_BYTES = PAD + 3;
    private static final int RX_FRAME_WAITS = PAD + 4;
    private static final int FIRST_DROP = PAD + 5;

    /** Returned by {@link PacketIo#counters()} for queues that do not count; nothing writes it. */
    static final PacketIoCounters UNCOUNTED = new PacketIoCounters();

    private final long[] values = new long[FIRST_DROP + IoDropReason.count() + PAD];

    public void addReceived(long packets, long bytes) {
        LONGS.getAndAdd(values, RX_PACKETS, packets);
        LONGS.getAndAdd(values, RX_BYTES, bytes);
    }

    public void addTransmitted(long packets, long bytes) {
        LONGS.getAndAdd(values, TX_PACKETS, packets);
        LONGS.getAndAdd(values, TX_BYTES, bytes);
    }

    /**
     * A receive stopped for want of a free frame while its packets stay queued for a later batch
     * (a stall, not a loss: a backend that must discard instead counts
     * {@link IoDropReason#NO_FREE_FRAME}).
     */
    public void addReceiveFrameWait() {
        LONGS.getAndAdd(values, RX_FRAME_WAITS, 1L);
    }

    public void drop(IoDropReason reason) {
        LONGS.getAndAdd(values, FIRST_DROP + reason.ordinal(), 1L);
    }

    public void drop(IoDropReason reason, long packets) {
        LONGS.getAndAdd(values, FIRST_DROP + reason.ordinal(), packets);
    }

    public long receivedPackets() {
        return read(RX_PACKETS);
    }

    public long receivedBytes() {
        return read(RX_BYTES);
    }

    public long transmittedPackets() {
        return read(TX_PACKETS);
    }

    public long transmittedBytes() {
        return read(TX_BYTES);
    }

    /** Receives that stopped for want of a free frame, their packets left queued ({@link #addReceiveFrameWait}). */
    public long receiveFrameWaits() {
        return read(RX_FRAME_WAITS);
    }

    public long drops(IoDropReason reason) {
        return read(FIRST_DROP + reason.ordinal());
    }

    /** Sum of all drop counters. */
    public long totalDrops() {
        long total = 0;
        for (int i = 0; i < IoDropReason.count(); i++) {
            total += read(FIRST_DROP + i);
        }
        return total;
    }

    private long read(int index) {
        return (long) LONGS.getVolatile(values, index);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("rx=").append(receivedPackets()).append(" tx=").append(transmittedPackets());
        for (int i = 0; i < IoDropReason.count(); i++) {
            long value = read(FIRST_DROP + i);
            if (value != 0) {
                text.append(" drop.").append(IoDropReason.byOrdinal(i).label()).append('=').append(value);
            }
        }
        return text.toString();
    }
}
