package io.softgate.evpn.bgp.nlri;

/**
 * An (AFI, SAFI) pair as carried in MP_REACH_NLRI, MP_UNREACH_NLRI, the multiprotocol
 * capability and ROUTE-REFRESH (RFC 4760 §§3-5).
 *
 * <p>Threading: immutable, safe to share.
 */
public record AddressFamily(int afi, int safi) {
    /** IPv4 unicast: AFI 1, SAFI 1. */
    public static final AddressFamily IPV4_UNICAST = new AddressFamily(1, 1);
    /** L2VPN EVPN: AFI 25, SAFI 70 (RFC 7432 §20). */
    public static final AddressFamily L2VPN_EVPN = new AddressFamily(25, 70);

    @Override
    public String toString() {
        if (equals(IPV4_UNICAST)) {
            return "ipv4-unicast";
        }
        if (equals(L2VPN_EVPN)) {
            return "l2vpn-evpn";
        }
        return "afi" + afi + "/safi" + safi;
    }
}
