package io.softgate.service.evpn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.VrfIntent;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VipAdvertisementsTest {
    private static final ForwardingIntent INTENT = ForwardingIntent.of(
        NodeIntent.of("10.255.0.1", "02:5f:00:00:00:01", "02:5f:00:00:00:01", "02:5f:00:00:00:02"),
        List.of(VrfIntent.of("public", 5000, 1).asOutside(), VrfIntent.of("vpc-a", 5001, 2)), List.of());
    private static final InetAddress VIP = InetAddresses.parse("198.51.100.100");
    private static final InetAddress SNAT = InetAddresses.parse("198.51.100.7");
    private static final PublicServices CONFIGURED = new PublicServices("public", List.of(SNAT, VIP), Set.of(), List.of());

    private final List<String> calls = new ArrayList<>();
    private final AdvertisementSync sync = new AdvertisementSync(RecordingAdvertiser.prefixes(calls));
    private final VipAdvertisements vips = new VipAdvertisements(this::replan);

    private void replan() {
        sync.apply(AdvertisementPlan.of(INTENT, vips.applyTo(CONFIGURED, Set.of(VIP))));
    }

    @Test
    void shouldNotAdvertiseALoadBalancerVipBeforeTheLoadBalancerReportsItAvailable() {
        replan();

        assertEquals(List.of("+198.51.100.7/32"), calls);
    }

    @Test
    void shouldWithdrawTheVipWhenItsLastBackendFailsAndAdvertiseItWhenOneComesBack() {
        replan();
        vips.vipAvailable("198.51.100.100");
        vips.vipUnavailable("198.51.100.100");
        vips.vipAvailable("198.51.100.100");

        assertEquals(List.of("+198.51.100.7/32", "+198.51.100.100/32", "-198.51.100.100/32", "+198.51.100.100/32"),
            calls);
    }

    @Test
    void shouldAdvertiseAnAvailableVipThatBgpPublicAddressesDoesNotList() {
        PublicServices withoutVip = new PublicServices("public", List.of(SNAT), Set.of(), List.of());
        vips.vipAvailable("198.51.100.100");

        assertEquals(List.of(SNAT, VIP), vips.applyTo(withoutVip, Set.of(VIP)).publicAddresses());
    }

    @Test
    void shouldIgnoreARepeatedReportWithoutReplanning() {
        vips.vipAvailable("198.51.100.100");
        calls.clear();
        vips.vipAvailable("198.51.100.100");
        vips.vipUnavailable("203.0.113.1");

        assertEquals(List.of(), calls);
    }
}
