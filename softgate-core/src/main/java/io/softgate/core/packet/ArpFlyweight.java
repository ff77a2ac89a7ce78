package io.softgate.core.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800, sizes 6 and 4.
 *
 * <p>Threading: stateless static accessors; the caller owns the buffer region.
 */
public final class ArpFlyweight {
    public static final int LENGTH = 28;
    public static final int OPERATION_REQUEST = 1;
    public static final int OPERATION_REPLY = 2;

    private ArpFlyweight() {
    }

    /** True when the header is Ethernet/IPv4 ARP of the expected sizes and fits in {@code available}. */
    public static boolean isEthernetIpv4(UnsafeBuffer buffer, int offset, int available) {
        return available >= LENGTH
            && buffer.getShort(offset, BIG_ENDIAN) == 1
            && buffer.getShort(offset + 2, BIG_ENDIAN) == EthernetFlyweight.ETHER_TYPE_IPV4
            && buffer.getByte(offset + 4) == 6
            && buffer.getByte(offset + 5) == 4;
    }

    public static int operation(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + 6, BIG_ENDIAN) & 0xFFFF;
    }

    public static long senderMac(UnsafeBuffer buffer, int offset) {
        return EthernetFlyweight.readMac(buffer, offset + 8);
    }

    public static int senderAddress(UnsafeBuffer buffer, int offset) {
        return buffer.getInt(offset + 14, BIG_ENDIAN);
    }

    public static long targetMac(UnsafeBuffer buffer, int offset) {
        return EthernetFlyweight.readMac(buffer, offset + 18);
    }

    public static int targetAddress(UnsafeBuffer buffer, int offset) {
        return buffer.getInt(offset + 24, BIG_ENDIAN);
    }

    /** Writes a whole Ethernet/IPv4 ARP message. */
    public static void write(UnsafeBuffer buffer, int offset, int operation, long senderMac, int senderAddress,
                             long targetMac, int targetAddress) {
        buffer.putShort(offset, (short) 1, BIG_ENDIAN);
        buffer.putShort(offset + 2, (short) EthernetFlyweight.ETHER_TYPE_IPV4, BIG_ENDIAN);
        buffer.putByte(offset + 4, (byte) 6);
        buffer.putByte(offset + 5, (byte) 4);
        buffer.putShort(offset + 6, (short) operation, BIG_ENDIAN);
        EthernetFlyweight.writeMac(buffer, offset + 8, senderMac);
        buffer.putInt(offset + 14, senderAddress, BIG_ENDIAN);
        EthernetFlyweight.writeMac(buffer, offset + 18, targetMac);
        buffer.putInt(offset + 24, targetAddress, BIG_ENDIAN);
    }
}
