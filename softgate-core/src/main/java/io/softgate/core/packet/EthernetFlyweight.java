package io.softgate.core.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Ethernet II header, with optional IEEE 802.1Q / 802.1ad tags, read and written in place.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 destination MAC (6 octets)                    |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                   source MAC (6 octets)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  EtherType or TPID 0x8100    | (if tagged) PCP|DEI|VLAN ID    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * MAC addresses are handled as the low 48 bits of a long, most significant octet first.
 *
 * <p>Threading: stateless static accessors; the caller owns the buffer region.
 */
public final class EthernetFlyweight {
    public static final int DST_MAC_OFFSET = 0;
    public static final int SRC_MAC_OFFSET = 6;
    public static final int ETHER_TYPE_OFFSET = 12;
    public static final int HEADER_LENGTH = 14;
    public static final int VLAN_TAG_LENGTH = 4;

    public static final int ETHER_TYPE_IPV4 = 0x0800;
    public static final int ETHER_TYPE_ARP = 0x0806;
    public static final int ETHER_TYPE_VLAN = 0x8100;
    public static final int ETHER_TYPE_QINQ = 0x88A8;
    public static final int ETHER_TYPE_IPV6 = 0x86DD;

    /** Tags accepted in front of the real EtherType before the frame counts as malformed. */
    public static final int MAX_VLAN_TAGS = 2;

    private EthernetFlyweight() {
    }

    public static long destinationMac(UnsafeBuffer buffer, int offset) {
        return readMac(buffer, offset + DST_MAC_OFFSET);
    }

    public static void destinationMac(UnsafeBuffer buffer, int offset, long mac) {
        writeMac(buffer, offset + DST_MAC_OFFSET, mac);
    }

    public static long sourceMac(UnsafeBuffer buffer, int offset) {
        return readMac(buffer, offset + SRC_MAC_OFFSET);
    }

    public static void sourceMac(UnsafeBuffer buffer, int offset, long mac) {
        writeMac(buffer, offset + SRC_MAC_OFFSET, mac);
    }

    /** The first EtherType field (a TPID when the frame is tagged). */
    public static int etherType(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + ETHER_TYPE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void etherType(UnsafeBuffer buffer, int offset, int etherType) {
        buffer.putShort(offset + ETHER_TYPE_OFFSET, (short) etherType, BIG_ENDIAN);
    }

    /**
     * Length of the Ethernet header including up to {@link #MAX_VLAN_TAGS} VLAN tags, or -1 when
     * the frame is shorter than its header or has more tags than that.
     */
    public static int headerLength(UnsafeBuffer buffer, int offset, int length) {
        int headerLength = HEADER_LENGTH;
        for (int tags = 0; ; tags++) {
            if (length < headerLength) {
                return -1;
            }
            int type = buffer.getShort(offset + headerLength - 2, BIG_ENDIAN) & 0xFFFF;
            if (type != ETHER_TYPE_VLAN && type != ETHER_TYPE_QINQ) {
                return headerLength;
            }
            if (tags == MAX_VLAN_TAGS) {
                return -1;
            }
            headerLength += VLAN_TAG_LENGTH;
        }
    }

    /** The EtherType of the payload, after any VLAN tags; {@code headerLength} from {@link #headerLength}. */
    public static int payloadEtherType(UnsafeBuffer buffer, int offset, int headerLength) {
        return buffer.getShort(offset + headerLength - 2, BIG_ENDIAN) & 0xFFFF;
    }

    /** VLAN ID of the outermost tag; only meaningful when {@link #etherType} is a TPID. */
    public static int vlanId(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + HEADER_LENGTH, BIG_ENDIAN) & 0x0FFF;
    }

    public static long readMac(UnsafeBuffer buffer, int index) {
        long high = buffer.getShort(index, BIG_ENDIAN) & 0xFFFFL;
        long low = buffer.getInt(index + 2, BIG_ENDIAN) & 0xFFFF_FFFFL;
        return (high << 32) | low;
    }

    public static void writeMac(UnsafeBuffer buffer, int index, long mac) {
        buffer.putShort(index, (short) (mac >>> 32), BIG_ENDIAN);
        buffer.putInt(index + 2, (int) mac, BIG_ENDIAN);
    }
}
