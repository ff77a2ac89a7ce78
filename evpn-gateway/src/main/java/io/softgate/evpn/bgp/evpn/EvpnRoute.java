package io.softgate.evpn.bgp.evpn;

import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.Nlri;

/**
 * One EVPN NLRI (RFC 7432 §7): a route type, a route distinguisher and type-specific fields.
 * Labels hold the raw 24-bit value of the 3-octet label field, which for VXLAN is the VNI
 * itself (RFC 8365 §5.1.3), not an MPLS label shifted by four bits.
 *
 * <p>Threading: implementations are immutable, safe to share.
 */
public interface EvpnRoute extends Nlri {
    /** Route type code (1..5 here). */
    int routeType();

    RouteDistinguisher routeDistinguisher();

    @Override
    default AddressFamily addressFamily() {
        return AddressFamily.L2VPN_EVPN;
    }

    /** Marks a label slot that is absent (a type-2 route carries one or two labels). */
    int NO_LABEL = -1;
}
