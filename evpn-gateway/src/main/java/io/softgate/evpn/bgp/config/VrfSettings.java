package io.softgate.evpn.bgp.config;

import io.softgate.evpn.bgp.community.RouteTarget;
import java.util.List;

/**
 * One tenant VRF (a VPC, or the public VRF) and its EVPN identity.
 *
 * @param name a name for logs and state endpoints
 * @param l3Vni the VRF's L3VNI, carried in every type-5 label
 * @param routeDistinguisherNumber n in the type-1 route distinguisher {@code router-id:n}
 * @param exportRouteTargets targets put on advertised routes; empty means {@code ASN:L3VNI}
 * @param importRouteTargets targets a learned route must carry to belong here; empty means the export ones
 * @param routerMac the Router's MAC for this L3VNI, or -1 to use the node's
 *
 * <p>Threading: immutable, safe to share.
 */
public record VrfSettings(String name, int l3Vni, int routeDistinguisherNumber, List<RouteTarget> exportRouteTargets,
                          List<RouteTarget> importRouteTargets, long routerMac) {
    public VrfSettings {
        exportRouteTargets = List.copyOf(exportRouteTargets);
        importRouteTargets = List.copyOf(importRouteTargets);
        if (l3Vni <= 0 || l3Vni > 0xFFFFFF) {
            throw new IllegalArgumentException("L3VNI must be 1..16777215: " + l3Vni);
        }
    }

    /** The largest assigned number a type-1 route distinguisher can carry (RFC 4364 §4.2: two octets). */
    public static final int MAX_ROUTE_DISTINGUISHER_NUMBER = 0xFFFF;

    /**
     * The route distinguisher number n of a VRF that no configuration numbers (a VPC created over
     * the controller's API): the L3VNI's low 16 bits, so the RD {@code router-id:n} is the same
     * after every restart and, for every L3VNI up to 65535, reads as the L3VNI itself. RFC 7432
     * §7.9 / RFC 4364 §4.2: a type-1 RD's assigned number has only two octets, so two L3VNIs
     * that differ by a multiple of 65536 derive the same n; the caller must refuse the second.
     */
    public static int derivedRouteDistinguisherNumber(int l3Vni) {
        return l3Vni & MAX_ROUTE_DISTINGUISHER_NUMBER;
    }

    /** A VRF with default route targets and the node's Router's MAC. */
    public static VrfSettings of(String name, int l3Vni, int routeDistinguisherNumber) {
        return new VrfSettings(name, l3Vni, routeDistinguisherNumber, List.of(), List.of(), -1);
    }

    /** The export targets, with the {@code ASN:VNI} default (RFC 8365 §5.1.2.1) applied. */
    public List<RouteTarget> effectiveExportRouteTargets(long asn) {
        return exportRouteTargets.isEmpty() ? List.of(RouteTarget.ofAsnAndVni(asn, l3Vni)) : exportRouteTargets;
    }

    public List<RouteTarget> effectiveImportRouteTargets(long asn) {
        return importRouteTargets.isEmpty() ? effectiveExportRouteTargets(asn) : importRouteTargets;
    }
}
