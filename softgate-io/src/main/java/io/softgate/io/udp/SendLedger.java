package io.softgate.io.udp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIoCounters;

/**
 * Counts a UDP queue's sends once the channel has finished with them, so that a send the kernel
 * refuses counts its datagrams as {@code tx-error} drops and not as transmitted, and each
 * datagram counts exactly once, as one or the other. Every send written to the channel (one
 * datagram, or a GSO run of several) goes through {@link #write} and is recorded here with its
 * datagram count and frame bytes, in write order, in a ring without allocation. Both event-loop
 * modes use it, on the thread that writes the socket: the worker ({@link WorkerDrivenUdpPacketIo})
 * or the Netty event loop ({@link UdpPacketIo}).
 *
 * <p>How the outcome of a send is known without a promise per send: the channel (Netty's
 * {@code ChannelOutboundBuffer}) finishes flushed sends strictly in write order and reports how
 * many it still holds ({@code size()}); every recorded send before those has finished. Sends
 * written with the void promise report only failure, through {@code exceptionCaught}, and the
 * buffer removes the failed send before it reports it: so when a failure is reported, the failed
 * send is the last finished one, and those before it were sent.
 *
 * <p>Threading: confined to the thread that writes the queue's socket (the socket's event loop thread).
 */
final class SendLedger {
    private final PacketIoCounters counters;
    private final int[] datagrams;
    private final long[] frameBytes;
    private final int mask;
    /** True while {@link #write} hands a send to the channel: a failure reported then is that send's, refused at once. */
    private boolean writing;
    private boolean writeRefused;
    /** Sends recorded so far. */
    private long recorded;
    /** Sends whose outcome has been counted (a prefix of the recorded ones). */
    private long settled;

    /** {@code capacity}: the most sends that may be recorded and not yet settled; a power of two. */
    SendLedger(PacketIoCounters counters, int capacity) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.counters = counters;
        this.datagrams = new int[capacity];
        this.frameBytes = new long[capacity];
        this.mask = capacity - 1;
    }

    /** True when {@code sends} more may be recorded before the oldest unsettled one is settled. */
    boolean hasRoom(int sends) {
        return recorded - settled + sends <= datagrams.length;
    }

    /** Sends recorded and not yet settled. */
    long unsettled() {
        return recorded - settled;
    }

    /**
     * Writes one send ({@code sendDatagrams} datagrams of {@code sendFrameBytes} frame bytes) to
     * {@code channel} with its void promise, on the channel's event loop thread, where Netty writes
     * inline (sent with the next flush), and records it; true when recorded. A send the channel
     * refuses at once (closed, or a message it cannot take) reports its failure during the write
     * ({@link #failureReported}): its datagrams count as {@code tx-error} here and it returns false.
     */
    boolean write(Channel channel, Object message, int sendDatagrams, long sendFrameBytes) {
        writing = true;
        writeRefused = false;
        channel.write(message, channel.voidPromise());
        writing = false;
        if (writeRefused) {
            counters.drop(IoDropReason.TX_ERROR, sendDatagrams);
            return false;
        }
        record(sendDatagrams, sendFrameBytes);
        return true;
    }

    /**
     * The channel reported a failed send (void promises report failures only, through the
     * pipeline's {@code exceptionCaught}): during {@link #write}, that send was refused at once;
     * otherwise it is the newest send the channel no longer holds ({@code closing}: the oldest
     * unsettled one, as a closing channel fails what it held oldest first: settle just before
     * closing, so that the unsettled sends are exactly those it still holds). A failure no
     * recorded send accounts for is counted once as {@code tx-error} itself.
     */
    void failureReported(Channel channel, boolean closing) {
        if (writing) {
            writeRefused = true;
        } else if ((closing ? failOldest() : fail(pendingSends(channel))) == 0) {
            counters.drop(IoDropReason.TX_ERROR);
        }
    }

    /** Counts as transmitted every recorded send {@code channel} no longer holds. */
    void settle(Channel channel) {
        if (recorded != settled) {
            settle(pendingSends(channel));
        }
    }

    /** Flushed sends {@code channel} still holds (0 once it is closed). */
    private static int pendingSends(Channel channel) {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.size();
    }

    /** Records a send just written to the channel: {@code sendDatagrams} datagrams of {@code sendFrameBytes} frame bytes. */
    void record(int sendDatagrams, long sendFrameBytes) {
        int at = (int) recorded & mask;
        datagrams[at] = sendDatagrams;
        frameBytes[at] = sendFrameBytes;
        recorded++;
    }

    /**
     * Counts as transmitted every recorded send the channel no longer holds; {@code pending} is how
     * many flushed sends it still holds.
     */
    void settle(int pending) {
        transmittedUpTo(recorded - pending);
    }

    /**
     * Counts the send the channel has just reported as failed (the newest one it no longer holds,
     * {@code pending} being how many it still holds) as {@code tx-error} drops, one per datagram,
     * and those before it as transmitted. Returns the failed send's datagrams, or 0 when no send
     * finished since the last settlement (the failure was not a send's).
     */
    int fail(int pending) {
        long failed = recorded - pending - 1;
        if (failed < settled) {
            return 0;
        }
        transmittedUpTo(failed);
        int lost = datagrams[(int) failed & mask];
        counters.drop(IoDropReason.TX_ERROR, lost);
        settled = failed + 1;
        return lost;
    }

    /**
     * Counts the oldest unsettled send as failed: for failures reported while the channel closes,
     * when it no longer says what it holds but fails what it held oldest first. Returns its
     * datagrams, or 0 when nothing is unsettled.
     */
    int failOldest() {
        return settled < recorded ? fail((int) (recorded - settled - 1)) : 0;
    }

    private void transmittedUpTo(long end) {
        long packets = 0;
        long bytes = 0;
        for (long send = settled; send < end; send++) {
            int at = (int) send & mask;
            packets += datagrams[at];
            bytes += frameBytes[at];
        }
        if (packets > 0) {
            counters.addTransmitted(packets, bytes);
        }
        if (end > settled) {
            settled = end;
        }
    }
}
