package io.softgate.evpn.bgp.community;

/**
 * One 8-octet extended community (RFC 4360 §2): Type(1) Sub-Type(1) Value(6).
 *
 * <p>Threading: implementations are immutable, safe to share.
 */
public interface ExtendedCommunity {
    /** The type octet (high bit: IANA authority, 0x40 bit: non-transitive). */
    int type();

    int subType();

    /** The six value octets, right-aligned. */
    long value();

    /** The whole community as 64 bits in wire order. */
    default long toLong() {
        return ((long) (type() & 0xFF) << 56) | ((long) (subType() & 0xFF) << 48) | (value() & 0xFFFF_FFFF_FFFFL);
    }
}
