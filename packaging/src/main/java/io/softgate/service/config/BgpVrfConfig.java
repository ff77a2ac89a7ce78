package io.softgate.service.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * EVPN settings of one VRF of {@code forwarding.vrfs}: the number n of its route distinguisher
 * {@code routerId:n} (default: its position + 1), its route targets ({@code ASN:L3VNI} when
 * empty; eBGP fabrics override them) and whether the softgate advertises a default route into it
 * (a VPC with a NAT or load-balancer service; a flag until those services are configured).
 *
 * <p>Threading: immutable.
 */
public record BgpVrfConfig(String name, Integer routeDistinguisherNumber, List<String> exportRouteTargets,
                           List<String> importRouteTargets, Boolean advertiseDefaultRoute) {
    public BgpVrfConfig {
        exportRouteTargets = exportRouteTargets == null ? List.of()
            : Collections.unmodifiableList(new ArrayList<>(exportRouteTargets));
        importRouteTargets = importRouteTargets == null ? List.of()
            : Collections.unmodifiableList(new ArrayList<>(importRouteTargets));
        advertiseDefaultRoute = advertiseDefaultRoute != null && advertiseDefaultRoute;
    }
}
