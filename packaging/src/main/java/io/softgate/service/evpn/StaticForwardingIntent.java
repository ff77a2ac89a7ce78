package io.softgate.service.evpn;

import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.Ipv6Address;
import io.softgate.evpn.forwarding.model.MacAddress;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.service.config.NodeConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.config.StaticRouteConfig;
import io.softgate.service.config.VrfConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the validated configuration file into the forwarding intent: the node, one
 * {@link VrfIntent} per {@code forwarding.vrfs[i]} (id i + 1, {@code node.publicVrf} marked as
 * the outside) and its static routes tagged {@link RouteSource#STATIC}.
 *
 * <p>Threading: stateless.
 */
public final class StaticForwardingIntent {
    private StaticForwardingIntent() {
    }

    /** The intent of {@code config}, which {@code ConfigValidator} has accepted. */
    public static ForwardingIntent of(SoftgateConfig config) {
        NodeConfig node = config.node();
        NodeIntent nodeIntent = new NodeIntent(Ipv4Address.parse(node.vtepAddress()), MacAddress.parse(node.routerMac()),
            MacAddress.parse(node.underlayMac()), MacAddress.parse(node.underlayNextHopMac()), 0,
            node.underlayMtuBytes(), node.icmpErrorsPerSecond(), node.icmpErrorBurst());
        List<VrfIntent> vrfs = new ArrayList<>();
        List<RouteIntent> routes = new ArrayList<>();
        List<VrfConfig> configured = config.forwarding().vrfs();
        for (int v = 0; v < configured.size(); v++) {
            VrfConfig vrf = configured.get(v);
            VrfIntent intent = new VrfIntent(vrf.name(), vrf.l3vni().intValue(), v + 1,
                vrf.gatewayIpv4() == null ? null : Ipv4Address.parse(vrf.gatewayIpv4()),
                vrf.gatewayIpv6() == null ? null : Ipv6Address.parse(vrf.gatewayIpv6()),
                vrf.name().equals(node.publicVrf()));
            vrfs.add(intent);
            for (StaticRouteConfig route : vrf.routes()) {
                routes.add(new RouteIntent(vrf.name(), IpPrefix.parse(route.prefix()),
                    NextHop.remoteVtep(route.nextHopVtep(), route.nextHopRouterMac()), RouteSource.STATIC));
            }
        }
        return ForwardingIntent.of(nodeIntent, vrfs, routes);
    }
}
