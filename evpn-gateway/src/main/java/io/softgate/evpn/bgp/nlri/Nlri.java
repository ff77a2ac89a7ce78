package io.softgate.evpn.bgp.nlri;

/**
 * One piece of Network Layer Reachability Information: an IPv4 prefix or an EVPN route.
 *
 * <p>Threading: implementations are immutable, safe to share.
 */
public interface Nlri {
    /** The address family this NLRI belongs to. */
    AddressFamily addressFamily();

    /**
     * The part of the NLRI that identifies the route, with the fields that do not (labels,
     * ESI, gateway) cleared: two NLRIs with the same key replace each other.
     */
    Nlri routeKey();
}
