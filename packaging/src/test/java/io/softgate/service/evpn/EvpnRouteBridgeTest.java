package io.softgate.service.evpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.IpPrefixRouteUpdate;
import io.softgate.evpn.bgp.MacIpRouteUpdate;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.evpn.RouteDistinguisher;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EvpnRouteBridgeTest {
    private static final long ASN = 65000;
    private static final BgpNodeSettings SETTINGS = BgpNodeSettings.builder()
        .routerId(InetAddresses.parse("10.255.0.1")).asNumber(ASN)
        .vtepAddress(InetAddresses.parse("10.255.0.1")).routerMac(InetAddresses.parseMac("02:5f:00:00:00:01"))
        .vrf(VrfSettings.of("vpc-a", 5001, 1))
        .vrf(VrfSettings.of("vpc-b", 5002, 2))
        .build();
    private static final long HV1_MAC = InetAddresses.parseMac("02:5f:00:00:0b:01");
    private static final long HV2_MAC = InetAddresses.parseMac("02:5f:00:00:0b:02");

    private final LearnedRoutes routes = new LearnedRoutes();
    private final AtomicInteger changes = new AtomicInteger();
    private final EvpnRouteBridge bridge = new EvpnRouteBridge(SETTINGS, routes, changes::incrementAndGet);

    private static MacIpRouteUpdate macIp(boolean withdrawn, String vtep, int rd, int l3Vni, long routerMac, String ip) {
        return macIp(withdrawn, vtep, rd, l3Vni, routerMac, ip, -1);
    }

    private static MacIpRouteUpdate macIp(boolean withdrawn, String vtep, int rd, int l3Vni, long routerMac, String ip,
                                          long sequence) {
        return new MacIpRouteUpdate(withdrawn, RouteDistinguisher.ofIpv4Address(InetAddresses.toInt(InetAddresses.parse(vtep)), rd),
            1001, l3Vni, 0x0200_0a01_010aL, InetAddresses.parse(ip), InetAddresses.parse(vtep), routerMac,
            List.of(RouteTarget.ofAsnAndVni(ASN, 1001), RouteTarget.ofAsnAndVni(ASN, l3Vni)), sequence);
    }

    @Test
    void shouldFollowAMovedHostByItsHigherMacMobilitySequence() {
        bridge.macIpRouteChanged(macIp(false, "10.255.0.11", 2, 5001, HV1_MAC, "10.1.1.10"));
        bridge.macIpRouteChanged(macIp(false, "10.255.0.12", 2, 5001, HV2_MAC, "10.1.1.10", 1));

        assertEquals(List.of(new RouteIntent("vpc-a", IpPrefix.parse("10.1.1.10/32"),
            NextHop.remoteVtep("10.255.0.12", "02:5f:00:00:0b:02"), RouteSource.BGP)), routes.snapshot());
    }

    @Test
    void shouldInstallHostRouteViaVtepAndRouterMacForTypeTwoWithL3vni() {
        bridge.macIpRouteChanged(macIp(false, "10.255.0.11", 2, 5001, HV1_MAC, "10.1.1.10"));

        assertEquals(List.of(new RouteIntent("vpc-a", IpPrefix.parse("10.1.1.10/32"),
            NextHop.remoteVtep("10.255.0.11", "02:5f:00:00:0b:01"), RouteSource.BGP)), routes.snapshot());
        assertEquals(1, changes.get());
    }

    @Test
    void shouldKeepSameAddressApartInTwoVpcsByRouteTarget() {
        bridge.macIpRouteChanged(macIp(false, "10.255.0.11", 2, 5001, HV1_MAC, "10.1.1.10"));
        bridge.macIpRouteChanged(macIp(false, "10.255.0.12", 2, 5002, HV2_MAC, "10.1.1.10"));

        assertEquals(List.of("vpc-a", "vpc-b"), routes.snapshot().stream().map(RouteIntent::vrf).toList());
    }

    @Test
    void shouldRemoveHostRouteWhenTypeTwoIsWithdrawn() {
        bridge.macIpRouteChanged(macIp(false, "10.255.0.11", 2, 5001, HV1_MAC, "10.1.1.10"));
        bridge.macIpRouteChanged(macIp(true, "10.255.0.11", 2, 5001, HV1_MAC, "10.1.1.10"));

        assertEquals(List.of(), routes.snapshot());
        assertEquals(2, changes.get());
    }

    @Test
    void shouldIgnoreTypeTwoWithoutRoutersMac() {
        bridge.macIpRouteChanged(macIp(false, "10.255.0.11", 2, 5001, -1, "10.1.1.10"));

        assertEquals(0, routes.size());
        assertEquals(1, bridge.ignoredCount());
        assertEquals(0, changes.get());
    }

    @Test
    void shouldIgnoreRouteWhoseTargetsNoVrfImports() {
        bridge.macIpRouteChanged(macIp(false, "10.255.0.11", 2, 5009, HV1_MAC, "10.1.1.10"));

        assertEquals(0, routes.size());
        assertEquals(1, bridge.ignoredCount());
    }

    @Test
    void shouldInstallAndWithdrawTypeFivePrefixRoute() {
        RouteDistinguisher rd = RouteDistinguisher.ofIpv4Address(InetAddresses.toInt(InetAddresses.parse("10.255.0.12")), 3);
        List<RouteTarget> targets = List.of(RouteTarget.ofAsnAndVni(ASN, 5002));
        bridge.ipPrefixRouteChanged(new IpPrefixRouteUpdate(false, rd, 5002, InetAddresses.parse("10.1.2.0"), 24,
            InetAddresses.parse("10.255.0.12"), HV2_MAC, targets));
        assertEquals(List.of(new RouteIntent("vpc-b", IpPrefix.parse("10.1.2.0/24"),
            NextHop.remoteVtep("10.255.0.12", "02:5f:00:00:0b:02"), RouteSource.BGP)), routes.snapshot());

        bridge.ipPrefixRouteChanged(new IpPrefixRouteUpdate(true, rd, 5002, InetAddresses.parse("10.1.2.0"), 24,
            InetAddresses.parse("10.255.0.12"), HV2_MAC, targets));
        assertTrue(routes.snapshot().isEmpty());
    }

    @Test
    void shouldIgnoreRouteWhoseNextHopIsOurOwnVtep() {
        bridge.macIpRouteChanged(macIp(false, "10.255.0.1", 2, 5001, HV1_MAC, "10.1.1.10"));

        assertEquals(0, routes.size());
    }
}
