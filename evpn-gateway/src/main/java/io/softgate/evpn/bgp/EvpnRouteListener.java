package io.softgate.evpn.bgp;

/**
 * Receives best-path changes of EVPN routes learned from peers, decoded for the forwarding
 * tables: type-2 MAC/IP routes and type-5 IP prefix routes. Routes are identified by their
 * route distinguisher and key, so two VPCs with the same prefix arrive as distinct routes; an
 * update with {@code withdrawn == false} replaces any earlier one for the same route.
 *
 * <p>Threading: called on the speaker's event loop, one call at a time; implementations must
 * return quickly (hand the change to the config compiler, do not block).
 */
public interface EvpnRouteListener {
    void macIpRouteChanged(MacIpRouteUpdate update);

    void ipPrefixRouteChanged(IpPrefixRouteUpdate update);
}
