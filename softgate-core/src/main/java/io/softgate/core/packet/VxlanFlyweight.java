package io.softgate.core.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * VXLAN header (RFC 7348 §5), carried in UDP to port 4789.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|R|R|R|I|R|R|R|            Reserved                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                VXLAN Network Identifier (VNI) |   Reserved    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Threading: stateless static accessors; the caller owns the buffer region.
 */
public final class VxlanFlyweight {
    public static final int HEADER_LENGTH = 8;
    public static final int UDP_PORT = 4789;
    /** RFC 7348 §5: the I flag must be set for a valid VNI. */
    public static final int FLAG_VALID_VNI = 0x08;
    /** Outer Ethernet + IPv4 (no options) + UDP + VXLAN: the bytes encapsulation adds. */
    public static final int IPV4_ENCAP_OVERHEAD = EthernetFlyweight.HEADER_LENGTH
        + Ipv4Flyweight.MIN_HEADER_LENGTH + UdpFlyweight.HEADER_LENGTH + HEADER_LENGTH;

    private VxlanFlyweight() {
    }

    public static int flags(UnsafeBuffer buffer, int offset) {
        return buffer.getByte(offset) & 0xFF;
    }

    public static int vni(UnsafeBuffer buffer, int offset) {
        return (buffer.getInt(offset + 4, BIG_ENDIAN) >>> 8) & 0xFF_FFFF;
    }

    /** Writes flags = I and the VNI, zeroing the reserved fields. */
    public static void write(UnsafeBuffer buffer, int offset, int vni) {
        buffer.putInt(offset, FLAG_VALID_VNI << 24, BIG_ENDIAN);
        buffer.putInt(offset + 4, vni << 8, BIG_ENDIAN);
    }
}
