package io.softgate.core.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * IPv4 header (RFC 791), options included, read and written in place.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP/ECN    |          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Addresses are ints in network order (the first octet is the most significant byte).
 *
 * <p>Threading: stateless static accessors; the caller owns the buffer region.
 */
public final class Ipv4Flyweight {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;

    public static final int FLAG_DONT_FRAGMENT = 0x4000;
    public static final int FLAG_MORE_FRAGMENTS = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    public static final int PROTOCOL_ICMPV6 = 58;

    private Ipv4Flyweight() {
    }

    public static int version(UnsafeBuffer buffer, int offset) {
        return (buffer.getByte(offset) >> 4) & 0xF;
    }

    /** Header length in bytes (IHL x 4). */
    public static int headerLength(UnsafeBuffer buffer, int offset) {
        return (buffer.getByte(offset) & 0xF) << 2;
    }

    public static int tos(UnsafeBuffer buffer, int offset) {
        return buffer.getByte(offset + TOS_OFFSET) & 0xFF;
    }

    public static int totalLength(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void totalLength(UnsafeBuffer buffer, int offset, int totalLength) {
        buffer.putShort(offset + TOTAL_LENGTH_OFFSET, (short) totalLength, BIG_ENDIAN);
    }

    public static int identification(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + IDENTIFICATION_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /** Flags and fragment offset as one 16-bit word. */
    public static int flagsAndFragmentOffset(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static boolean dontFragment(UnsafeBuffer buffer, int offset) {
        return (flagsAndFragmentOffset(buffer, offset) & FLAG_DONT_FRAGMENT) != 0;
    }

    /** True when the packet is any fragment (MF set or a non-zero offset). */
    public static boolean isFragment(UnsafeBuffer buffer, int offset) {
        return (flagsAndFragmentOffset(buffer, offset) & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /** Fragment offset in bytes. */
    public static int fragmentOffsetBytes(UnsafeBuffer buffer, int offset) {
        return (flagsAndFragmentOffset(buffer, offset) & FRAGMENT_OFFSET_MASK) << 3;
    }

    public static int ttl(UnsafeBuffer buffer, int offset) {
        return buffer.getByte(offset + TTL_OFFSET) & 0xFF;
    }

    public static void ttl(UnsafeBuffer buffer, int offset, int ttl) {
        buffer.putByte(offset + TTL_OFFSET, (byte) ttl);
    }

    public static int protocol(UnsafeBuffer buffer, int offset) {
        return buffer.getByte(offset + PROTOCOL_OFFSET) & 0xFF;
    }

    public static int checksum(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void checksum(UnsafeBuffer buffer, int offset, int checksum) {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short) checksum, BIG_ENDIAN);
    }

    public static int source(UnsafeBuffer buffer, int offset) {
        return buffer.getInt(offset + SOURCE_OFFSET, BIG_ENDIAN);
    }

    public static void source(UnsafeBuffer buffer, int offset, int address) {
        buffer.putInt(offset + SOURCE_OFFSET, address, BIG_ENDIAN);
    }

    public static int destination(UnsafeBuffer buffer, int offset) {
        return buffer.getInt(offset + DESTINATION_OFFSET, BIG_ENDIAN);
    }

    public static void destination(UnsafeBuffer buffer, int offset, int address) {
        buffer.putInt(offset + DESTINATION_OFFSET, address, BIG_ENDIAN);
    }

    /**
     * Checks the header that starts at {@code offset} with {@code available} bytes after it:
     * version 4, IHL >= 5, header and total length inside the bytes present. Returns the header
     * length, or -1 when any of that is false.
     */
    public static int validate(UnsafeBuffer buffer, int offset, int available) {
        if (available < MIN_HEADER_LENGTH || version(buffer, offset) != 4) {
            return -1;
        }
        int headerLength = headerLength(buffer, offset);
        int totalLength = totalLength(buffer, offset);
        if (headerLength < MIN_HEADER_LENGTH || headerLength > totalLength || totalLength > available) {
            return -1;
        }
        return headerLength;
    }

    /** Recomputes the header checksum from scratch. */
    public static void updateChecksum(UnsafeBuffer buffer, int offset) {
        checksum(buffer, offset, 0);
        checksum(buffer, offset, Checksums.checksum(buffer, offset, headerLength(buffer, offset)));
    }

    /** Decrements the TTL and patches the checksum incrementally (RFC 1624 eqn. 3). */
    public static void decrementTtl(UnsafeBuffer buffer, int offset) {
        int oldWord = buffer.getShort(offset + TTL_OFFSET, BIG_ENDIAN) & 0xFFFF;
        int newWord = oldWord - 0x0100;
        buffer.putShort(offset + TTL_OFFSET, (short) newWord, BIG_ENDIAN);
        checksum(buffer, offset, Checksums.update16(checksum(buffer, offset), oldWord, newWord & 0xFFFF));
    }

    /** Formats an address in dotted quad (for logs and tests, never on the packet path). */
    public static String format(int address) {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF)
            + "." + (address & 0xFF);
    }

    /** Parses a dotted quad into an int; throws IllegalArgumentException on anything else. */
    public static int parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int address = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !allDigits(part)) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    // A plain loop rather than String.chars(): packet classes never link java.util.stream.
    private static boolean allDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
