package io.softgate.evpn.bgp.evpn;

import io.softgate.evpn.bgp.nlri.Nlri;

/**
 * Route type 1, Ethernet Auto-discovery (RFC 7432 §7.1): parsed and kept, not used by the
 * gateway (multihoming is out of scope).
 *
 * <p>Threading: immutable, safe to share.
 */
public record EthernetAutoDiscoveryRoute(
        RouteDistinguisher routeDistinguisher, EthernetSegmentIdentifier ethernetSegmentIdentifier,
        long ethernetTagId, int label) implements EvpnRoute {
    public static final int TYPE = 1;

    @Override
    public int routeType() {
        return TYPE;
    }

    @Override
    public Nlri routeKey() {
        // RFC 7432 §7.1: the label is not part of the route key.
        return new EthernetAutoDiscoveryRoute(routeDistinguisher, ethernetSegmentIdentifier, ethernetTagId, 0);
    }
}
