package io.softgate.evpn.bgp.community;

import io.softgate.evpn.bgp.nlri.InetAddresses;

/**
 * Router's MAC extended community (RFC 9135 §8.1): type 0x06 (EVPN) sub-type 0x03, the
 * 6-octet MAC of the advertising VTEP for the route's L3VNI.
 *
 * <p>Threading: immutable, safe to share.
 */
public record RoutersMacExtendedCommunity(long macAddress) implements ExtendedCommunity {
    public static final int TYPE = 0x06;
    public static final int SUB_TYPE = 0x03;

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
        return macAddress & 0xFFFF_FFFF_FFFFL;
    }

    @Override
    public String toString() {
        return "rmac:" + InetAddresses.formatMac(macAddress);
    }
}
