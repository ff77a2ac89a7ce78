package io.softgate.evpn.forwarding.model;

import java.util.Objects;

/**
 * A VRF (one tenant VPC, or the public side): its name, its L3VNI (RFC 9135 symmetric IRB: the
 * VNI both directions are encapsulated with), an external id, the addresses the softgate uses as
 * the source of ICMP errors it sends into this VRF (null: send none), and whether packets
 * arriving in it come from the outside.
 *
 * <p>Threading: immutable value.
 */
public record VrfIntent(String name, int l3Vni, int id, Ipv4Address gatewayIpv4, Ipv6Address gatewayIpv6,
                        boolean outside) {
    public VrfIntent {
        Objects.requireNonNull(name, "name");
    }

    /** A tenant VRF without ICMP source addresses. */
    public static VrfIntent of(String name, int l3Vni, int id) {
        return new VrfIntent(name, l3Vni, id, null, null, false);
    }

    public VrfIntent withGateways(Ipv4Address ipv4, Ipv6Address ipv6) {
        return new VrfIntent(name, l3Vni, id, ipv4, ipv6, outside);
    }

    public VrfIntent asOutside() {
        return new VrfIntent(name, l3Vni, id, gatewayIpv4, gatewayIpv6, true);
    }
}
