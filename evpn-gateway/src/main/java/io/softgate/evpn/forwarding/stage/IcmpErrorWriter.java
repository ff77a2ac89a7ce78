package io.softgate.evpn.forwarding.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.Ipv6Flyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Turns a packet into the ICMP error about it, in place: the new IP and ICMP headers are written
 * in the bytes just in front of the offending packet's IP header (where its VXLAN and Ethernet
 * headers were), so the quoted packet never moves; only its tail is cut. Also decides whether an
 * error may be sent at all.
 *
 * <p>Threading: stateless static functions.
 */
public final class IcmpErrorWriter {
    /** New IPv4 header + ICMP header in front of the quote. */
    public static final int IPV4_PREFIX_LENGTH = Ipv4Flyweight.MIN_HEADER_LENGTH + IcmpFlyweight.HEADER_LENGTH;
    /** New IPv6 header + ICMPv6 header in front of the quote. */
    public static final int IPV6_PREFIX_LENGTH = Ipv6Flyweight.HEADER_LENGTH + IcmpFlyweight.HEADER_LENGTH;
    /** RFC 1812 §4.3.2.3: an ICMPv4 error is at most 576 bytes. */
    public static final int IPV4_MAX_ERROR_LENGTH = 576;
    /** RFC 4443 §2.4(c): an ICMPv6 error is at most the minimum IPv6 MTU, 1280 bytes. */
    public static final int IPV6_MAX_ERROR_LENGTH = 1280;
    public static final int ERROR_TTL = 64;

    private IcmpErrorWriter() {
    }

    /**
     * RFC 1812 §4.3.2.7: no ICMP error about an ICMP error, a non-initial fragment, a packet to a
     * multicast or broadcast address, or from an address that does not name one host (0/8,
     * 127/8, multicast, class E).
     */
    public static boolean mayReportIpv4(UnsafeBuffer buffer, int ip) {
        int source = Ipv4Flyweight.source(buffer, ip);
        int destination = Ipv4Flyweight.destination(buffer, ip);
        int sourceFirstOctet = source >>> 24;
        if ((destination >>> 24) >= 224 || sourceFirstOctet == 0 || sourceFirstOctet == 127 || sourceFirstOctet >= 224) {
            return false;
        }
        if (Ipv4Flyweight.fragmentOffsetBytes(buffer, ip) != 0) {
            return false;
        }
        if (Ipv4Flyweight.protocol(buffer, ip) == Ipv4Flyweight.PROTOCOL_ICMP) {
            int headerLength = Ipv4Flyweight.headerLength(buffer, ip);
            if (Ipv4Flyweight.totalLength(buffer, ip) <= headerLength) {
                return true;
            }
            return !IcmpFlyweight.isV4Error(IcmpFlyweight.type(buffer, ip + headerLength));
        }
        return true;
    }

    /**
     * RFC 4443 §2.4(e): no ICMPv6 error about an ICMPv6 error, a packet to a multicast address
     * (except Packet Too Big), or from the unspecified or a multicast address. {@code l4} is the
     * upper-layer offset found by decapsulation, or negative when unknown (a non-first fragment).
     */
    public static boolean mayReportIpv6(UnsafeBuffer buffer, int ip, int l4, int protocol, boolean packetTooBig) {
        long sourceHigh = Ipv6Flyweight.sourceHigh(buffer, ip);
        long sourceLow = Ipv6Flyweight.sourceLow(buffer, ip);
        if ((sourceHigh == 0 && sourceLow == 0) || (sourceHigh >>> 56) == 0xFF) {
            return false;
        }
        if (!packetTooBig && (Ipv6Flyweight.destinationHigh(buffer, ip) >>> 56) == 0xFF) {
            return false;
        }
        if (protocol == Ipv4Flyweight.PROTOCOL_ICMPV6 && l4 >= 0) {
            int end = ip + Ipv6Flyweight.HEADER_LENGTH + Ipv6Flyweight.payloadLength(buffer, ip);
            return l4 >= end || !IcmpFlyweight.isV6Error(IcmpFlyweight.type(buffer, l4));
        }
        return true;
    }

    /**
     * Writes an ICMPv4 error about the IPv4 packet at {@code ip} ({@code ipLength} bytes) at
     * {@code ip - IPV4_PREFIX_LENGTH}: IPv4 from {@code source} to the packet's source, TTL 64,
     * DF (at most 576 bytes: an atomic datagram, RFC 6864 §4.1, so id 0), then the ICMP header
     * and as much of the packet as fits in 576 bytes. Returns the error's length.
     */
    public static int writeIpv4(UnsafeBuffer buffer, int ip, int ipLength, int type, int code, int restOfHeader,
                                int source) {
        int destination = Ipv4Flyweight.source(buffer, ip);
        int quoteLength = Math.min(ipLength, IPV4_MAX_ERROR_LENGTH - IPV4_PREFIX_LENGTH);
        int totalLength = IPV4_PREFIX_LENGTH + quoteLength;
        int errorIp = ip - IPV4_PREFIX_LENGTH;
        buffer.putByte(errorIp, (byte) 0x45);
        buffer.putByte(errorIp + Ipv4Flyweight.TOS_OFFSET, (byte) 0);
        Ipv4Flyweight.totalLength(buffer, errorIp, totalLength);
        buffer.putShort(errorIp + Ipv4Flyweight.IDENTIFICATION_OFFSET, (short) 0, BIG_ENDIAN);
        buffer.putShort(errorIp + Ipv4Flyweight.FLAGS_FRAGMENT_OFFSET, (short) Ipv4Flyweight.FLAG_DONT_FRAGMENT,
            BIG_ENDIAN);
        Ipv4Flyweight.ttl(buffer, errorIp, ERROR_TTL);
        buffer.putByte(errorIp + Ipv4Flyweight.PROTOCOL_OFFSET, (byte) Ipv4Flyweight.PROTOCOL_ICMP);
        Ipv4Flyweight.source(buffer, errorIp, source);
        Ipv4Flyweight.destination(buffer, errorIp, destination);
        Ipv4Flyweight.updateChecksum(buffer, errorIp);

        int icmp = errorIp + Ipv4Flyweight.MIN_HEADER_LENGTH;
        IcmpFlyweight.type(buffer, icmp, type);
        IcmpFlyweight.code(buffer, icmp, code);
        IcmpFlyweight.checksum(buffer, icmp, 0);
        IcmpFlyweight.restOfHeader(buffer, icmp, restOfHeader);
        // RFC 792: the ICMP checksum covers the ICMP message only (no pseudo-header).
        IcmpFlyweight.checksum(buffer, icmp, Checksums.checksum(buffer, icmp, IcmpFlyweight.HEADER_LENGTH + quoteLength));
        return totalLength;
    }

    /**
     * Writes an ICMPv6 error about the IPv6 packet at {@code ip} ({@code ipLength} bytes) at
     * {@code ip - IPV6_PREFIX_LENGTH}: IPv6 from {@code (sourceHigh, sourceLow)} to the packet's
     * source, hop limit 64, then the ICMPv6 header and as much of the packet as fits in 1280
     * bytes, checksummed over the pseudo-header (RFC 4443 §2.3). Returns the error's length.
     */
    public static int writeIpv6(UnsafeBuffer buffer, int ip, int ipLength, int type, int code, int restOfHeader,
                                long sourceHigh, long sourceLow) {
        long destinationHigh = Ipv6Flyweight.sourceHigh(buffer, ip);
        long destinationLow = Ipv6Flyweight.sourceLow(buffer, ip);
        int quoteLength = Math.min(ipLength, IPV6_MAX_ERROR_LENGTH - IPV6_PREFIX_LENGTH);
        int payloadLength = IcmpFlyweight.HEADER_LENGTH + quoteLength;
        int errorIp = ip - IPV6_PREFIX_LENGTH;
        buffer.putInt(errorIp, 0x6000_0000, BIG_ENDIAN);
        Ipv6Flyweight.payloadLength(buffer, errorIp, payloadLength);
        buffer.putByte(errorIp + Ipv6Flyweight.NEXT_HEADER_OFFSET, (byte) Ipv4Flyweight.PROTOCOL_ICMPV6);
        Ipv6Flyweight.hopLimit(buffer, errorIp, ERROR_TTL);
        Ipv6Flyweight.source(buffer, errorIp, sourceHigh, sourceLow);
        Ipv6Flyweight.destination(buffer, errorIp, destinationHigh, destinationLow);

        int icmp = errorIp + Ipv6Flyweight.HEADER_LENGTH;
        IcmpFlyweight.type(buffer, icmp, type);
        IcmpFlyweight.code(buffer, icmp, code);
        IcmpFlyweight.checksum(buffer, icmp, 0);
        IcmpFlyweight.restOfHeader(buffer, icmp, restOfHeader);
        IcmpFlyweight.checksum(buffer, icmp,
            Checksums.ipv6L4Checksum(buffer, errorIp, icmp, payloadLength, Ipv4Flyweight.PROTOCOL_ICMPV6));
        return Ipv6Flyweight.HEADER_LENGTH + payloadLength;
    }
}
