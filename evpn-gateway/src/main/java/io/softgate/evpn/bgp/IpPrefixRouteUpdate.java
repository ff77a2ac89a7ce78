package io.softgate.evpn.bgp;

import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.evpn.RouteDistinguisher;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.net.InetAddress;
import java.util.List;

/**
 * A learned type-5 IP prefix route (RFC 9136, interface-less model).
 *
 * @param withdrawn true when the route is gone
 * @param routeDistinguisher the advertiser's RD (part of the route's identity)
 * @param l3Vni the label: the IP-VRF's L3VNI
 * @param prefix the prefix address
 * @param prefixLength its length in bits
 * @param nextHopVtep the VTEP to tunnel to
 * @param routersMac the Router's MAC to put in the inner Ethernet header, or -1 when absent
 * @param routeTargets the route's targets (which VRF it belongs to)
 *
 * <p>Threading: immutable, safe to share.
 */
public record IpPrefixRouteUpdate(boolean withdrawn, RouteDistinguisher routeDistinguisher, int l3Vni,
                                  InetAddress prefix, int prefixLength, InetAddress nextHopVtep, long routersMac,
                                  List<RouteTarget> routeTargets) {
    public IpPrefixRouteUpdate {
        routeTargets = List.copyOf(routeTargets);
    }

    @Override
    public String toString() {
        return (withdrawn ? "withdraw " : "add ") + "prefix " + routeDistinguisher + " l3vni " + l3Vni + " "
                + prefix.getHostAddress() + "/" + prefixLength + " via " + nextHopVtep.getHostAddress() + " rmac "
                + (routersMac < 0 ? "-" : InetAddresses.formatMac(routersMac)) + " rt " + routeTargets;
    }
}
