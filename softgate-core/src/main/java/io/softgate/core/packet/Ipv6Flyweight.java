package io.softgate.core.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * IPv6 fixed header (RFC 8200 §3) and a bounded walk over its extension headers (§4).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Source Address (16 octets)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Destination Address (16 octets)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Addresses are read as two longs, high (first 8 octets) and low.
 *
 * <p>Threading: stateless static accessors; the caller owns the buffer region.
 */
public final class Ipv6Flyweight {
    public static final int HEADER_LENGTH = 40;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SOURCE_OFFSET = 8;
    public static final int DESTINATION_OFFSET = 24;

    public static final int NEXT_HEADER_HOP_BY_HOP = 0;
    public static final int NEXT_HEADER_ROUTING = 43;
    public static final int NEXT_HEADER_FRAGMENT = 44;
    public static final int NEXT_HEADER_ESP = 50;
    public static final int NEXT_HEADER_AUTH = 51;
    public static final int NEXT_HEADER_NONE = 59;
    public static final int NEXT_HEADER_DESTINATION_OPTIONS = 60;
    public static final int FRAGMENT_HEADER_LENGTH = 8;

    /** Extension headers walked before the packet counts as malformed (a bound against abuse). */
    public static final int MAX_EXTENSION_HEADERS = 8;

    private Ipv6Flyweight() {
    }

    public static int version(UnsafeBuffer buffer, int offset) {
        return (buffer.getByte(offset) >> 4) & 0xF;
    }

    public static int payloadLength(UnsafeBuffer buffer, int offset) {
        return buffer.getShort(offset + PAYLOAD_LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void payloadLength(UnsafeBuffer buffer, int offset, int length) {
        buffer.putShort(offset + PAYLOAD_LENGTH_OFFSET, (short) length, BIG_ENDIAN);
    }

    public static int nextHeader(UnsafeBuffer buffer, int offset) {
        return buffer.getByte(offset + NEXT_HEADER_OFFSET) & 0xFF;
    }

    public static int hopLimit(UnsafeBuffer buffer, int offset) {
        return buffer.getByte(offset + HOP_LIMIT_OFFSET) & 0xFF;
    }

    public static void hopLimit(UnsafeBuffer buffer, int offset, int hopLimit) {
        buffer.putByte(offset + HOP_LIMIT_OFFSET, (byte) hopLimit);
    }

    public static long sourceHigh(UnsafeBuffer buffer, int offset) {
        return buffer.getLong(offset + SOURCE_OFFSET, BIG_ENDIAN);
    }

    public static long sourceLow(UnsafeBuffer buffer, int offset) {
        return buffer.getLong(offset + SOURCE_OFFSET + 8, BIG_ENDIAN);
    }

    public static long destinationHigh(UnsafeBuffer buffer, int offset) {
        return buffer.getLong(offset + DESTINATION_OFFSET, BIG_ENDIAN);
    }

    public static long destinationLow(UnsafeBuffer buffer, int offset) {
        return buffer.getLong(offset + DESTINATION_OFFSET + 8, BIG_ENDIAN);
    }

    public static void source(UnsafeBuffer buffer, int offset, long high, long low) {
        buffer.putLong(offset + SOURCE_OFFSET, high, BIG_ENDIAN);
        buffer.putLong(offset + SOURCE_OFFSET + 8, low, BIG_ENDIAN);
    }

    public static void destination(UnsafeBuffer buffer, int offset, long high, long low) {
        buffer.putLong(offset + DESTINATION_OFFSET, high, BIG_ENDIAN);
        buffer.putLong(offset + DESTINATION_OFFSET + 8, low, BIG_ENDIAN);
    }

    /**
     * Checks version 6 and that the payload length fits in {@code available} bytes. Returns the
     * total packet length (40 + payload length) or -1.
     */
    public static int validate(UnsafeBuffer buffer, int offset, int available) {
        if (available < HEADER_LENGTH || version(buffer, offset) != 6) {
            return -1;
        }
        int total = HEADER_LENGTH + payloadLength(buffer, offset);
        return total <= available ? total : -1;
    }

    /**
     * Walks the extension headers of the packet at {@code offset} (of {@code packetLength} bytes)
     * and returns {@link #packWalk packed} (upper-layer protocol, its offset from {@code offset},
     * fragment bits), or -1 when a header runs past the packet or the chain is longer than
     * {@link #MAX_EXTENSION_HEADERS}. ESP and "no next header" end the walk as the upper layer.
     *
     * <p>A non-first fragment (Fragment header with a non-zero offset) ends the walk at its
     * Fragment header (RFC 8200 §4.5: only the first fragment carries the headers after it; in a
     * later fragment those bytes are payload): the protocol is the Fragment header's Next Header,
     * the fragment bits include {@link #WALK_NON_FIRST_FRAGMENT}, and the offset is where the
     * fragment's data starts, which is <em>not</em> an upper-layer header (callers keep no L4
     * offset for such a packet, e.g. {@code PacketBatch.l4Offset} stays unset).
     */
    public static long walkExtensionHeaders(UnsafeBuffer buffer, int offset, int packetLength) {
        int next = nextHeader(buffer, offset);
        int position = HEADER_LENGTH;
        int fragmentBits = 0;
        for (int count = 0; count <= MAX_EXTENSION_HEADERS; count++) {
            switch (next) {
                case NEXT_HEADER_HOP_BY_HOP:
                case NEXT_HEADER_ROUTING:
                case NEXT_HEADER_DESTINATION_OPTIONS: {
                    if (position + 8 > packetLength) {
                        return -1;
                    }
                    int length = ((buffer.getByte(offset + position + 1) & 0xFF) + 1) << 3;
                    next = buffer.getByte(offset + position) & 0xFF;
                    position += length;
                    break;
                }
                case NEXT_HEADER_AUTH: {
                    if (position + 8 > packetLength) {
                        return -1;
                    }
                    // RFC 4302 §2.2: AH length is in 4-octet units, minus 2.
                    int length = ((buffer.getByte(offset + position + 1) & 0xFF) + 2) << 2;
                    next = buffer.getByte(offset + position) & 0xFF;
                    position += length;
                    break;
                }
                case NEXT_HEADER_FRAGMENT: {
                    if (position + FRAGMENT_HEADER_LENGTH > packetLength) {
                        return -1;
                    }
                    int word = buffer.getShort(offset + position + 2, BIG_ENDIAN) & 0xFFFF;
                    int fragmentOffset = word & 0xFFF8;
                    boolean more = (word & 1) != 0;
                    next = buffer.getByte(offset + position) & 0xFF;
                    position += FRAGMENT_HEADER_LENGTH;
                    if (fragmentOffset != 0) {
                        // RFC 8200 §4.5: what follows is fragment data, not headers.
                        return packWalk(next, position, WALK_NON_FIRST_FRAGMENT | WALK_FRAGMENT);
                    }
                    if (more) {
                        fragmentBits = WALK_FRAGMENT;
                    }
                    break;
                }
                default:
                    if (position > packetLength) {
                        return -1;
                    }
                    return packWalk(next, position, fragmentBits);
            }
        }
        return -1;
    }

    public static final int WALK_FRAGMENT = 1;
    public static final int WALK_NON_FIRST_FRAGMENT = 2;

    private static long packWalk(int protocol, int l4Offset, int fragmentBits) {
        return ((long) fragmentBits << 48) | ((long) protocol << 32) | l4Offset;
    }

    /** Upper-layer protocol from a {@link #walkExtensionHeaders} result. */
    public static int walkProtocol(long walk) {
        return (int) (walk >>> 32) & 0xFF;
    }

    /** Offset of the upper-layer header from the IPv6 header, from a walk result. */
    public static int walkL4Offset(long walk) {
        return (int) walk;
    }

    /** Fragment bits ({@link #WALK_FRAGMENT}, {@link #WALK_NON_FIRST_FRAGMENT}) from a walk result. */
    public static int walkFragmentBits(long walk) {
        return (int) (walk >>> 48) & 0xFF;
    }
}
