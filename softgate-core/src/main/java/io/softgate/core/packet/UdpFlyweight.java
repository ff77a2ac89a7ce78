package io.softgate.core.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * UDP header (RFC 768): source port, destination port, length, checksum (16 bits each).
 *
 * <p>Threading: stateless static accessors; the caller owns the buffer region.
 */
public final class UdpFlyweight {
    public static final int HEADER_LENGTH = 8;
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = 6;

    private UdpFlyweight() {
    }

    public static int sourcePort(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + SOURCE_PORT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void sourcePort(UnsafeBuffer buffer, int offset, int port) {
        buffer.putShort(offset + SOURCE_PORT_OFFSET, (short) port, BIG_ENDIAN);
    }

    public static int destinationPort(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + DESTINATION_PORT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void destinationPort(UnsafeBuffer buffer, int offset, int port) {
        buffer.putShort(offset + DESTINATION_PORT_OFFSET, (short) port, BIG_ENDIAN);
    }

    public static int length(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void length(UnsafeBuffer buffer, int offset, int length) {
        buffer.putShort(offset + LENGTH_OFFSET, (short) length, BIG_ENDIAN);
    }

    public static int checksum(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void checksum(UnsafeBuffer buffer, int offset, int checksum) {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short) checksum, BIG_ENDIAN);
    }
}
