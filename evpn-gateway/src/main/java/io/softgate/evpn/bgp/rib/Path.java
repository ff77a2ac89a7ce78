package io.softgate.evpn.bgp.rib;

import io.softgate.evpn.bgp.attribute.ExtendedCommunitiesAttribute;
import io.softgate.evpn.bgp.attribute.PathAttribute;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.nlri.Nlri;
import java.net.InetAddress;
import java.util.List;

/**
 * One path to an NLRI: its attributes (without MP_REACH_NLRI, MP_UNREACH_NLRI and NEXT_HOP),
 * next hop, source, and whether it is stale because its peer is restarting (RFC 4724 §4.2).
 *
 * <p>Threading: immutable, safe to share.
 */
public record Path(Nlri nlri, List<PathAttribute> attributes, InetAddress nextHop, PeerIdentity source, boolean stale) {
    public Path {
        attributes = List.copyOf(attributes);
    }

    public <A extends PathAttribute> A attribute(Class<A> type) {
        for (PathAttribute attribute : attributes) {
            if (type.isInstance(attribute)) {
                return type.cast(attribute);
            }
        }
        return null;
    }

    /**
     * The route targets among this path's extended communities (RFC 4360 §4), in their order;
     * empty when it has none: what decides which of our VRFs imports it (RFC 7432 §7.10).
     */
    public List<RouteTarget> routeTargets() {
        ExtendedCommunitiesAttribute communities = attribute(ExtendedCommunitiesAttribute.class);
        return communities == null ? List.of() : communities.routeTargets();
    }

    public Path asStale() {
        return stale ? this : new Path(nlri, attributes, nextHop, source, true);
    }
}
