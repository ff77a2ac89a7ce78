package io.softgate.evpn.bgp.evpn;

import io.softgate.evpn.bgp.nlri.Nlri;
import java.net.InetAddress;

/**
 * Route type 3, Inclusive Multicast Ethernet Tag (RFC 7432 §7.3); with VXLAN it comes with a
 * PMSI tunnel attribute of type ingress replication whose label is the L2VNI (RFC 8365 §5.1.3).
 *
 * <p>Threading: immutable, safe to share.
 */
public record InclusiveMulticastEthernetTagRoute(
        RouteDistinguisher routeDistinguisher, long ethernetTagId, InetAddress originatingRouterAddress)
        implements EvpnRoute {
    public static final int TYPE = 3;

    @Override
    public int routeType() {
        return TYPE;
    }

    @Override
    public Nlri routeKey() {
        return this;
    }

    @Override
    public String toString() {
        return "[3][" + routeDistinguisher + "][" + ethernetTagId + "][" + originatingRouterAddress.getHostAddress() + "]";
    }
}
