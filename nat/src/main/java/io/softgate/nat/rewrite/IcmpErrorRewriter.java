package io.softgate.nat.rewrite;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.packet.UdpFlyweight;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Translates an ICMP error (RFC 5508 error payload translation, RFC 792): the outer IPv4 header, the embedded IPv4
 * header and the embedded transport ports (or ICMP identifier), with every checksum fixed: the
 * embedded IP and transport checksums incrementally from the session's precompiled delta, the
 * outer IP and ICMP checksums by recomputation (errors are rare and the ICMP checksum covers the
 * whole quoted packet). Since that recomputation would hide a corrupted error, the caller first
 * checks the checksums it rewrites from scratch ({@link #checksumsValid}, RFC 5508 REQ-3).
 *
 * <p>Threading: stateless static functions over the caller's buffer.
 */
public final class IcmpErrorRewriter {
    private IcmpErrorRewriter() {
    }

    /**
     * RFC 5508 REQ-3: true when the error's ICMP checksum and its embedded IPv4 header's checksum
     * both verify. The ICMP checksum (RFC 792) covers the whole ICMP message as received, from
     * {@code l4} to {@code icmpEnd}: a router may have quoted only part of the datagram, and the
     * checksum covers what is there. The embedded transport checksum is not checked: it covers
     * the whole original datagram, which is usually not all quoted.
     *
     * @param l4      outer ICMP header
     * @param icmpEnd one past the last byte of the ICMP message
     * @param e3      embedded IPv4 header, its whole header length inside the message
     */
    public static boolean checksumsValid(UnsafeBuffer buffer, int l4, int icmpEnd, int e3) {
        // A correct checksum makes the one's-complement sum of what it covers 0xFFFF (RFC 1071).
        return Checksums.fold(Checksums.sum(buffer, l4, icmpEnd - l4)) == 0xFFFF
            && Checksums.fold(Checksums.sum(buffer, e3, Ipv4Flyweight.headerLength(buffer, e3))) == 0xFFFF;
    }

    /**
     * Rewrites an error whose embedded packet's {@code embeddedSource} side (source when true,
     * destination when false) becomes {@code newAddress:newPort}, and whose outer header's
     * matching side (destination for an inbound error, source for an outbound one) becomes
     * {@code newAddress}.
     *
     * @param l3          outer IPv4 header
     * @param l4          outer ICMP header
     * @param icmpEnd     one past the last byte of the ICMP message
     * @param e3          embedded IPv4 header
     * @param e4          embedded transport header
     * @param keepPort    the port (identifier) stays as it is
     * @param l4Delta     the session rewrite's transport checksum delta (address and port change)
     */
    public static void rewrite(UnsafeBuffer buffer, int l3, int l4, int icmpEnd, int e3, int e4,
                               boolean embeddedSource, int newAddress, int newPort, boolean keepPort, int l4Delta) {
        int protocol = Ipv4Flyweight.protocol(buffer, e3);
        int available = icmpEnd - e4;
        // Outer header: an inbound error goes to the inside host, an outbound one comes from our address.
        if (embeddedSource) {
            Ipv4Flyweight.destination(buffer, l3, newAddress);
            Ipv4Flyweight.source(buffer, e3, newAddress);
        } else {
            Ipv4Flyweight.source(buffer, l3, newAddress);
            Ipv4Flyweight.destination(buffer, e3, newAddress);
        }
        Ipv4Flyweight.updateChecksum(buffer, e3);
        switch (protocol) {
            case Ipv4Flyweight.PROTOCOL_TCP:
                if (!keepPort) {
                    buffer.putShort(e4 + (embeddedSource ? TcpFlyweight.SOURCE_PORT_OFFSET
                        : TcpFlyweight.DESTINATION_PORT_OFFSET), (short) newPort, ByteOrder.BIG_ENDIAN);
                }
                // RFC 792 quotes only 8 bytes of the transport header: the TCP checksum may be absent.
                if (available >= TcpFlyweight.CHECKSUM_OFFSET + 2) {
                    TcpFlyweight.checksum(buffer, e4, Checksums.applyDelta(TcpFlyweight.checksum(buffer, e4), l4Delta));
                }
                break;
            case Ipv4Flyweight.PROTOCOL_UDP:
                if (!keepPort) {
                    buffer.putShort(e4 + (embeddedSource ? UdpFlyweight.SOURCE_PORT_OFFSET
                        : UdpFlyweight.DESTINATION_PORT_OFFSET), (short) newPort, ByteOrder.BIG_ENDIAN);
                }
                int checksum = UdpFlyweight.checksum(buffer, e4);
                if (checksum != 0) {
                    int updated = Checksums.applyDelta(checksum, l4Delta);
                    UdpFlyweight.checksum(buffer, e4, updated == 0 ? 0xFFFF : updated);
                }
                break;
            case Ipv4Flyweight.PROTOCOL_ICMP:
                if (!keepPort) {
                    io.softgate.core.packet.IcmpFlyweight.identifier(buffer, e4, newPort);
                    io.softgate.core.packet.IcmpFlyweight.checksum(buffer, e4,
                        Checksums.applyDelta(io.softgate.core.packet.IcmpFlyweight.checksum(buffer, e4), l4Delta));
                }
                break;
            default:
                break;
        }
        Ipv4Flyweight.updateChecksum(buffer, l3);
        io.softgate.core.packet.IcmpFlyweight.checksum(buffer, l4, 0);
        io.softgate.core.packet.IcmpFlyweight.checksum(buffer, l4, Checksums.checksum(buffer, l4, icmpEnd - l4));
    }
}
