package io.softgate.evpn.forwarding.compiler;

import static io.softgate.evpn.forwarding.ForwardingFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.evpn.forwarding.ForwardingFixture;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.evpn.forwarding.table.RouteResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ForwardingCompilerTest {
    private final ForwardingCompiler compiler = new ForwardingCompiler();

    private static ForwardingIntent withRoutes(RouteIntent... extra) {
        return ForwardingFixture.intent().withAdditionalRoutes(List.of(extra));
    }

    private static ForwardingIntent withVrfs(List<VrfIntent> vrfs) {
        return ForwardingIntent.of(node(), vrfs, List.of());
    }

    private ForwardingConfigException rejection(ForwardingIntent intent) {
        return assertThrows(ForwardingConfigException.class, () -> compiler.compile(intent));
    }

    @Test
    void shouldRejectADuplicateL3VniNamingBothVrfs() {
        ForwardingConfigException error = rejection(withVrfs(List.of(VrfIntent.of("a", 5001, 1),
            VrfIntent.of("b", 5001, 2))));

        assertEquals("vrfs[1].l3Vni", error.field());
        assertTrue(error.getMessage().contains("duplicate VNI 5001"), error.getMessage());
        assertTrue(error.getMessage().contains("vrfs[0] 'a'"), error.getMessage());
    }

    @Test
    void shouldRejectAVniOutsideTwentyFourBits() {
        assertEquals("vrfs[0].l3Vni", rejection(withVrfs(List.of(VrfIntent.of("a", 1 << 24, 1)))).field());
        assertEquals("vrfs[0].l3Vni", rejection(withVrfs(List.of(VrfIntent.of("a", 0, 1)))).field());
    }

    @Test
    void shouldRejectDuplicateVrfNamesAndIds() {
        assertEquals("vrfs[1].name", rejection(withVrfs(List.of(VrfIntent.of("a", 1, 1), VrfIntent.of("a", 2, 2))))
            .field());
        assertEquals("vrfs[1].id", rejection(withVrfs(List.of(VrfIntent.of("a", 1, 7), VrfIntent.of("b", 2, 7))))
            .field());
    }

    @Test
    void shouldRejectARouteInAnUnknownVrf() {
        int index = ForwardingFixture.routes().size();
        ForwardingConfigException error = rejection(withRoutes(RouteIntent.of("nope", "10.9.0.0/16",
            NextHop.blackhole())));

        assertEquals("routes[" + index + "].vrf", error.field());
        assertTrue(error.getMessage().contains("unknown VRF 'nope'"), error.getMessage());
    }

    @Test
    void shouldRejectAPrefixWithHostBits() {
        int index = ForwardingFixture.routes().size();

        assertEquals("routes[" + index + "].prefix",
            rejection(withRoutes(RouteIntent.of("tenant-a", "10.9.0.1/16", NextHop.blackhole()))).field());
        assertEquals("routes[" + index + "].prefix",
            rejection(withRoutes(RouteIntent.of("tenant-a", "2001:db8::1/64", NextHop.blackhole()))).field());
    }

    @Test
    void shouldRejectUnparsablePrefixesWithTheText() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0/8"));
        assertTrue(error.getMessage().contains("10.0.0/8"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("2001:db8::/129"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/"));
    }

    @Test
    void shouldRejectASecondRouterMacForTheSameVtepInOneVrf() {
        ForwardingConfigException error = rejection(withRoutes(RouteIntent.of("tenant-a", "10.0.3.0/24",
            NextHop.remoteVtep(HV1_VTEP, "02:11:00:00:00:99"))));

        assertTrue(error.field().endsWith(".nextHop.routerMac"), error.field());
    }

    @Test
    void shouldRejectOurOwnVtepAsANextHop() {
        ForwardingConfigException error = rejection(withRoutes(RouteIntent.of("tenant-a", "10.0.3.0/24",
            NextHop.remoteVtep(OUR_VTEP, "02:11:00:00:00:99"))));

        assertTrue(error.field().endsWith(".nextHop.vtep"), error.field());
    }

    @Test
    void shouldRejectADuplicateStaticRoute() {
        ForwardingConfigException error = rejection(withRoutes(RouteIntent.of("tenant-a", "10.0.9.0/24",
            NextHop.blackhole())));

        assertTrue(error.getMessage().contains("duplicate route for 10.0.9.0/24"), error.getMessage());
    }

    @Test
    void shouldRejectAnUnderlayMtuTooSmallForIpv6() {
        ForwardingIntent intent = ForwardingFixture.intent();
        ForwardingConfigException error = rejection(new ForwardingIntent(intent.node().withUnderlayMtuBytes(1300),
            intent.vrfs(), intent.routes(), List.of()));

        assertEquals("node.underlayMtuBytes", error.field());
    }

    @Test
    void shouldRejectAMulticastRouterMac() {
        NodeIntent node = NodeIntent.of(OUR_VTEP, "01:00:5e:00:00:01", "02:5f:00:00:00:aa", "02:ee:00:00:00:01");

        assertEquals("node.routerMac", rejection(ForwardingIntent.of(node, List.of(), List.of())).field());
    }

    @Test
    void shouldDeriveTheInnerMtuFromTheUnderlayMtu() {
        ForwardingIntent intent = ForwardingFixture.intent();
        ForwardingTables tables = compiler.compile(new ForwardingIntent(intent.node().withUnderlayMtuBytes(9000),
            intent.vrfs(), intent.routes(), List.of()));

        assertEquals(8950, tables.innerMtuBytes());
        assertEquals(1450, ForwardingFixture.tables().innerMtuBytes());
    }

    @Test
    void shouldPreferAStaticRouteOverABgpRouteForTheSamePrefix() {
        RouteIntent learned = new RouteIntent("tenant-a", IpPrefix.parse("10.0.2.0/24"),
            NextHop.remoteVtep("192.0.2.13", "02:13:00:00:00:01"), RouteSource.BGP);
        ForwardingTables tables = compiler.compile(withRoutes(learned));
        int vrf = tables.vrfIndex("tenant-a");

        int adjacency = tables.adjacencyOf(tables.ipv4Routes(vrf).lookup(Ipv4Flyweight.parse("10.0.2.5")), 0);

        assertEquals(Ipv4Flyweight.parse(HV2_VTEP), tables.adjacencies().vtepAddress(adjacency));
    }

    @Test
    void shouldSpreadFlowsOverEveryVtepOfAnEcmpRoute() {
        List<RouteIntent> routes = new ArrayList<>();
        for (int vtep = 1; vtep <= 3; vtep++) {
            routes.add(new RouteIntent("tenant-a", IpPrefix.parse("203.0.113.0/24"),
                NextHop.remoteVtep("192.0.2." + (20 + vtep), "02:20:00:00:00:0" + vtep), RouteSource.BGP));
        }
        ForwardingTables tables = compiler.compile(ForwardingFixture.intent().withAdditionalRoutes(routes));
        int result = tables.ipv4Routes(tables.vrfIndex("tenant-a")).lookup(Ipv4Flyweight.parse("203.0.113.9"));
        Set<Integer> vteps = new HashSet<>();

        for (int hash = 0; hash < 64; hash++) {
            vteps.add(tables.adjacencies().vtepAddress(tables.adjacencyOf(result, hash * 0x9E37_79B9)));
        }

        assertTrue(RouteResult.isGroup(result));
        assertEquals(3, tables.groups().size(RouteResult.group(result)));
        assertEquals(3, vteps.size());
    }

    @Test
    void shouldShareOneAdjacencyPerVtepAndVni() {
        ForwardingTables tables = ForwardingFixture.tables();

        // hv1 and hv2, each used by an IPv4 and an IPv6 route in tenant-a.
        assertEquals(2, tables.adjacencies().size());
        assertEquals(TENANT_A_VNI, tables.adjacencies().vni(0));
    }

    @Test
    void shouldMapEveryL3VniToItsVrf() {
        ForwardingTables tables = ForwardingFixture.tables();

        assertEquals(tables.vrfIndex("tenant-a"), tables.vrfOfVni(TENANT_A_VNI));
        assertEquals(tables.vrfIndex("tenant-b"), tables.vrfOfVni(TENANT_B_VNI));
        assertEquals(-1, tables.vrfOfVni(4242));
    }
}
