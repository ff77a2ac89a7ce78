package io.softgate.evpn.forwarding.model;

import java.util.Objects;

/**
 * One route in one VRF: {@code prefix} -> {@code nextHop}, tagged with where it came from.
 * Several routes for the same (VRF, prefix, source) to different remote VTEPs form an ECMP group.
 *
 * <p>Threading: immutable value.
 */
public record RouteIntent(String vrf, IpPrefix prefix, NextHop nextHop, RouteSource source) {
    public RouteIntent {
        Objects.requireNonNull(vrf, "vrf");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(nextHop, "nextHop");
        Objects.requireNonNull(source, "source");
    }

    /** A static route from text, e.g. {@code RouteIntent.of("tenant-a", "10.0.2.0/24", NextHop.remoteVtep(...))}. */
    public static RouteIntent of(String vrf, String prefix, NextHop nextHop) {
        return new RouteIntent(vrf, IpPrefix.parse(prefix), nextHop, RouteSource.STATIC);
    }
}
