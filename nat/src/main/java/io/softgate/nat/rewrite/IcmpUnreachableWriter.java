package io.softgate.nat.rewrite;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Turns a packet, in place, into an ICMP destination unreachable to its sender: code 13
 * ("communication administratively prohibited", RFC 1812 §5.2.7.1) tells it the NAT could not
 * create a session (DESIGN §8), code 3 (port unreachable) answers a held unsolicited SYN
 * (RFC 5382 REQ-4). A new IPv4 header to the sender, the ICMP header, and the packet's IP header
 * plus its first 8 bytes (RFC 792).
 *
 * <p>Threading: a per-worker instance (it owns a small copy buffer).
 */
public final class IcmpUnreachableWriter {
    private static final int QUOTED_L4_BYTES = 8;
    private static final int NEW_HEADERS = Ipv4Flyweight.MIN_HEADER_LENGTH + IcmpFlyweight.HEADER_LENGTH;
    private final byte[] quote = new byte[Ipv4Flyweight.MAX_HEADER_LENGTH + QUOTED_L4_BYTES];

    /**
     * Writes the error over the packet at {@code l3}; returns the new IPv4 total length, or -1 when
     * the frame has no room (then nothing was changed).
     *
     * @param frameEnd      one past the last byte the frame may hold
     * @param sourceAddress the address the error comes from
     * @param code          the destination-unreachable code ({@code IcmpFlyweight.V4_CODE_*})
     */
    public int write(UnsafeBuffer buffer, int l3, int frameEnd, int sourceAddress, int code) {
        int headerLength = Ipv4Flyweight.headerLength(buffer, l3);
        int totalLength = Ipv4Flyweight.totalLength(buffer, l3);
        int quoted = headerLength + Math.min(QUOTED_L4_BYTES, Math.max(0, totalLength - headerLength));
        int newTotal = NEW_HEADERS + quoted;
        if (l3 + newTotal > frameEnd) {
            return -1;
        }
        int originalSource = Ipv4Flyweight.source(buffer, l3);
        buffer.getBytes(l3, quote, 0, quoted);
        buffer.putBytes(l3 + NEW_HEADERS, quote, 0, quoted);
        buffer.putByte(l3, (byte) 0x45);
        buffer.putByte(l3 + Ipv4Flyweight.TOS_OFFSET, (byte) 0);
        Ipv4Flyweight.totalLength(buffer, l3, newTotal);
        buffer.putInt(l3 + Ipv4Flyweight.IDENTIFICATION_OFFSET, 0); // identification, flags, fragment offset
        Ipv4Flyweight.ttl(buffer, l3, 64);
        buffer.putByte(l3 + Ipv4Flyweight.PROTOCOL_OFFSET, (byte) Ipv4Flyweight.PROTOCOL_ICMP);
        Ipv4Flyweight.source(buffer, l3, sourceAddress);
        Ipv4Flyweight.destination(buffer, l3, originalSource);
        Ipv4Flyweight.updateChecksum(buffer, l3);
        int icmp = l3 + Ipv4Flyweight.MIN_HEADER_LENGTH;
        IcmpFlyweight.type(buffer, icmp, IcmpFlyweight.V4_DESTINATION_UNREACHABLE);
        IcmpFlyweight.code(buffer, icmp, code);
        IcmpFlyweight.restOfHeader(buffer, icmp, 0);
        IcmpFlyweight.checksum(buffer, icmp, 0);
        IcmpFlyweight.checksum(buffer, icmp, Checksums.checksum(buffer, icmp, IcmpFlyweight.HEADER_LENGTH + quoted));
        return newTotal;
    }
}
