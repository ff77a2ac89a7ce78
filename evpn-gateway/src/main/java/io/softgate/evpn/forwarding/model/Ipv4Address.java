package io.softgate.evpn.forwarding.model;

import io.softgate.core.packet.Ipv4Flyweight;

/**
 * An IPv4 address held as an int in network order (first octet most significant).
 *
 * <p>Threading: immutable value.
 */
public record Ipv4Address(int value) {

    /** Parses a dotted quad; throws IllegalArgumentException naming the text otherwise. */
    public static Ipv4Address parse(String text) {
        return new Ipv4Address(Ipv4Flyweight.parse(text));
    }

    @Override
    public String toString() {
        return Ipv4Flyweight.format(value);
    }
}
