package io.softgate.core.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) share this header shape: type, code, checksum, and a
 * 32-bit rest (identifier + sequence for queries, MTU for "too big", unused otherwise).
 *
 * <p>Threading: stateless static accessors; the caller owns the buffer region.
 */
public final class IcmpFlyweight {
    public static final int HEADER_LENGTH = 8;
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 6;
    /** RFC 1191 §4: next-hop MTU in the low 16 bits of the rest-of-header word. */
    public static final int NEXT_HOP_MTU_OFFSET = 6;
    /** RFC 4443 §3.2: the MTU field of Packet Too Big is the whole 32-bit word. */
    public static final int V6_MTU_OFFSET = 4;

    // ICMPv4 types (RFC 792).
    public static final int V4_ECHO_REPLY = 0;
    public static final int V4_DESTINATION_UNREACHABLE = 3;
    public static final int V4_ECHO_REQUEST = 8;
    public static final int V4_TIME_EXCEEDED = 11;
    public static final int V4_PARAMETER_PROBLEM = 12;
    public static final int V4_TIMESTAMP = 13;
    public static final int V4_TIMESTAMP_REPLY = 14;
    /** Code of destination-unreachable: fragmentation needed and DF set (RFC 1191). */
    public static final int V4_CODE_FRAGMENTATION_NEEDED = 4;
    /** Code of destination-unreachable: communication administratively prohibited (RFC 1812). */
    public static final int V4_CODE_ADMIN_PROHIBITED = 13;
    public static final int V4_CODE_NET_UNREACHABLE = 0;
    public static final int V4_CODE_HOST_UNREACHABLE = 1;
    public static final int V4_CODE_PORT_UNREACHABLE = 3;
    public static final int V4_CODE_TTL_EXCEEDED = 0;

    // ICMPv6 types (RFC 4443).
    public static final int V6_DESTINATION_UNREACHABLE = 1;
    public static final int V6_PACKET_TOO_BIG = 2;
    public static final int V6_TIME_EXCEEDED = 3;
    public static final int V6_PARAMETER_PROBLEM = 4;
    public static final int V6_ECHO_REQUEST = 128;
    public static final int V6_ECHO_REPLY = 129;

    private IcmpFlyweight() {
    }

    public static int type(UnsafeBuffer buffer, int offset) {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public static void type(UnsafeBuffer buffer, int offset, int type) {
        buffer.putByte(offset + TYPE_OFFSET, (byte) type);
    }

    public static int code(UnsafeBuffer buffer, int offset) {
        return buffer.getByte(offset + CODE_OFFSET) & 0xFF;
    }

    public static void code(UnsafeBuffer buffer, int offset, int code) {
        buffer.putByte(offset + CODE_OFFSET, (byte) code);
    }

    public static int checksum(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void checksum(UnsafeBuffer buffer, int offset, int checksum) {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short) checksum, BIG_ENDIAN);
    }

    public static int identifier(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + IDENTIFIER_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void identifier(UnsafeBuffer buffer, int offset, int identifier) {
        buffer.putShort(offset + IDENTIFIER_OFFSET, (short) identifier, BIG_ENDIAN);
    }

    public static int sequence(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + SEQUENCE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /** The 32-bit word after the checksum ("rest of header"). */
    public static int restOfHeader(UnsafeBuffer buffer, int offset) {
        return buffer.getInt(offset + IDENTIFIER_OFFSET, BIG_ENDIAN);
    }

    public static void restOfHeader(UnsafeBuffer buffer, int offset, int value) {
        buffer.putInt(offset + IDENTIFIER_OFFSET, value, BIG_ENDIAN);
    }

    /** True for ICMPv4 error types, whose body embeds the offending packet's header (RFC 792). */
    public static boolean isV4Error(int type) {
        return type == V4_DESTINATION_UNREACHABLE || type == V4_TIME_EXCEEDED || type == V4_PARAMETER_PROBLEM
            || type == 4 /* source quench, deprecated by RFC 6633 but still an error */ || type == 5 /* redirect */;
    }

    /** True for ICMPv4 query types that carry an identifier (echo, timestamp). */
    public static boolean isV4Query(int type) {
        return type == V4_ECHO_REQUEST || type == V4_ECHO_REPLY || type == V4_TIMESTAMP || type == V4_TIMESTAMP_REPLY;
    }

    /** RFC 4443 §2.1: ICMPv6 types below 128 are errors. */
    public static boolean isV6Error(int type) {
        return type < 128;
    }
}
