package io.softgate.service.pipeline;

import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.Ipv6Address;
import io.softgate.evpn.forwarding.model.MacAddress;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.service.config.TunConfig;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.service.config.Addresses;
import io.softgate.service.config.NodeConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.config.StaticRouteConfig;
import io.softgate.service.config.VrfConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the configuration file's node and forwarding sections into the forwarding compiler's
 * intent, and maps the compiler's field paths (into the intent) back to paths in the file.
 * Expects a configuration that {@code ConfigValidator} accepted.
 *
 * <p>Threading: stateless.
 */
public final class ForwardingIntents {
    private static final Pattern ROUTE_FIELD = Pattern.compile("routes\\[(\\d+)](?:\\.(.*))?");
    private static final Pattern VRF_FIELD = Pattern.compile("vrfs\\[(\\d+)](?:\\.(.*))?");

    private ForwardingIntents() {
    }

    /** The intent, and for each of its routes the VRF and route index it came from in the file. */
    public record Translation(ForwardingIntent intent, List<int[]> routeOrigins) {
        /** The configuration-file path of a compiler field such as {@code routes[3].nextHop.routerMac}. */
        public String configPath(String intentField) {
            Matcher route = ROUTE_FIELD.matcher(intentField);
            if (route.matches()) {
                int index = Integer.parseInt(route.group(1));
                if (index < routeOrigins.size()) {
                    int[] origin = routeOrigins.get(index);
                    String base = "forwarding.vrfs[" + origin[0] + "].routes[" + origin[1] + "]";
                    String rest = route.group(2);
                    if (rest == null) {
                        return base;
                    }
                    return base + "." + switch (rest) {
                        case "nextHop", "nextHop.vtep" -> "nextHopVtep";
                        case "nextHop.routerMac" -> "nextHopRouterMac";
                        default -> rest;
                    };
                }
            }
            Matcher vrf = VRF_FIELD.matcher(intentField);
            if (vrf.matches()) {
                String rest = vrf.group(2);
                return "forwarding.vrfs[" + vrf.group(1) + "]" + (rest == null ? "" : "." + ("l3Vni".equals(rest) ? "l3vni" : rest));
            }
            return intentField;
        }
    }

    public static Translation translate(SoftgateConfig config) {
        NodeConfig node = config.node();
        NodeIntent nodeIntent = new NodeIntent(Ipv4Address.parse(node.vtepAddress()), mac(node.routerMac()),
            mac(node.underlayMac()), mac(node.underlayNextHopMac()), 0, node.underlayMtuBytes(),
            node.icmpErrorsPerSecond(), node.icmpErrorBurst());
        List<VrfIntent> vrfs = new ArrayList<>();
        List<RouteIntent> routes = new ArrayList<>();
        List<int[]> origins = new ArrayList<>();
        List<VrfConfig> configured = config.forwarding().vrfs();
        for (int v = 0; v < configured.size(); v++) {
            VrfConfig vrf = configured.get(v);
            vrfs.add(new VrfIntent(vrf.name(), vrf.l3vni().intValue(), v,
                vrf.gatewayIpv4() == null ? null : Ipv4Address.parse(vrf.gatewayIpv4()),
                vrf.gatewayIpv6() == null ? null : Ipv6Address.parse(vrf.gatewayIpv6()),
                vrf.name().equals(node.publicVrf())));
            for (int r = 0; r < vrf.routes().size(); r++) {
                StaticRouteConfig route = vrf.routes().get(r);
                NextHop nextHop = route.nextHopPort() != null ? new NextHop.IpPort(TunConfig.PORT)
                    : new NextHop.RemoteVtep(Ipv4Address.parse(route.nextHopVtep()), mac(route.nextHopRouterMac()));
                routes.add(new RouteIntent(vrf.name(), IpPrefix.parse(route.prefix()), nextHop, RouteSource.STATIC));
                origins.add(new int[] {v, r});
            }
        }
        return new Translation(new ForwardingIntent(nodeIntent, vrfs, routes, List.of()), List.copyOf(origins));
    }

    private static MacAddress mac(String text) {
        return new MacAddress(Addresses.parseMac(text));
    }
}
