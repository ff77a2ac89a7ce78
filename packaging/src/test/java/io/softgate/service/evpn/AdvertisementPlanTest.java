package io.softgate.service.evpn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.VrfIntent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdvertisementPlanTest {
    private static final ForwardingIntent INTENT = ForwardingIntent.of(
        NodeIntent.of("10.255.0.1", "02:5f:00:00:00:01", "02:5f:00:00:00:01", "02:5f:00:00:00:02"),
        List.of(VrfIntent.of("public", 5000, 1).asOutside(), VrfIntent.of("vpc-a", 5001, 2), VrfIntent.of("vpc-b", 5002, 3)),
        List.of());

    private static Type5Advertisement route(int l3Vni, String prefix, int length) {
        return new Type5Advertisement(l3Vni, InetAddresses.parse(prefix), length);
    }

    @Test
    void shouldAdvertiseHostRouteForEveryPublicAddressInThePublicVrf() {
        PublicServices services = new PublicServices("public",
            List.of(InetAddresses.parse("198.51.100.7"), InetAddresses.parse("2001:db8::7")), Set.of(), List.of());

        assertEquals(Set.of(route(5000, "198.51.100.7", 32), route(5000, "2001:db8::7", 128)),
            AdvertisementPlan.of(INTENT, services));
    }

    @Test
    void shouldAdvertiseDefaultRouteOnlyIntoVpcsWithAService() {
        PublicServices services = new PublicServices("public", List.of(), Set.of("vpc-b"), List.of());

        assertEquals(Set.of(route(5002, "0.0.0.0", 0)), AdvertisementPlan.of(INTENT, services));
    }

    @Test
    void shouldNeverAdvertiseAnAddressInsideTheUnderlay() {
        PublicServices services = new PublicServices("public", List.of(InetAddresses.parse("10.255.0.9")), Set.of(),
            List.of(IpPrefix.parse("10.255.0.0/24")));

        assertEquals(Set.of(), AdvertisementPlan.of(INTENT, services));
    }

    @Test
    void shouldWithdrawWhatLeftThePlanAndAdvertiseWhatJoinedIt() {
        List<String> calls = new ArrayList<>();
        AdvertisementSync sync = new AdvertisementSync(RecordingAdvertiser.routes(calls));
        sync.apply(Set.of(route(5000, "198.51.100.7", 32), route(5000, "198.51.100.8", 32)));
        calls.clear();

        sync.apply(Set.of(route(5000, "198.51.100.8", 32), route(5000, "198.51.100.9", 32)));

        assertEquals(List.of("-198.51.100.7/32 l3vni 5000", "+198.51.100.9/32 l3vni 5000"), calls);
    }
}
