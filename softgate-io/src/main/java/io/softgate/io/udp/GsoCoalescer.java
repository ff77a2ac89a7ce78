package io.softgate.io.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;

/**
 * Joins consecutive datagrams of a transmit batch that go to the same outer destination with the
 * same payload size into one UDP generic segmentation offload send (Linux {@code UDP_SEGMENT},
 * Netty's {@link SegmentedDatagramPacket}): the kernel walks its UDP/IP send path and the qdisc
 * once for the whole run and cuts it into datagrams late (in the device, or in software just
 * before it), which costs a fraction of sending each datagram on its own (measured on a veth
 * pair without segmentation offload: ~0.9 against ~2.7 µs of sender CPU per datagram, 64 to a run).
 * The datagrams on the wire are the same, in the same order.
 *
 * <p>A run ends at a different destination or size, at {@link #MAX_SEGMENTS}, at 65,507 bytes
 * (the most one UDP send can carry), and after a shorter datagram, which the kernel accepts only
 * as a run's last segment. A run of one is sent as a plain datagram. Payloads above
 * {@link #MAX_SEGMENT_BYTES} are never joined, and with segmentation off every run is one datagram.
 *
 * <p>Threading: confined to the thread that transmits on the queue (its worker).
 */
final class GsoCoalescer {
    /**
     * Segments per send: the kernel's {@code UDP_MAX_SEGMENTS} is 64 on older kernels (128 on
     * newer ones); a larger run fails with EINVAL, so stay at the smaller.
     */
    static final int MAX_SEGMENTS = 64;
    /**
     * Largest payload that is joined: a 1,500-byte MTU less the IPv4 and UDP headers. The kernel
     * refuses (EMSGSIZE) a segmented send whose segment and headers exceed the route's MTU, where a
     * single datagram would be fragmented; larger payloads therefore go one per send, as before.
     */
    static final int MAX_SEGMENT_BYTES = 1500 - 20 - 8;
    /** The most payload one UDP send can carry over IPv4: 65,535 less the IPv4 and UDP headers. */
    static final int MAX_SEND_BYTES = 65_535 - 20 - 8;

    private final DatagramFrames frames;
    private final ByteBufAllocator allocator;
    /** Takes each finished send (and ownership of it). */
    private final Sink sink;
    private boolean segmentation;
    private ByteBuf run;
    private int runDatagrams;
    /** Frame bytes (outer headers included) of the run's datagrams, as the queue counts them. */
    private long runFrameBytes;
    private int runSegmentBytes;
    private int runMaxDatagrams;
    private int runAddress;
    private int runPort;

    GsoCoalescer(DatagramFrames frames, ByteBufAllocator allocator, Sink sink, boolean segmentation) {
        this.frames = frames;
        this.allocator = allocator;
        this.sink = sink;
        this.segmentation = segmentation;
    }

    /** True while runs may join more than one datagram. */
    boolean segmentation() {
        return segmentation;
    }

    /** From the next run on, one datagram per send (the route refused a GSO send). */
    void stopSegmentation() {
        segmentation = false;
    }

    /**
     * Adds the frame at {@code offset}: joins it to the open run or starts one (ending the open run
     * first when it cannot take it). {@code laterFrames} is how many more frames this batch may add,
     * which bounds the run's buffer. Returns the payload length, or -1 when the frame cannot be
     * sent (counted by {@link DatagramFrames#locatePayload}).
     */
    int add(int offset, int length, int laterFrames) {
        int payloadOffset = frames.locatePayload(offset, length);
        if (payloadOffset < 0) {
            return -1;
        }
        DatagramFrames.LocatedPayload located = frames.located();
        int payloadLength = located.payloadLength;
        if (run != null && !joins(located)) {
            flush();
        }
        if (run == null) {
            open(located, laterFrames);
        }
        frames.appendPayload(run, payloadOffset, payloadLength);
        runDatagrams++;
        runFrameBytes += length;
        if (payloadLength < runSegmentBytes || runDatagrams == runMaxDatagrams) {
            // Only a run's last segment may be shorter than the segment size.
            flush();
        }
        return payloadLength;
    }

    /** Sends the open run, if any. */
    void flush() {
        ByteBuf payload = run;
        if (payload == null) {
            return;
        }
        run = null;
        var recipient = frames.recipient(runAddress, runPort);
        DatagramPacket message = runDatagrams == 1 ? new DatagramPacket(payload, recipient)
            : new SegmentedDatagramPacket(payload, runSegmentBytes, recipient);
        sink.send(message, runDatagrams, runFrameBytes);
    }

    private boolean joins(DatagramFrames.LocatedPayload located) {
        return located.destinationAddress == runAddress && located.destinationPort == runPort
            && located.payloadLength <= runSegmentBytes;
    }

    private void open(DatagramFrames.LocatedPayload located, int laterFrames) {
        int segmentBytes = located.payloadLength;
        runSegmentBytes = segmentBytes;
        runAddress = located.destinationAddress;
        runPort = located.destinationPort;
        runDatagrams = 0;
        runFrameBytes = 0;
        runMaxDatagrams = !segmentation || segmentBytes == 0 || segmentBytes > MAX_SEGMENT_BYTES ? 1
            : Math.min(Math.min(MAX_SEGMENTS, MAX_SEND_BYTES / segmentBytes), laterFrames + 1);
        run = allocator.directBuffer(runMaxDatagrams * segmentBytes, runMaxDatagrams * segmentBytes);
    }

    /**
     * Takes a finished send: {@code datagrams} datagrams (more than one for a GSO run) built from
     * frames of {@code frameBytes} bytes in all.
     *
     * <p>Threading: called on the coalescer's thread.
     */
    interface Sink {
        void send(DatagramPacket message, int datagrams, long frameBytes);
    }
}
