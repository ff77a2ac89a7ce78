package io.softgate.evpn.forwarding.model;

import io.softgate.core.packet.PacketBuilder;

/**
 * A 48-bit MAC address held in the low bits of a long, first octet most significant.
 *
 * <p>Threading: immutable value.
 */
public record MacAddress(long value) {
    public MacAddress {
        if ((value >>> 48) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits: " + Long.toHexString(value));
        }
    }

    /** Parses "aa:bb:cc:dd:ee:ff"; throws IllegalArgumentException naming the text otherwise. */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2 || !part.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
        }
        return new MacAddress(PacketBuilder.parseMac(text));
    }

    /** True for a group (multicast or broadcast) address: the I/G bit of the first octet. */
    public boolean isMulticast() {
        return ((value >>> 40) & 1) != 0;
    }

    @Override
    public String toString() {
        return PacketBuilder.formatMac(value);
    }
}
