package io.softgate.service.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One VRF (a tenant VPC or the public side): its name, its L3VNI (RFC 9135 symmetric IRB: the VNI
 * that carries routed traffic of this VRF between VTEPs), the addresses it uses as the source of
 * ICMP errors it sends into the VRF (optional; without one it sends none), and its static routes.
 *
 * <p>Threading: immutable.
 */
public record VrfConfig(String name, Long l3vni, String gatewayIpv4, String gatewayIpv6, List<StaticRouteConfig> routes) {
    public VrfConfig {
        routes = routes == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(routes));
    }
}
