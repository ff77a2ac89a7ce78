package io.softgate.core.packet;

import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The Internet checksum (RFC 1071) in full and incrementally (RFC 1624), with the IPv4 and IPv6
 * pseudo-headers that TCP, UDP and ICMPv6 cover.
 *
 * <p>Threading: stateless static functions.
 */
public final class Checksums {
    private Checksums() {
    }

    /** One's-complement sum of {@code length} bytes, not yet folded or inverted. */
    public static long sum(UnsafeBuffer buffer, int offset, int length) {
        long sum = 0;
        int i = 0;
        for (; i + 4 <= length; i += 4) {
            sum += buffer.getInt(offset + i, BIG_ENDIAN) & 0xFFFF_FFFFL;
        }
        if (i + 2 <= length) {
            sum += buffer.getShort(offset + i, BIG_ENDIAN) & 0xFFFF;
            i += 2;
        }
        if (i < length) {
            sum += (buffer.getByte(offset + i) & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds a wide one's-complement sum to 16 bits. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The checksum field value for {@code length} bytes whose checksum field is zero. */
    public static int checksum(UnsafeBuffer buffer, int offset, int length) {
        return ~fold(sum(buffer, offset, length)) & 0xFFFF;
    }

    /** Sum of the IPv4 pseudo-header (RFC 793 §3.1, RFC 768). */
    public static long ipv4PseudoHeaderSum(int source, int destination, int protocol, int l4Length) {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF)
            + protocol + l4Length;
    }

    /** Sum of the IPv6 pseudo-header (RFC 8200 §8.1), addresses read from the IPv6 header at {@code ipOffset}. */
    public static long ipv6PseudoHeaderSum(UnsafeBuffer buffer, int ipOffset, int nextHeader, int l4Length) {
        return sum(buffer, ipOffset + Ipv6Flyweight.SOURCE_OFFSET, 32) + nextHeader + l4Length;
    }

    /** Full TCP/UDP checksum over an IPv4 pseudo-header and the L4 bytes (checksum field must be zero). */
    public static int ipv4L4Checksum(UnsafeBuffer buffer, int ipOffset, int l4Offset, int l4Length, int protocol) {
        long sum = ipv4PseudoHeaderSum(Ipv4Flyweight.source(buffer, ipOffset),
            Ipv4Flyweight.destination(buffer, ipOffset), protocol, l4Length) + sum(buffer, l4Offset, l4Length);
        return ~fold(sum) & 0xFFFF;
    }

    /** Full TCP/UDP/ICMPv6 checksum over an IPv6 pseudo-header and the L4 bytes (checksum field zero). */
    public static int ipv6L4Checksum(UnsafeBuffer buffer, int ipOffset, int l4Offset, int l4Length, int nextHeader) {
        long sum = ipv6PseudoHeaderSum(buffer, ipOffset, nextHeader, l4Length) + sum(buffer, l4Offset, l4Length);
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * RFC 1624 eqn. 3: the new checksum when one 16-bit word covered by {@code checksum} changes
     * from {@code oldWord} to {@code newWord}: HC' = ~(~HC + ~m + m').
     */
    public static int update16(int checksum, int oldWord, int newWord) {
        long sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    /** RFC 1624 eqn. 3 for a 32-bit field (an IPv4 address): two 16-bit words at once. */
    public static int update32(int checksum, int oldValue, int newValue) {
        long sum = (~checksum & 0xFFFF)
            + (~(oldValue >>> 16) & 0xFFFF) + (~oldValue & 0xFFFF)
            + ((newValue >>> 16) & 0xFFFF) + (newValue & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * Applies a precompiled delta: {@code delta} is the one's-complement sum of (~old + new) over
     * every changed word, as built once by a slow path (e.g. a NAT session's rewrite).
     */
    public static int applyDelta(int checksum, int delta) {
        // Both terms are 16-bit, so the sum is at most 0x1FFFE and one end-around carry folds it
        // completely (RFC 1624 §3): branch-free, for the per-packet rewrites that call this.
        int sum = (~checksum & 0xFFFF) + (delta & 0xFFFF);
        return ~((sum & 0xFFFF) + (sum >>> 16)) & 0xFFFF;
    }

    /** The delta term for one 16-bit word changing, to be summed into a precompiled rewrite. */
    public static int delta16(int oldWord, int newWord) {
        return fold((~oldWord & 0xFFFF) + (newWord & 0xFFFF));
    }

    /** The delta term for one 32-bit value changing. */
    public static int delta32(int oldValue, int newValue) {
        return fold((long) (~(oldValue >>> 16) & 0xFFFF) + (~oldValue & 0xFFFF)
            + ((newValue >>> 16) & 0xFFFF) + (newValue & 0xFFFF));
    }

    /** Sum of two delta terms. */
    public static int addDeltas(int a, int b) {
        return fold((long) a + b);
    }
}
