package io.softgate.evpn.bgp.rib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.evpn.bgp.attribute.ExtendedCommunitiesAttribute;
import io.softgate.evpn.bgp.attribute.OriginAttribute;
import io.softgate.evpn.bgp.community.EncapsulationExtendedCommunity;
import io.softgate.evpn.bgp.community.RouteTarget;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathTest {
    private static final PeerIdentity PEER = PeerIdentity.local(1, 65000);

    @Test
    void shouldListTheRouteTargetsAmongItsExtendedCommunitiesInOrder() {
        RouteTarget first = RouteTarget.ofAsnAndVni(65000, 5001);
        RouteTarget second = RouteTarget.ofAsnAndVni(65000, 5002);
        Path path = new Path(null, List.of(OriginAttribute.ORIGIN_IGP,
            new ExtendedCommunitiesAttribute(List.of(first, EncapsulationExtendedCommunity.VXLAN, second))),
            InetAddress.getLoopbackAddress(), PEER, false);
        assertEquals(List.of(first, second), path.routeTargets());
    }

    @Test
    void shouldHaveNoRouteTargetWithoutExtendedCommunities() {
        Path path = new Path(null, List.of(OriginAttribute.ORIGIN_IGP), InetAddress.getLoopbackAddress(), PEER, false);
        assertEquals(List.of(), path.routeTargets());
    }
}
