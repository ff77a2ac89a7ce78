package io.softgate.io.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIoCounters;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.UdpFlyweight;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The conversion both UDP queue kinds share: a received datagram becomes an outer VXLAN frame
 * (synthesised Ethernet, IPv4 and UDP headers in front of the datagram's bytes), and a frame to
 * transmit becomes a Netty datagram (its UDP payload, sent to the outer destination IP and port
 * found in the frame). Every refusal is counted on the queue's counters.
 *
 * <p>Threading: {@link #toFrame} and {@link #toDatagram} are confined to the thread that drives the
 * queue's receive and transmit (the worker); {@link #setLocalPort} runs before the queue is handed over.
 */
final class DatagramFrames {
    /** Bytes of the synthesised outer Ethernet, IPv4 and UDP headers in front of each datagram. */
    static final int OUTER_HEADER_BYTES = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH
        + UdpFlyweight.HEADER_LENGTH;
    /** TTL written into synthesised outer IPv4 headers. */
    static final int SYNTHESISED_TTL = 64;

    private final UnsafeBuffer frames;
    private final PacketIoCounters counters;
    private final DestinationCache destinations = new DestinationCache();
    private final LocatedPayload located = new LocatedPayload();
    private final UnsafeBuffer nettyView = new UnsafeBuffer(0, 0);
    private final byte[] heapScratch;
    private final long localMac;
    private final long peerMac;
    private final int localAddress;
    private final int maxFrameBytes;
    private final int maxPayloadBytes;
    private int localPort;

    DatagramFrames(FrameMemory memory, PacketIoCounters counters, long localMac, long peerMac, int localAddress,
                   int maxFrameBytes) {
        int room = memory.frameSize() - memory.headroom();
        if (maxFrameBytes <= OUTER_HEADER_BYTES || maxFrameBytes > room) {
            throw new IllegalArgumentException("maxFrameBytes must be in (" + OUTER_HEADER_BYTES + ", " + room
                + "] (frame size minus headroom): " + maxFrameBytes);
        }
        this.frames = memory.buffer();
        this.counters = counters;
        this.localMac = localMac;
        this.peerMac = peerMac;
        this.localAddress = localAddress;
        this.maxFrameBytes = maxFrameBytes;
        this.maxPayloadBytes = maxFrameBytes - OUTER_HEADER_BYTES;
        this.heapScratch = new byte[maxPayloadBytes];
    }

    /** The port written as destination into synthesised UDP headers: the one actually bound. */
    void setLocalPort(int port) {
        this.localPort = port;
    }

    int maxFrameBytes() {
        return maxFrameBytes;
    }

    int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /**
     * Writes outer headers and the datagram at {@code start}; returns the frame length, or -1
     * (counted: oversize, or a sender that is not IPv4). Does not release {@code packet}.
     */
    int toFrame(DatagramPacket packet, int start) {
        ByteBuf content = packet.content();
        int payloadLength = content.readableBytes();
        if (payloadLength > maxPayloadBytes) {
            counters.drop(IoDropReason.RX_OVERSIZE);
            return -1;
        }
        InetSocketAddress sender = packet.sender();
        InetAddress senderAddress = sender == null ? null : sender.getAddress();
        if (!(senderAddress instanceof Inet4Address)) {
            counters.drop(IoDropReason.RX_UNSUPPORTED_PEER);
            return -1;
        }
        // Inet4Address.hashCode() is its address as an int (network order, first octet highest);
        // getAddress() would allocate a copy per datagram.
        int sourceAddress = senderAddress.hashCode();
        writeOuterHeaders(start, sourceAddress, sender.getPort(), payloadLength);
        int payloadStart = start + OUTER_HEADER_BYTES;
        if (content.hasMemoryAddress()) {
            nettyView.wrap(content.memoryAddress() + content.readerIndex(), payloadLength);
            frames.putBytes(payloadStart, nettyView, 0, payloadLength);
        } else {
            content.getBytes(content.readerIndex(), heapScratch, 0, payloadLength);
            frames.putBytes(payloadStart, heapScratch, 0, payloadLength);
        }
        return OUTER_HEADER_BYTES + payloadLength;
    }

    private void writeOuterHeaders(int start, int sourceAddress, int sourcePort, int payloadLength) {
        EthernetFlyweight.destinationMac(frames, start, localMac);
        EthernetFlyweight.sourceMac(frames, start, peerMac);
        EthernetFlyweight.etherType(frames, start, EthernetFlyweight.ETHER_TYPE_IPV4);
        int ip = start + EthernetFlyweight.HEADER_LENGTH;
        int ipLength = Ipv4Flyweight.MIN_HEADER_LENGTH + UdpFlyweight.HEADER_LENGTH + payloadLength;
        frames.putLong(ip, 0L);
        frames.putLong(ip + 8, 0L);
        frames.putByte(ip + Ipv4Flyweight.VERSION_IHL_OFFSET, (byte) 0x45);
        Ipv4Flyweight.totalLength(frames, ip, ipLength);
        Ipv4Flyweight.ttl(frames, ip, SYNTHESISED_TTL);
        frames.putByte(ip + Ipv4Flyweight.PROTOCOL_OFFSET, (byte) Ipv4Flyweight.PROTOCOL_UDP);
        Ipv4Flyweight.source(frames, ip, sourceAddress);
        Ipv4Flyweight.destination(frames, ip, localAddress);
        Ipv4Flyweight.updateChecksum(frames, ip);
        int udp = ip + Ipv4Flyweight.MIN_HEADER_LENGTH;
        UdpFlyweight.sourcePort(frames, udp, sourcePort);
        UdpFlyweight.destinationPort(frames, udp, localPort);
        UdpFlyweight.length(frames, udp, UdpFlyweight.HEADER_LENGTH + payloadLength);
        // RFC 7348 §5: the outer UDP checksum SHOULD be zero for VXLAN over IPv4; the kernel checked it.
        UdpFlyweight.checksum(frames, udp, 0);
    }

    /**
     * Finds the outer IPv4/UDP headers of the frame at {@code offset}, copies its UDP payload into a
     * buffer from {@code allocator} and returns the datagram addressed to the outer destination; null
     * (counted {@link IoDropReason#TX_OVERSIZE} or {@link IoDropReason#TX_MALFORMED}) when it cannot be sent.
     */
    DatagramPacket toDatagram(int offset, int length, ByteBufAllocator allocator) {
        int payloadOffset = locatePayload(offset, length);
        if (payloadOffset < 0) {
            return null;
        }
        int payloadLength = located.payloadLength;
        ByteBuf payload = allocator.directBuffer(payloadLength, payloadLength);
        appendPayload(payload, payloadOffset, payloadLength);
        return new DatagramPacket(payload, recipient(located.destinationAddress, located.destinationPort));
    }

    /**
     * Validates the outer Ethernet, IPv4 and UDP headers of the frame at {@code offset} and returns
     * the absolute offset of its UDP payload, with its length and outer destination in
     * {@link #located()}; -1 (counted {@link IoDropReason#TX_OVERSIZE} or
     * {@link IoDropReason#TX_MALFORMED}) when the frame cannot be sent.
     */
    int locatePayload(int offset, int length) {
        if (length > maxFrameBytes) {
            counters.drop(IoDropReason.TX_OVERSIZE);
            return -1;
        }
        int ethernetLength = EthernetFlyweight.headerLength(frames, offset, length);
        if (ethernetLength < 0
            || EthernetFlyweight.payloadEtherType(frames, offset, ethernetLength) != EthernetFlyweight.ETHER_TYPE_IPV4) {
            counters.drop(IoDropReason.TX_MALFORMED);
            return -1;
        }
        int ip = offset + ethernetLength;
        int ipHeaderLength = Ipv4Flyweight.validate(frames, ip, length - ethernetLength);
        if (ipHeaderLength < 0 || Ipv4Flyweight.protocol(frames, ip) != Ipv4Flyweight.PROTOCOL_UDP
            || Ipv4Flyweight.isFragment(frames, ip)) {
            counters.drop(IoDropReason.TX_MALFORMED);
            return -1;
        }
        int udp = ip + ipHeaderLength;
        int udpRoom = Ipv4Flyweight.totalLength(frames, ip) - ipHeaderLength;
        int udpLength = udpRoom >= UdpFlyweight.HEADER_LENGTH ? UdpFlyweight.length(frames, udp) : -1;
        if (udpLength < UdpFlyweight.HEADER_LENGTH || udpLength > udpRoom) {
            counters.drop(IoDropReason.TX_MALFORMED);
            return -1;
        }
        located.payloadLength = udpLength - UdpFlyweight.HEADER_LENGTH;
        located.destinationAddress = Ipv4Flyweight.destination(frames, ip);
        located.destinationPort = UdpFlyweight.destinationPort(frames, udp);
        return udp + UdpFlyweight.HEADER_LENGTH;
    }

    /** What the last successful {@link #locatePayload} found (overwritten by the next call). */
    LocatedPayload located() {
        return located;
    }

    /** The socket address for an outer destination, from a cache (no allocation for known VTEPs). */
    InetSocketAddress recipient(int address, int port) {
        return destinations.get(address, port);
    }

    /** Copies {@code payloadLength} frame bytes at {@code payloadOffset} to the end of {@code target}, which has room. */
    void appendPayload(ByteBuf target, int payloadOffset, int payloadLength) {
        int at = target.writerIndex();
        if (target.hasMemoryAddress()) {
            nettyView.wrap(target.memoryAddress() + at, payloadLength);
            nettyView.putBytes(0, frames, payloadOffset, payloadLength);
        } else {
            int copied = Math.min(payloadLength, heapScratch.length);
            frames.getBytes(payloadOffset, heapScratch, 0, copied);
            target.setBytes(at, heapScratch, 0, copied);
        }
        target.writerIndex(at + payloadLength);
    }

    /**
     * The result fields of {@link #locatePayload}: one reused instance per queue.
     *
     * <p>Threading: confined to the queue's worker, like {@link DatagramFrames}.
     */
    static final class LocatedPayload {
        int payloadLength;
        int destinationAddress;
        int destinationPort;
    }
}
