package io.softgate.evpn.forwarding.model;

/**
 * An IPv6 prefix: the address as two longs ({@code high} = first 8 octets) and {@code length} in 0..128.
 *
 * <p>Threading: immutable value.
 */
public record Ipv6Prefix(long high, long low, int length) implements IpPrefix {
    public Ipv6Prefix {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("IPv6 prefix length must be 0..128: " + length);
        }
    }

    /** Mask of the high 64 bits for a prefix of {@code length} bits. */
    public static long maskHigh(int length) {
        return length == 0 ? 0L : length >= 64 ? -1L : -1L << (64 - length);
    }

    /** Mask of the low 64 bits for a prefix of {@code length} bits. */
    public static long maskLow(int length) {
        return length <= 64 ? 0L : -1L << (128 - length);
    }

    @Override
    public boolean hasHostBits() {
        return (high & ~maskHigh(length)) != 0 || (low & ~maskLow(length)) != 0;
    }

    /** True when the address {@code (candidateHigh, candidateLow)} lies inside this prefix. */
    public boolean contains(long candidateHigh, long candidateLow) {
        return ((candidateHigh ^ high) & maskHigh(length)) == 0 && ((candidateLow ^ low) & maskLow(length)) == 0;
    }

    @Override
    public String toString() {
        return new Ipv6Address(high, low) + "/" + length;
    }
}
