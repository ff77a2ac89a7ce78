package io.softgate.evpn.bgp.session;

import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.evpn.EvpnRoute;
import io.softgate.evpn.bgp.evpn.RouteDistinguisher;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.rib.EvpnRouteEvents;
import io.softgate.evpn.bgp.rib.Path;
import io.softgate.evpn.bgp.rib.Rib;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What adding or removing a VRF at run time does to the RIB and the listeners: a VRF that joins
 * imports at once the learned routes that carry one of its import targets (they are reported to
 * the listeners again, as announcements); a VRF that leaves withdraws every route we originated
 * in it (identified by its route distinguisher {@code router-id:n}) and stops importing (its
 * learned routes are reported as withdrawn, and again as announced when another VRF still
 * imports them). The checks refuse a VRF set that would make two VRFs indistinguishable.
 *
 * <p>Threading: the apply methods run on the speaker's event loop only; the checks anywhere.
 */
final class RuntimeVrfs {
    private RuntimeVrfs() {
    }

    /**
     * Throws {@link IllegalArgumentException} naming the clash when two of {@code vrfs} share a
     * name, an L3VNI or a route distinguisher number, or a number is outside 0..65535.
     */
    static void check(List<VrfSettings> vrfs) {
        Set<String> names = new HashSet<>();
        Set<Integer> vnis = new HashSet<>();
        Set<Integer> distinguishers = new HashSet<>();
        for (VrfSettings vrf : vrfs) {
            if (vrf.name() == null || vrf.name().isEmpty()) {
                throw new IllegalArgumentException("VRF with L3VNI " + vrf.l3Vni() + " has no name");
            }
            if (!names.add(vrf.name())) {
                throw new IllegalArgumentException("VRF name used twice: " + vrf.name());
            }
            if (!vnis.add(vrf.l3Vni())) {
                throw new IllegalArgumentException("L3VNI used twice: " + vrf.l3Vni() + " (VRF " + vrf.name() + ")");
            }
            int number = vrf.routeDistinguisherNumber();
            if (number < 0 || number > VrfSettings.MAX_ROUTE_DISTINGUISHER_NUMBER) {
                throw new IllegalArgumentException("route distinguisher number of VRF " + vrf.name()
                        + " must be 0..65535: " + number);
            }
            // RFC 4364 §4.2: the RD keeps our routes of different VRFs apart; one number per VRF.
            if (!distinguishers.add(number)) {
                throw new IllegalArgumentException("route distinguisher number " + number + " used twice (VRF "
                        + vrf.name() + ")");
            }
        }
    }

    /**
     * Reports the learned best paths a change of the VRF set touches, each once: first every path
     * a VRF of {@code removed} imported, as withdrawn; then, as announced, every such path a VRF of
     * {@code after} still imports and every path a VRF of {@code added} imports. A VRF whose
     * settings changed (its route targets, say) is in both lists: its paths are withdrawn once and
     * announced once, not announced again for being imported by the new settings too.
     */
    static void reportImports(Rib rib, EvpnRouteEvents events, BgpNodeSettings before, BgpNodeSettings after,
                              List<VrfSettings> removed, List<VrfSettings> added) {
        List<Path> best = rib.locRib().bestPaths();
        Set<Path> announced = new LinkedHashSet<>();
        for (Path path : best) {
            if (!path.source().isLocal() && importsAny(removed, before, path)) {
                events.report(path, true);
                if (after.vrfForRouteTargets(path.routeTargets()) != null) {
                    announced.add(path);
                }
            }
        }
        for (Path path : best) {
            if (!path.source().isLocal() && importsAny(added, after, path)) {
                announced.add(path);
            }
        }
        for (Path path : announced) {
            events.report(path, false);
        }
    }

    /** How many learned best paths {@code vrf} imports (for the log). */
    static int importedCount(Rib rib, BgpNodeSettings node, VrfSettings vrf) {
        List<RouteTarget> imports = vrf.effectiveImportRouteTargets(node.asNumber());
        int count = 0;
        for (Path path : rib.locRib().bestPaths()) {
            if (!path.source().isLocal() && carriesAny(path, imports)) {
                count++;
            }
        }
        return count;
    }

    /**
     * Withdraws every route we originated in {@code removed} (sent to every peer): those with its
     * route distinguisher {@code router-id:n}. Returns how many.
     */
    static int withdrawOriginated(Rib rib, BgpNodeSettings before, VrfSettings removed) {
        RouteDistinguisher ours = RouteDistinguisher.ofIpv4Address(InetAddresses.toInt(before.routerId()),
                removed.routeDistinguisherNumber());
        int withdrawn = 0;
        for (Path path : rib.originated()) {
            if (path.nlri() instanceof EvpnRoute route && route.routeDistinguisher().equals(ours)) {
                rib.withdrawOriginated(path.nlri());
                withdrawn++;
            }
        }
        return withdrawn;
    }

    private static boolean importsAny(List<VrfSettings> vrfs, BgpNodeSettings node, Path path) {
        for (VrfSettings vrf : vrfs) {
            if (carriesAny(path, vrf.effectiveImportRouteTargets(node.asNumber()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean carriesAny(Path path, List<RouteTarget> imports) {
        List<RouteTarget> targets = path.routeTargets();
        for (RouteTarget target : imports) {
            if (targets.contains(target)) {
                return true;
            }
        }
        return false;
    }

}
