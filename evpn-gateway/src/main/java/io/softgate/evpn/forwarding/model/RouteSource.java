package io.softgate.evpn.forwarding.model;

/**
 * Where a route came from; when the same prefix is known from both, the static route wins
 * (like an administrative distance).
 *
 * <p>Threading: immutable enum.
 */
public enum RouteSource {
    /** Configured by the operator or the controller. */
    STATIC,
    /** Learned from a BGP EVPN peer (type-2 or type-5 route). */
    BGP
}
