package io.softgate.evpn.bgp.community;

/**
 * Default Gateway extended community (RFC 7432 §7.8): type 0x03 sub-type 0x0d, value zero.
 *
 * <p>Threading: immutable, safe to share.
 */
public record DefaultGatewayExtendedCommunity() implements ExtendedCommunity {
    public static final int TYPE = 0x03;
    public static final int SUB_TYPE = 0x0d;
    public static final DefaultGatewayExtendedCommunity INSTANCE = new DefaultGatewayExtendedCommunity();

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
        return 0;
    }
}
