package io.softgate.service.evpn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.service.config.BgpConfig;
import io.softgate.service.config.BgpVrfConfig;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The default route into API VPCs' VRFs: planned while the VPC has a VRF, withdrawn when it goes,
 * advertised again when the speaker replaced the VRF; and the EVPN identity of an API VPC's VRF.
 */
class ApiVpcDefaultRouteTest {
    private static final NodeIntent NODE = NodeIntent.of("10.255.0.1", "02:5f:00:00:00:01", "02:5f:00:00:00:01",
        "02:5f:00:00:00:02");
    private static final VrfIntent PUBLIC = VrfIntent.of("public", 5000, 1).asOutside();
    private static final VrfIntent VPC = VrfIntent.of("vpc-7", 7007, 2);
    private static final PublicServices FILE = new PublicServices("public", List.of(), Set.of(), List.of());
    private static final SoftgateConfig CONFIG = config();

    private final AtomicReference<ForwardingIntent> forwarding = new AtomicReference<>(
        ForwardingIntent.of(NODE, List.of(PUBLIC), List.of()));
    private final List<String> calls = new ArrayList<>();
    private final PublicAdvertisements advertisements = new PublicAdvertisements(CONFIG, forwarding::get,
        RecordingAdvertiser.routes(calls));

    @BeforeEach
    void start() {
        advertisements.fileChanged(FILE, Set.of());
    }

    private void vpcCreated() {
        forwarding.set(ForwardingIntent.of(NODE, List.of(PUBLIC, VPC), List.of()));
        advertisements.vrfsChanged(Set.of("vpc-7"), Set.of());
    }

    @Test
    void shouldAdvertiseADefaultRouteIntoAnApiVpcsVrf() {
        vpcCreated();
        assertEquals(List.of("+0.0.0.0/0 l3vni 7007"), calls);
    }

    @Test
    void shouldWithdrawTheDefaultRouteWhenTheVpcIsDeleted() {
        vpcCreated();
        calls.clear();
        forwarding.set(ForwardingIntent.of(NODE, List.of(PUBLIC), List.of()));
        advertisements.vrfsChanged(Set.of(), Set.of(7007));
        assertEquals(List.of(), calls, "the speaker withdrew it with the VRF: nothing more to send");
        assertEquals(Set.of(), advertisements.current());
    }

    @Test
    void shouldAdvertiseAgainIntoAVrfTheSpeakerReplaced() {
        vpcCreated();
        calls.clear();
        advertisements.vrfsChanged(Set.of("vpc-7"), Set.of(7007));
        assertEquals(List.of("+0.0.0.0/0 l3vni 7007"), calls);
    }

    @Test
    void shouldAdvertiseNothingIntoApiVpcsWhenTheSettingIsOff() {
        forwarding.set(ForwardingIntent.of(NODE, List.of(PUBLIC, VPC), List.of()));
        advertisements.vrfsChanged(Set.of(), Set.of());
        assertEquals(List.of(), calls);
    }

    @Test
    void shouldDeriveTheApiVrfsDistinguisherAndTargetsFromItsL3Vni() {
        VrfSettings vrf = BgpSettingsFactory.apiVrf(bgp(List.of(), null), "vpc-7", 7007);
        assertEquals(7007, vrf.routeDistinguisherNumber());
        assertEquals(List.of(RouteTarget.parse("65000:7007")), vrf.effectiveExportRouteTargets(65000));
    }

    @Test
    void shouldTakeTheApiVrfsDistinguisherAndTargetsFromABgpVrfsEntryOfItsName() {
        VrfSettings vrf = BgpSettingsFactory.apiVrf(bgp(List.of(
            new BgpVrfConfig("vpc-7", 42, List.of("65001:7"), List.of(), null)), null), "vpc-7", 7007);
        assertEquals(42, vrf.routeDistinguisherNumber());
        assertEquals(List.of(RouteTarget.parse("65001:7")), vrf.effectiveExportRouteTargets(65000));
    }

    @Test
    void shouldAdvertiseIntoApiVpcsByDefault() {
        assertEquals(true, bgp(List.of(), null).advertiseDefaultRouteToApiVpcs());
        assertEquals(false, bgp(List.of(), false).advertiseDefaultRouteToApiVpcs());
    }

    private static BgpConfig bgp(List<BgpVrfConfig> vrfs, Boolean advertiseDefaultRouteToApiVpcs) {
        return new BgpConfig(true, 65000L, "10.255.0.1", null, null, null, vrfs, null, null, null,
            advertiseDefaultRouteToApiVpcs);
    }

    /** The node's file: the public VRF alone (no intent is committed here, so only its VRFs would matter). */
    private static SoftgateConfig config() {
        try {
            return ConfigLoader.parse("test.json", """
                {"node": {"name": "sg1", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1", "publicVrf": "public"},
                 "forwarding": {"vrfs": [{"name": "public", "l3vni": 5000}]}}""".getBytes(StandardCharsets.UTF_8));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }
}
