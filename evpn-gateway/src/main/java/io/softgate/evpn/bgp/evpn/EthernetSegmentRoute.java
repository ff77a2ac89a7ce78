package io.softgate.evpn.bgp.evpn;

import io.softgate.evpn.bgp.nlri.Nlri;
import java.net.InetAddress;

/**
 * Route type 4, Ethernet Segment (RFC 7432 §7.4): parsed and kept, not used by the gateway.
 *
 * <p>Threading: immutable, safe to share.
 */
public record EthernetSegmentRoute(
        RouteDistinguisher routeDistinguisher, EthernetSegmentIdentifier ethernetSegmentIdentifier,
        InetAddress originatingRouterAddress) implements EvpnRoute {
    public static final int TYPE = 4;

    @Override
    public int routeType() {
        return TYPE;
    }

    @Override
    public Nlri routeKey() {
        return this;
    }
}
