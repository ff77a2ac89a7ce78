package io.softgate.evpn.bgp.rib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.MacIpRouteUpdate;
import io.softgate.evpn.bgp.attribute.ExtendedCommunitiesAttribute;
import io.softgate.evpn.bgp.attribute.OriginAttribute;
import io.softgate.evpn.bgp.community.MacMobilityExtendedCommunity;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.community.RoutersMacExtendedCommunity;
import io.softgate.evpn.bgp.evpn.EthernetSegmentIdentifier;
import io.softgate.evpn.bgp.evpn.IpPrefixRoute;
import io.softgate.evpn.bgp.evpn.MacIpAdvertisementRoute;
import io.softgate.evpn.bgp.evpn.RouteDistinguisher;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.session.RecordingListener;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Learned best-path changes become decoded listener updates; local routes are not reported. */
class EvpnRouteEventsTest {
    private static final PeerIdentity LEAF = new PeerIdentity(InetAddresses.parse("10.0.0.9"), 9, 65000, false);
    private final RecordingListener listener = new RecordingListener();
    private final LocRib rib = new LocRib();

    EvpnRouteEventsTest() {
        rib.addListener(new EvpnRouteEvents(List.of(listener)));
    }

    @Test
    void shouldDecodeSymmetricIrbMacIpRouteWithMobilitySequence() {
        MacIpAdvertisementRoute route = new MacIpAdvertisementRoute(RouteDistinguisher.ofIpv4Address(0x0A000009, 2),
                EthernetSegmentIdentifier.ZERO, 0, 0x02_aa_00_00_00_01L, InetAddresses.parse("10.1.0.5"), 1001, 5001);
        rib.put(new Path(route, List.of(OriginAttribute.ORIGIN_IGP, new ExtendedCommunitiesAttribute(List.of(
                RouteTarget.ofTwoOctetAs(65000, 1001), RouteTarget.ofTwoOctetAs(65000, 5001),
                new RoutersMacExtendedCommunity(0x02_00_00_00_50_09L), new MacMobilityExtendedCommunity(false, 3)))),
                InetAddresses.parse("192.0.2.9"), LEAF, false));
        MacIpRouteUpdate update = listener.macIps.get(0);
        assertEquals(1001, update.l2Vni());
        assertEquals(5001, update.l3Vni());
        assertEquals(InetAddresses.parse("10.1.0.5"), update.ipAddress());
        assertEquals(0x02_00_00_00_50_09L, update.routersMac());
        assertEquals(3, update.macMobilitySequence());
        assertEquals(InetAddresses.parse("192.0.2.9"), update.nextHopVtep());
    }

    @Test
    void shouldReportWithdrawalFromThePreviousBestPath() {
        IpPrefixRoute route = new IpPrefixRoute(RouteDistinguisher.ofIpv4Address(0x0A000009, 1), EthernetSegmentIdentifier.ZERO,
                0, InetAddresses.parse("10.99.0.0"), 24, IpPrefixRoute.zeroGateway(true), 5001);
        rib.put(new Path(route, List.of(OriginAttribute.ORIGIN_IGP), InetAddresses.parse("192.0.2.9"), LEAF, false));
        rib.remove(route.routeKey(), LEAF);
        assertEquals(2, listener.prefixes.size());
        assertTrue(listener.lastPrefix().withdrawn());
        assertEquals(-1, listener.lastPrefix().routersMac(), "no Router's MAC on the route");
    }

    @Test
    void shouldNotReportLocallyOriginatedRoutes() {
        IpPrefixRoute route = new IpPrefixRoute(RouteDistinguisher.ofIpv4Address(0x0A000001, 1), EthernetSegmentIdentifier.ZERO,
                0, InetAddresses.parse("203.0.113.1"), 32, IpPrefixRoute.zeroGateway(true), 5001);
        rib.put(new Path(route, List.of(OriginAttribute.ORIGIN_IGP), InetAddresses.parse("192.0.2.1"),
                PeerIdentity.local(1, 65000), false));
        assertTrue(listener.prefixes.isEmpty());
    }
}
