package io.softgate.evpn.bgp.community;

/**
 * An extended community without a registered codec, kept as its 64 raw bits.
 *
 * <p>Threading: immutable, safe to share.
 */
public record UnknownExtendedCommunity(long raw) implements ExtendedCommunity {
    @Override
    public int type() {
        return (int) (raw >>> 56) & 0xFF;
    }

    @Override
    public int subType() {
        return (int) (raw >>> 48) & 0xFF;
    }

    @Override
    public long value() {
        return raw & 0xFFFF_FFFF_FFFFL;
    }

    @Override
    public String toString() {
        return String.format("ext:%016x", raw);
    }
}
