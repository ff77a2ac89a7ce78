package io.softgate.service.config;

/**
 * A route inside a VRF: an IPv4 or IPv6 prefix reached through a remote VTEP, whose router MAC
 * becomes the inner destination MAC of what we encapsulate toward it (RFC 9135 §4.1).
 *
 * <p>Threading: immutable.
 */
public record StaticRouteConfig(String prefix, String nextHopVtep, String nextHopRouterMac, String nextHopPort) {
}
