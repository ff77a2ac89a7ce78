package io.softgate.core.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * TCP header (RFC 9293 §3.1) with options, read and written in place.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Threading: stateless static accessors; the caller owns the buffer region.
 */
public final class TcpFlyweight {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int ACKNOWLEDGMENT_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;

    public static final int FLAG_FIN = 0x01;
    public static final int FLAG_SYN = 0x02;
    public static final int FLAG_RST = 0x04;
    public static final int FLAG_PSH = 0x08;
    public static final int FLAG_ACK = 0x10;

    public static final int OPTION_END = 0;
    public static final int OPTION_NOP = 1;
    public static final int OPTION_MSS = 2;

    private TcpFlyweight() {
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

    public static int sequence(UnsafeBuffer buffer, int offset) {
        return buffer.getInt(offset + SEQUENCE_OFFSET, BIG_ENDIAN);
    }

    public static int acknowledgment(UnsafeBuffer buffer, int offset) {
        return buffer.getInt(offset + ACKNOWLEDGMENT_OFFSET, BIG_ENDIAN);
    }

    /** Header length in bytes (data offset x 4). */
    public static int headerLength(UnsafeBuffer buffer, int offset) {
        return ((buffer.getByte(offset + DATA_OFFSET_OFFSET) >> 4) & 0xF) << 2;
    }

    public static int flags(UnsafeBuffer buffer, int offset) {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    public static int window(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + WINDOW_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static int checksum(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void checksum(UnsafeBuffer buffer, int offset, int checksum) {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short) checksum, BIG_ENDIAN);
    }

    /** Checks that a TCP header of legal data offset fits in {@code available}; returns its length or -1. */
    public static int validate(UnsafeBuffer buffer, int offset, int available) {
        if (available < MIN_HEADER_LENGTH) {
            return -1;
        }
        int length = headerLength(buffer, offset);
        return length >= MIN_HEADER_LENGTH && length <= available ? length : -1;
    }

    /**
     * Offset of the MSS option's value (absolute), or -1 when the options hold none or are
     * malformed. Walks options bounded by the header length.
     */
    public static int findMssOption(UnsafeBuffer buffer, int offset) {
        int end = offset + headerLength(buffer, offset);
        int position = offset + MIN_HEADER_LENGTH;
        while (position < end) {
            int kind = buffer.getByte(position) & 0xFF;
            if (kind == OPTION_END) {
                return -1;
            }
            if (kind == OPTION_NOP) {
                position++;
                continue;
            }
            if (position + 1 >= end) {
                return -1;
            }
            int length = buffer.getByte(position + 1) & 0xFF;
            if (length < 2 || position + length > end) {
                return -1;
            }
            if (kind == OPTION_MSS && length == 4) {
                return position + 2;
            }
            position += length;
        }
        return -1;
    }
}
