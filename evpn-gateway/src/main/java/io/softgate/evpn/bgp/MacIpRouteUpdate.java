package io.softgate.evpn.bgp;

import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.evpn.RouteDistinguisher;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.net.InetAddress;
import java.util.List;

/**
 * A learned type-2 MAC/IP route (RFC 7432 §7.2, symmetric IRB per RFC 9135).
 *
 * @param withdrawn true when the route is gone
 * @param routeDistinguisher the advertiser's RD (part of the route's identity)
 * @param l2Vni label 1: the MAC-VRF's VNI
 * @param l3Vni label 2: the IP-VRF's L3VNI, or -1 when the route carries one label
 * @param macAddress the host's MAC
 * @param ipAddress the host's IP, or null for a MAC-only route
 * @param nextHopVtep the VTEP behind which the host lives
 * @param routersMac the Router's MAC for inner Ethernet towards that VTEP, or -1 when absent
 * @param routeTargets the route's targets (which VRF it belongs to)
 * @param macMobilitySequence the MAC Mobility sequence number (RFC 7432 §15: the higher one
 *                            wins when a host moved), or -1 when the route carries none
 *
 * <p>Threading: immutable, safe to share.
 */
public record MacIpRouteUpdate(boolean withdrawn, RouteDistinguisher routeDistinguisher, int l2Vni, int l3Vni,
                               long macAddress, InetAddress ipAddress, InetAddress nextHopVtep, long routersMac,
                               List<RouteTarget> routeTargets, long macMobilitySequence) {
    public MacIpRouteUpdate {
        routeTargets = List.copyOf(routeTargets);
    }

    @Override
    public String toString() {
        return (withdrawn ? "withdraw " : "add ") + "mac-ip " + routeDistinguisher + " vni " + l2Vni + "/" + l3Vni + " "
                + InetAddresses.formatMac(macAddress) + " " + (ipAddress == null ? "-" : ipAddress.getHostAddress())
                + " via " + nextHopVtep.getHostAddress() + " rmac "
                + (routersMac < 0 ? "-" : InetAddresses.formatMac(routersMac)) + " rt " + routeTargets;
    }
}
