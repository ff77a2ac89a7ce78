package io.softgate.lb.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.PacketWords;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.packet.UdpFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Applies a connection's precompiled rewrite ({@link ConnectionLayout}) to an IPv4 TCP/UDP packet
 * in place, and translates ICMP errors whose embedded packet belongs to a tracked connection.
 *
 * <p>Threading: stateless static functions; the caller owns the packet.
 */
final class PacketRewriter {
    static final int PROTOCOL_TCP = Ipv4Flyweight.PROTOCOL_TCP;
    static final int PROTOCOL_UDP = Ipv4Flyweight.PROTOCOL_UDP;

    private PacketRewriter() {
    }

    /**
     * Rewrites addresses and ports to {@code newSource}/{@code newDestination} and patches both
     * checksums (RFC 1624). One range check covers every byte it touches, which are then written
     * through {@link PacketWords} without a check each: false, with nothing written, when the IPv4
     * header or the L4 bytes up to the checksum do not lie inside the buffer (callers check the
     * packet's own lengths first, so inside a batch's frame memory this does not happen).
     */
    static boolean apply(UnsafeBuffer buffer, int ip, int l4, int protocol, long newSource, long newDestination) {
        int l4Reach = protocol == PROTOCOL_TCP ? TcpFlyweight.CHECKSUM_OFFSET + 2 : UdpFlyweight.HEADER_LENGTH;
        if (!PacketWords.inside(buffer, ip, Ipv4Flyweight.MIN_HEADER_LENGTH) || !PacketWords.inside(buffer, l4, l4Reach)) {
            return false;
        }
        byte[] base = PacketWords.base(buffer);
        long at = PacketWords.address(buffer, ip);
        // Source and destination address are adjacent (RFC 791 §3.1), as are the two ports
        // (RFC 793 §3.1, RFC 768): one 8-byte and one 4-byte store instead of four.
        PacketWords.putLong(base, at + Ipv4Flyweight.SOURCE_OFFSET,
            (newSource & 0xFFFF_FFFF_0000_0000L) | (newDestination >>> 32));
        PacketWords.addToChecksum(base, at + Ipv4Flyweight.CHECKSUM_OFFSET, ConnectionLayout.checksumDelta(newSource));
        long ports = PacketWords.address(buffer, l4);
        PacketWords.putInt(base, ports, (int) (newSource & 0xFFFF_0000L) | ConnectionLayout.port(newDestination));
        int l4Delta = ConnectionLayout.checksumDelta(newDestination);
        if (protocol == PROTOCOL_TCP) {
            PacketWords.addToChecksum(base, ports + TcpFlyweight.CHECKSUM_OFFSET, l4Delta);
        } else {
            PacketWords.addToUdpChecksum(base, ports + UdpFlyweight.CHECKSUM_OFFSET, l4Delta);
        }
        return true;
    }

    /**
     * Translates an ICMP error whose embedded packet (at {@code inner}, header length
     * {@code innerHeaderLength}) travels opposite to the connection entry that matched it
     * (entry's source S -> S', destination D -> D'): the outer destination becomes D' address,
     * the outer source becomes S' address when it was the entry's source {@code keySource}; in the
     * embedded packet the source (which was D) becomes D' and the destination (S) becomes S', ports
     * too. RFC 5508 §7 / RFC 5382 REQ-9 shape: the embedded header must look like what the receiver
     * sent. Checksums: outer IPv4 and embedded IPv4 recomputed, embedded L4 patched when its
     * checksum lies inside the quoted bytes, ICMP recomputed over the whole message.
     */
    static void translateIcmpError(UnsafeBuffer buffer, int ip, int icmp, int ipEnd, int inner, int innerHeaderLength,
                                   int innerProtocol, int keySource, long newSource, long newDestination) {
        int sourceAddress = ConnectionLayout.address(newSource);
        int destinationAddress = ConnectionLayout.address(newDestination);
        if (Ipv4Flyweight.source(buffer, ip) == keySource) {
            Ipv4Flyweight.source(buffer, ip, sourceAddress);
        }
        Ipv4Flyweight.destination(buffer, ip, destinationAddress);
        Ipv4Flyweight.updateChecksum(buffer, ip);

        int innerL4 = inner + innerHeaderLength;
        int oldSource = Ipv4Flyweight.source(buffer, inner);
        int oldDestination = Ipv4Flyweight.destination(buffer, inner);
        int oldSourcePort = buffer.getShort(innerL4, BIG_ENDIAN) & 0xFFFF;
        int oldDestinationPort = buffer.getShort(innerL4 + 2, BIG_ENDIAN) & 0xFFFF;
        int newInnerSourcePort = ConnectionLayout.port(newDestination);
        int newInnerDestinationPort = ConnectionLayout.port(newSource);
        Ipv4Flyweight.source(buffer, inner, destinationAddress);
        Ipv4Flyweight.destination(buffer, inner, sourceAddress);
        buffer.putShort(innerL4, (short) newInnerSourcePort, BIG_ENDIAN);
        buffer.putShort(innerL4 + 2, (short) newInnerDestinationPort, BIG_ENDIAN);
        Ipv4Flyweight.updateChecksum(buffer, inner);

        int delta = Checksums.addDeltas(
            Checksums.addDeltas(Checksums.delta32(oldSource, destinationAddress), Checksums.delta32(oldDestination, sourceAddress)),
            Checksums.addDeltas(Checksums.delta16(oldSourcePort, newInnerSourcePort),
                Checksums.delta16(oldDestinationPort, newInnerDestinationPort)));
        if (innerProtocol == PROTOCOL_TCP) {
            if (innerL4 + TcpFlyweight.CHECKSUM_OFFSET + 2 <= ipEnd) {
                TcpFlyweight.checksum(buffer, innerL4, Checksums.applyDelta(TcpFlyweight.checksum(buffer, innerL4), delta));
            }
        } else if (innerL4 + UdpFlyweight.CHECKSUM_OFFSET + 2 <= ipEnd
            && PacketWords.inside(buffer, innerL4 + UdpFlyweight.CHECKSUM_OFFSET, 2)) {
            PacketWords.addToUdpChecksum(PacketWords.base(buffer),
                PacketWords.address(buffer, innerL4 + UdpFlyweight.CHECKSUM_OFFSET), delta);
        }
        // RFC 792: the ICMP checksum covers the whole message and no pseudo-header.
        IcmpFlyweight.checksum(buffer, icmp, 0);
        IcmpFlyweight.checksum(buffer, icmp, Checksums.checksum(buffer, icmp, ipEnd - icmp));
    }

    /**
     * Header length of the IPv4 packet embedded in an ICMP error at {@code inner}, or -1 unless it
     * is IPv4 and its header plus 8 bytes of L4 (the ports) lie before {@code ipEnd}.
     */
    static int embeddedHeaderLength(UnsafeBuffer buffer, int inner, int ipEnd) {
        if (inner + Ipv4Flyweight.MIN_HEADER_LENGTH > ipEnd || Ipv4Flyweight.version(buffer, inner) != 4) {
            return -1;
        }
        int headerLength = Ipv4Flyweight.headerLength(buffer, inner);
        if (headerLength < Ipv4Flyweight.MIN_HEADER_LENGTH || inner + headerLength + 8 > ipEnd) {
            return -1;
        }
        return headerLength;
    }
}
