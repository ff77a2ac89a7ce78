package io.softgate.service.evpn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The speaker's VRF set: the file's first, then API VPCs with derived RDs, clashes left out with a reason. */
class EvpnVrfPlanTest {
    private static final List<VrfIntent> FILE_VRFS = List.of(VrfIntent.of("public", 5000, 0), VrfIntent.of("tenant", 5001, 1));

    private static SoftgateConfig config(String bgpVrfs) throws ConfigException {
        String json = """
            {"node": {"name": "sg1", "routerMac": "02:00:00:00:00:01", "vtepAddress": "10.255.0.1", "publicVrf": "public"},
             "forwarding": {"vrfs": [{"name": "public", "l3vni": 5000}, {"name": "tenant", "l3vni": 5001}]},
             "bgp": {"enabled": true, "asn": 65000, "routerId": "10.255.0.1", "vrfs": [%s]}}""".formatted(bgpVrfs);
        return ConfigLoader.parse("test.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static List<VrfIntent> withApi(VrfIntent... api) {
        List<VrfIntent> all = new java.util.ArrayList<>(FILE_VRFS);
        all.addAll(List.of(api));
        return all;
    }

    @Test
    void shouldPutTheFileVrfsFirstAndGiveAnApiVpcTheRdOfItsL3Vni() throws ConfigException {
        EvpnVrfPlan plan = EvpnVrfPlan.of(config(""), withApi(VrfIntent.of("vpc-7", 7007, 2)));

        assertEquals(List.of(VrfSettings.of("public", 5000, 1), VrfSettings.of("tenant", 5001, 2),
            VrfSettings.of("vpc-7", 7007, 7007)), plan.vrfs());
        assertEquals(Set.of("vpc-7"), plan.apiVrfs());
        assertEquals(List.of(), plan.refused());
    }

    @Test
    void shouldLeaveOutAnApiVpcWhoseDerivedRdIsAFileVrfsAndSayWhy() throws ConfigException {
        EvpnVrfPlan plan = EvpnVrfPlan.of(config(""), withApi(VrfIntent.of("vpc-2", 2, 2)));

        assertEquals(2, plan.vrfs().size(), "only the file VRFs");
        assertEquals(Set.of(), plan.apiVrfs());
        assertEquals(List.of("vpc-2: route distinguisher 10.255.0.1:2 is another VRF's (set "
            + "bgp.vrfs[name=vpc-2].routeDistinguisherNumber)"), plan.refused());
    }

    @Test
    void shouldLeaveOutTheSecondOfTwoApiVpcsWhoseL3VnisAre65536Apart() throws ConfigException {
        EvpnVrfPlan plan = EvpnVrfPlan.of(config(""), withApi(VrfIntent.of("vpc-a", 4465, 2),
            VrfIntent.of("vpc-b", 4465 + 65536, 3)));

        assertEquals(Set.of("vpc-a"), plan.apiVrfs());
        assertEquals(1, plan.refused().size());
        assertEquals(true, plan.refused().get(0).startsWith("vpc-b: route distinguisher 10.255.0.1:4465"));
    }

    @Test
    void shouldTakeTheRdAndTargetsOfABgpVrfsEntryNamingTheApiVpc() throws ConfigException {
        EvpnVrfPlan plan = EvpnVrfPlan.of(config("""
            {"name": "vpc-b", "routeDistinguisherNumber": 900, "exportRouteTargets": ["65001:9"]}"""),
            withApi(VrfIntent.of("vpc-a", 4465, 2), VrfIntent.of("vpc-b", 4465 + 65536, 3)));

        assertEquals(Set.of("vpc-a", "vpc-b"), plan.apiVrfs());
        VrfSettings vpcB = plan.vrfs().get(3);
        assertEquals(900, vpcB.routeDistinguisherNumber());
        assertEquals(List.of(RouteTarget.parse("65001:9")), vpcB.effectiveExportRouteTargets(65000));
        assertEquals(List.of(), plan.refused());
    }
}
