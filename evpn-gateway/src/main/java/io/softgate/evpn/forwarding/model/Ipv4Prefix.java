package io.softgate.evpn.forwarding.model;

import io.softgate.core.packet.Ipv4Flyweight;

/**
 * An IPv4 prefix: {@code address} (network order int) and {@code length} in 0..32.
 *
 * <p>Threading: immutable value.
 */
public record Ipv4Prefix(int address, int length) implements IpPrefix {
    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("IPv4 prefix length must be 0..32: " + length);
        }
    }

    /** The network mask of {@code length} bits. */
    public static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    @Override
    public boolean hasHostBits() {
        return (address & ~mask(length)) != 0;
    }

    /** True when {@code candidate} lies inside this prefix. */
    public boolean contains(int candidate) {
        return ((candidate ^ address) & mask(length)) == 0;
    }

    @Override
    public String toString() {
        return Ipv4Flyweight.format(address) + "/" + length;
    }
}
