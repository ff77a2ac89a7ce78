package io.softgate.core.io;

import io.softgate.core.pipeline.DropReason;

/**
 * Why a packet I/O queue dropped a packet on its way in or out; each has a counter
 * ({@code io.drop.<label>}) in the queue's {@link PacketIoCounters}.
 *
 * <p>Threading: immutable enum.
 */
public enum IoDropReason implements DropReason {
    /**
     * Received and discarded: the worker's frame pool had no free frame and the backend cannot
     * leave the packet queued (TUN reads it away). Backends that leave it queued count a receive
     * frame wait instead ({@link PacketIoCounters#addReceiveFrameWait}).
     */
    NO_FREE_FRAME("no-free-frame"),
    /** Received packet larger than the MTU or the frame it would be copied into (never truncated). */
    RX_OVERSIZE("rx-oversize"),
    /** The queue between the receiving thread and the worker was full. */
    RX_QUEUE_FULL("rx-queue-full"),
    /** A capture record cut short by the end of the file (pcap). */
    RX_TRUNCATED_RECORD("rx-truncated-record"),
    /** A capture record that cannot be parsed (length beyond any snap length); the rest of the file is skipped. */
    RX_MALFORMED_RECORD("rx-malformed-record"),
    /** Received from a peer whose address the backend cannot represent in the synthesised outer header (e.g. IPv6). */
    RX_UNSUPPORTED_PEER("rx-unsupported-peer"),
    /** Reading the source failed (I/O error); the queue stops receiving. */
    RX_ERROR("rx-error"),
    /** Packet to transmit larger than the MTU. */
    TX_OVERSIZE("tx-oversize"),
    /** The transmit queue (to the sending thread, or to the test) was full. */
    TX_QUEUE_FULL("tx-queue-full"),
    /** Packet to transmit lacks what the backend needs to send it (e.g. an outer IPv4/UDP header). */
    TX_MALFORMED("tx-malformed"),
    /**
     * The operating system refused or failed the send or write: one per packet lost (a refused UDP
     * GSO send counts every datagram of its run). Such packets count only here, never as
     * transmitted: the UDP queues count a datagram as transmitted once the kernel took it, in both
     * event-loop modes.
     */
    TX_ERROR("tx-error");

    private static final IoDropReason[] VALUES = values();

    private final String label;

    IoDropReason(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Number of reasons; counters index an array by {@link #ordinal()}. */
    public static int count() {
        return VALUES.length;
    }

    /** The reason with {@code ordinal}, for readers walking all counters. */
    public static IoDropReason byOrdinal(int ordinal) {
        return VALUES[ordinal];
    }
}
