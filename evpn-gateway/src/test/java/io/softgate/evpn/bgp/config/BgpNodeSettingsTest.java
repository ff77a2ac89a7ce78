package io.softgate.evpn.bgp.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Node settings: defaults, VRF lookup by route target, validation. */
class BgpNodeSettingsTest {
    private static BgpNodeSettings.Builder base() {
        return BgpNodeSettings.builder().routerId(InetAddresses.parse("10.0.0.1")).asNumber(65000)
                .vtepAddress(InetAddresses.parse("192.0.2.1")).routerMac(0x02_00_00_00_00_01L);
    }

    @Test
    void shouldMapLearnedRouteToVrfByDefaultAsnVniTarget() {
        BgpNodeSettings settings = base().vrf(VrfSettings.of("a", 5001, 1)).vrf(VrfSettings.of("b", 5002, 2)).build();
        assertEquals("b", settings.vrfForRouteTargets(List.of(RouteTarget.ofTwoOctetAs(65000, 5002))).name());
        assertNull(settings.vrfForRouteTargets(List.of(RouteTarget.ofTwoOctetAs(65001, 5002))));
    }

    @Test
    void shouldUseConfiguredTargetsForEbgpFabrics() {
        RouteTarget fabric = RouteTarget.parse("65100:5001");
        BgpNodeSettings settings = base().vrf(new VrfSettings("a", 5001, 1, List.of(fabric), List.of(), -1)).build();
        assertEquals(List.of(fabric), settings.vrfs().get(0).effectiveExportRouteTargets(65000));
        assertEquals("a", settings.vrfForRouteTargets(List.of(fabric)).name());
    }

    @Test
    void shouldGiveEveryVrfTheNodeRouterMacUnlessOverridden() {
        BgpNodeSettings settings = base().vrf(VrfSettings.of("a", 5001, 1))
                .vrf(new VrfSettings("b", 5002, 2, List.of(), List.of(), 0x02_00_00_00_00_99L)).build();
        assertEquals(0x02_00_00_00_00_01L, settings.routerMacFor(settings.vrfs().get(0)));
        assertEquals(0x02_00_00_00_00_99L, settings.routerMacFor(settings.vrfs().get(1)));
    }

    @Test
    void shouldRejectTheSameL3VniTwice() {
        assertThrows(IllegalArgumentException.class,
                () -> base().vrf(VrfSettings.of("a", 5001, 1)).vrf(VrfSettings.of("b", 5001, 2)).build());
    }

    @Test
    void shouldRejectMulticastRouterMac() {
        assertThrows(IllegalArgumentException.class, () -> base().routerMac(0x01_00_5e_00_00_01L).build());
    }
}
