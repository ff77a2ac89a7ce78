package io.softgate.evpn.bgp.evpn;

import io.netty.buffer.ByteBuf;

/**
 * An 8-octet route distinguisher (RFC 4364 §4.2): a 2-octet type, then type 0
 * {@code AS2:n32}, type 1 {@code IPv4:n16} or type 2 {@code AS4:n16}. Kept as the raw 64-bit
 * value so that unknown types still compare and round-trip.
 *
 * <p>Threading: immutable, safe to share.
 */
public record RouteDistinguisher(long value) {
    public static final int LENGTH = 8;

    public static RouteDistinguisher ofTwoOctetAs(int asn, long assignedNumber) {
        return new RouteDistinguisher(((long) (asn & 0xFFFF) << 32) | (assignedNumber & 0xFFFF_FFFFL));
    }

    /** Type 1, {@code router-id:n}: the form EVPN uses (RFC 7432 §7.9). */
    public static RouteDistinguisher ofIpv4Address(int address, int assignedNumber) {
        return new RouteDistinguisher((1L << 48) | ((address & 0xFFFF_FFFFL) << 16) | (assignedNumber & 0xFFFF));
    }

    public static RouteDistinguisher ofFourOctetAs(long asn, int assignedNumber) {
        return new RouteDistinguisher((2L << 48) | ((asn & 0xFFFF_FFFFL) << 16) | (assignedNumber & 0xFFFF));
    }

    public int type() {
        return (int) (value >>> 48);
    }

    public static RouteDistinguisher decode(ByteBuf in) {
        return new RouteDistinguisher(in.readLong());
    }

    public void encode(ByteBuf out) {
        out.writeLong(value);
    }

    @Override
    public String toString() {
        switch (type()) {
            case 0:
                return ((value >>> 32) & 0xFFFF) + ":" + (value & 0xFFFF_FFFFL);
            case 1: {
                long ip = (value >>> 16) & 0xFFFF_FFFFL;
                return (ip >>> 24) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF)
                        + ":" + (value & 0xFFFF);
            }
            case 2:
                return ((value >>> 16) & 0xFFFF_FFFFL) + ":" + (value & 0xFFFF);
            default:
                return "type" + type() + ":" + Long.toHexString(value & 0xFFFF_FFFF_FFFFL);
        }
    }
}
