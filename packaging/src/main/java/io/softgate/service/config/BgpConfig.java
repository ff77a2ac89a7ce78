package io.softgate.service.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * BGP EVPN speaker settings (issue 3). The VTEP address and router MAC come from {@code node};
 * the VRF to L3VNI map from {@code forwarding.vrfs}; this section adds the BGP identity, the
 * neighbours, per-VRF EVPN settings and what to advertise until NAT and LB configuration exist.
 *
 * @param enabled start the speaker
 * @param asn our AS (4 octets allowed)
 * @param routerId BGP identifier and address part of our route distinguishers
 * @param listenAddress where to accept sessions (the leaf-facing link address), or none
 * @param listenPort TCP port to listen on (179)
 * @param neighbors the leaves we peer with
 * @param vrfs EVPN settings per VRF of {@code forwarding.vrfs} (RD number, route targets, default route)
 * @param gracefulRestart RFC 4724 settings
 * @param publicAddresses public addresses this node owns (SNAT, DNAT/1:1, LB VIPs) until those
 *                        features have configuration of their own; advertised as host routes in
 *                        {@code node.publicVrf}
 * @param underlayPrefixes the underlay's prefixes: nothing inside them is ever advertised into a
 *                         tenant VRF (LAB.md: hypervisors share one table between tenant routes
 *                         and the underlay); our VTEP and the neighbours are always included
 * @param advertiseDefaultRouteToApiVpcs originate a type-5 default route (0.0.0.0/0) into the VRF
 *                                       of every VPC the controller creates over the API (true:
 *                                       the softgate is each VPC's door to the outside); withdrawn
 *                                       when the VPC is deleted
 *
 * <p>Threading: immutable.
 */
public record BgpConfig(Boolean enabled, Long asn, String routerId, String listenAddress, Integer listenPort,
                        List<BgpNeighborConfig> neighbors, List<BgpVrfConfig> vrfs,
                        BgpGracefulRestartConfig gracefulRestart, List<String> publicAddresses,
                        List<String> underlayPrefixes, Boolean advertiseDefaultRouteToApiVpcs) {
    static final BgpConfig DISABLED = new BgpConfig(null, null, null, null, null, null, null, null, null, null, null);
    public static final int DEFAULT_LISTEN_PORT = 179;

    public BgpConfig {
        enabled = enabled != null && enabled;
        listenPort = listenPort == null ? DEFAULT_LISTEN_PORT : listenPort;
        neighbors = copy(neighbors);
        vrfs = copy(vrfs);
        gracefulRestart = gracefulRestart == null ? BgpGracefulRestartConfig.DEFAULTS : gracefulRestart;
        publicAddresses = copy(publicAddresses);
        underlayPrefixes = copy(underlayPrefixes);
        advertiseDefaultRouteToApiVpcs = advertiseDefaultRouteToApiVpcs == null || advertiseDefaultRouteToApiVpcs;
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
    }

    /** The EVPN settings of VRF {@code name}, or null when the file gives none (defaults apply). */
    public BgpVrfConfig vrf(String name) {
        for (BgpVrfConfig vrf : vrfs) {
            if (vrf != null && name.equals(vrf.name())) {
                return vrf;
            }
        }
        return null;
    }
}
