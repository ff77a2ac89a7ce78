package io.softgate.nat.rewrite;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.PacketWords;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.packet.UdpFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A session's precompiled rewrite for one direction, packed in two longs so a session entry holds
 * it inline: which address (source or destination) and which port change, their new values, and
 * the RFC 1624 checksum deltas for the IPv4 header and for the L4 checksum, all computed once on
 * the slow path. The fast path writes the new values and adds the deltas; it never recomputes a
 * checksum and never consults policy.
 *
 * <pre>
 * word 0: new address (32) | new port (16) | L4 checksum delta (16)
 * word 1: target VRF bits 16-23 (8, at 40-47) | flags (8) | target VRF bits 0-15 (16) | IPv4 header
 *         checksum delta (16)     (low bits right; bits 48-63 are the session's, see SessionKeys)
 * </pre>
 *
 * <p>Threading: stateless static functions over the caller's buffer.
 */
public final class Rewrite {
    /** Word-1 flag: the destination address and port change (inbound); otherwise the source ones. */
    public static final long FLAG_DESTINATION = 1L << 32;
    /** Word-1 flag: the entry belongs to the outside (public) direction. */
    public static final long FLAG_OUTSIDE = 1L << 33;
    /**
     * Word-1 flag: the port stays as it is (1:1, port forwards to the same port). It matters for
     * ICMP, whose identifier sits in one field whichever way the packet goes: a packet whose
     * normalised port is 0 must not have its identifier overwritten.
     */
    public static final long FLAG_KEEP_PORT = 1L << 34;
    /** The target VRF's bits 16-23 sit at bits 40-47 (its low 16 bits at 16-31): VRF indices up to 2^24 - 1. */
    private static final int TARGET_VRF_HIGH_SHIFT = 40;

    private Rewrite() {
    }

    /**
     * Builds word 0 for a flow of {@code protocol} whose address changes from {@code oldAddress}
     * to {@code newAddress} and port (ICMP identifier) from {@code oldPort} to {@code newPort}.
     */
    public static long word0(int protocol, int oldAddress, int newAddress, int oldPort, int newPort) {
        int l4Delta;
        if (protocol == Ipv4Flyweight.PROTOCOL_ICMP) {
            // RFC 792: the ICMP checksum has no pseudo-header; only the identifier counts.
            l4Delta = Checksums.delta16(oldPort, newPort);
        } else {
            // RFC 1624: the TCP/UDP pseudo-header holds the address, the header the port.
            l4Delta = Checksums.addDeltas(Checksums.delta32(oldAddress, newAddress),
                Checksums.delta16(oldPort, newPort));
        }
        return ((long) newAddress << 32) | ((long) (newPort & 0xFFFF) << 16) | (l4Delta & 0xFFFF);
    }

    /** Builds word 1: direction flags, the VRF the packet continues in, and the IPv4 header delta. */
    public static long word1(boolean destination, boolean outside, int oldAddress, int newAddress, int targetVrf,
                             boolean keepPort) {
        long flags = (destination ? FLAG_DESTINATION : 0) | (outside ? FLAG_OUTSIDE : 0)
            | (keepPort ? FLAG_KEEP_PORT : 0);
        return flags | ((long) (targetVrf & 0xFF_0000) << (TARGET_VRF_HIGH_SHIFT - 16)) | ((long) (targetVrf & 0xFFFF) << 16)
            | (Checksums.delta32(oldAddress, newAddress) & 0xFFFF);
    }

    public static int newAddress(long word0) {
        return (int) (word0 >>> 32);
    }

    public static int newPort(long word0) {
        return (int) (word0 >>> 16) & 0xFFFF;
    }

    public static int targetVrf(long word1) {
        return ((int) (word1 >>> 16) & 0xFFFF) | ((int) (word1 >>> (TARGET_VRF_HIGH_SHIFT - 16)) & 0xFF_0000);
    }

    public static boolean isDestination(long word1) {
        return (word1 & FLAG_DESTINATION) != 0;
    }

    /**
     * Applies the rewrite to the packet at {@code l3} (L4 at {@code l4}, or {@code l4 < 0} for a
     * non-first fragment, which carries no ports: only its address and header checksum change).
     * One range check covers every byte it touches (the fixed IPv4 header, and the L4 fields up to
     * the checksum: 18 bytes of TCP, 8 of UDP, 6 of ICMP); then it reads and writes them without
     * a check per field ({@link PacketWords}). Callers have validated those headers, so the check
     * fails only for a caller that did not.
     *
     * @return false, with nothing written, when those bytes do not all lie inside {@code buffer}
     */
    public static boolean apply(UnsafeBuffer buffer, int l3, int l4, int protocol, long word0, long word1) {
        if (!PacketWords.inside(buffer, l3, Ipv4Flyweight.MIN_HEADER_LENGTH)
            || l4 >= 0 && !PacketWords.inside(buffer, l4, layer4Reach(protocol))) {
            return false;
        }
        byte[] base = PacketWords.base(buffer);
        long ip = PacketWords.address(buffer, l3);
        boolean destination = (word1 & FLAG_DESTINATION) != 0;
        PacketWords.putInt(base, ip + (destination ? Ipv4Flyweight.DESTINATION_OFFSET : Ipv4Flyweight.SOURCE_OFFSET),
            (int) (word0 >>> 32));
        PacketWords.addToChecksum(base, ip + Ipv4Flyweight.CHECKSUM_OFFSET, (int) word1);
        if (l4 < 0) {
            return true;
        }
        long at = PacketWords.address(buffer, l4);
        // FLAG_KEEP_PORT (1:1, same-port forwards): only the address changes, so TCP and UDP
        // still take the pseudo-header's delta, and ICMP (no pseudo-header) takes nothing.
        boolean newPort = (word1 & FLAG_KEEP_PORT) == 0;
        int port = (int) (word0 >>> 16) & 0xFFFF;
        int l4Delta = (int) word0 & 0xFFFF;
        switch (protocol) {
            case Ipv4Flyweight.PROTOCOL_TCP:
                if (newPort) {
                    PacketWords.putShort(base, at + (destination ? TcpFlyweight.DESTINATION_PORT_OFFSET
                        : TcpFlyweight.SOURCE_PORT_OFFSET), port);
                }
                PacketWords.addToChecksum(base, at + TcpFlyweight.CHECKSUM_OFFSET, l4Delta);
                break;
            case Ipv4Flyweight.PROTOCOL_UDP:
                if (newPort) {
                    PacketWords.putShort(base, at + (destination ? UdpFlyweight.DESTINATION_PORT_OFFSET
                        : UdpFlyweight.SOURCE_PORT_OFFSET), port);
                }
                PacketWords.addToUdpChecksum(base, at + UdpFlyweight.CHECKSUM_OFFSET, l4Delta);
                break;
            case Ipv4Flyweight.PROTOCOL_ICMP:
                if (newPort) {
                    PacketWords.putShort(base, at + IcmpFlyweight.IDENTIFIER_OFFSET, port);
                    PacketWords.addToChecksum(base, at + IcmpFlyweight.CHECKSUM_OFFSET, l4Delta);
                }
                break;
            default:
                break;
        }
        return true;
    }

    /** Bytes of the L4 header {@link #apply} touches: up to the end of its checksum (ICMP: of its identifier). */
    private static int layer4Reach(int protocol) {
        switch (protocol) {
            case Ipv4Flyweight.PROTOCOL_TCP:
                return TcpFlyweight.CHECKSUM_OFFSET + 2;
            case Ipv4Flyweight.PROTOCOL_UDP:
                return UdpFlyweight.CHECKSUM_OFFSET + 2;
            case Ipv4Flyweight.PROTOCOL_ICMP:
                return IcmpFlyweight.IDENTIFIER_OFFSET + 2;
            default:
                return 0;
        }
    }
}
