package io.softgate.evpn.bgp.community;

/**
 * MAC Mobility extended community (RFC 7432 §7.7): type 0x06 sub-type 0x00, Flags(1, low bit
 * = sticky/static) Reserved(1) Sequence Number(4).
 *
 * <p>Threading: immutable, safe to share.
 */
public record MacMobilityExtendedCommunity(boolean sticky, long sequenceNumber) implements ExtendedCommunity {
    public static final int TYPE = 0x06;
    public static final int SUB_TYPE = 0x00;

    static MacMobilityExtendedCommunity fromValue(long value) {
        return new MacMobilityExtendedCommunity(((value >>> 40) & 0x01) != 0, value & 0xFFFF_FFFFL);
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int subType() {
        return SUB_TYPE;
    }

    @Override
    public long value() {
        return ((sticky ? 1L : 0L) << 40) | (sequenceNumber & 0xFFFF_FFFFL);
    }
}
