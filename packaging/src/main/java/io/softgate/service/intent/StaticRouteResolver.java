package io.softgate.service.intent;

import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.Ipv4Prefix;
import io.softgate.evpn.forwarding.model.Ipv6Prefix;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves the controller's static routes ({@code /api/routes}: prefix via a next-hop address
 * inside the VPC) into forwarding routes. The next hop is an address, not a VTEP: it is looked up
 * (longest prefix match) among the VRF's other routes, the file's static routes and the routes
 * BGP EVPN learned (a VM's type-2 host route, a type-5 prefix), and the static route takes that
 * route's next hop(s), all of them when the best match is an ECMP group. The controller's routes
 * never resolve through each other (one level, no recursion loops). A route whose next hop
 * resolves to nothing yet is left out until the next hop is learned; the composer recompiles on
 * every learned-route change.
 *
 * <p>Threading: stateless.
 */
public final class StaticRouteResolver {
    private StaticRouteResolver() {
    }

    /** One resolved (or unresolved: empty {@code nextHops}) static route of the controller. */
    public record Resolution(String vrf, CompiledIntent.Route route, List<NextHop> nextHops) {
    }

    /**
     * The controller's routes of every VRF in {@code intent} resolved against {@code candidates}
     * (the file's static routes and the learned routes, already in the forwarding compiler's terms).
     */
    public static List<Resolution> resolve(CompiledIntent intent, List<RouteIntent> candidates) {
        List<Resolution> resolutions = new ArrayList<>();
        for (CompiledIntent.Vrf vrf : intent.vrfs()) {
            for (CompiledIntent.Route route : vrf.routes()) {
                resolutions.add(new Resolution(vrf.name(), route, nextHops(vrf.name(), route.nextHop(), candidates)));
            }
        }
        return resolutions;
    }

    /** The forwarding routes of the resolved ones (one per next hop: an ECMP group). */
    public static List<RouteIntent> routes(List<Resolution> resolutions) {
        List<RouteIntent> routes = new ArrayList<>();
        for (Resolution resolution : resolutions) {
            IpPrefix prefix = IpPrefix.parse(resolution.route().prefix().toString());
            for (NextHop nextHop : resolution.nextHops()) {
                routes.add(new RouteIntent(resolution.vrf(), prefix, nextHop, RouteSource.STATIC));
            }
        }
        return routes;
    }

    private static List<NextHop> nextHops(String vrf, io.softgate.service.intent.IpPrefix address,
                                          List<RouteIntent> candidates) {
        List<NextHop> best = new ArrayList<>();
        int bestLength = -1;
        for (RouteIntent candidate : candidates) {
            if (!candidate.vrf().equals(vrf) || !(candidate.nextHop() instanceof NextHop.RemoteVtep
                || candidate.nextHop() instanceof NextHop.IpPort)) {
                continue;
            }
            int length = matchLength(candidate.prefix(), address);
            if (length < 0 || length < bestLength) {
                continue;
            }
            if (length > bestLength) {
                best.clear();
                bestLength = length;
            }
            if (!best.contains(candidate.nextHop())) {
                best.add(candidate.nextHop());
            }
        }
        return best;
    }

    /** The prefix length of {@code prefix} when it contains {@code address}, else -1. */
    private static int matchLength(IpPrefix prefix, io.softgate.service.intent.IpPrefix address) {
        byte[] bytes = address.address();
        if (prefix instanceof Ipv4Prefix v4) {
            return bytes.length == 4 && v4.contains(address.ipv4Value()) ? v4.length() : -1;
        }
        if (prefix instanceof Ipv6Prefix v6 && bytes.length == 16) {
            io.softgate.service.intent.IpPrefix own = io.softgate.service.intent.IpPrefix.parse(v6.toString());
            return own.contains(address) ? v6.length() : -1;
        }
        return -1;
    }
}
