package io.softgate.evpn.bgp.community;

/**
 * Encapsulation extended community (RFC 9012 §4.1, RFC 8365 §5.1.3): type 0x03 sub-type
 * 0x0c, four reserved octets, a 2-octet tunnel type; 8 is VXLAN.
 *
 * <p>Threading: immutable, safe to share.
 */
public record EncapsulationExtendedCommunity(int tunnelType) implements ExtendedCommunity {
    public static final int TYPE = 0x03;
    public static final int SUB_TYPE = 0x0c;
    public static final int TUNNEL_TYPE_VXLAN = 8;
    public static final EncapsulationExtendedCommunity VXLAN = new EncapsulationExtendedCommunity(TUNNEL_TYPE_VXLAN);

    static EncapsulationExtendedCommunity fromValue(long value) {
        return new EncapsulationExtendedCommunity((int) (value & 0xFFFF));
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
        return tunnelType & 0xFFFF;
    }
}
