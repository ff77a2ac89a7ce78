package io.softgate.nat.stage;

import static io.softgate.nat.testing.NatFixture.BLUE_FORWARD;
import static io.softgate.nat.testing.NatFixture.BLUE_FORWARD_VM;
import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.NatFixture.RED_ONE_TO_ONE;
import static io.softgate.nat.testing.NatFixture.RED_ONE_TO_ONE_VM;
import static io.softgate.nat.testing.NatFixture.RED_VRF;
import static io.softgate.nat.testing.Packets.tcp;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.NatFixture;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NatEventsTest {
    @Test
    void shouldNameEachResourceRefusalsAnsweredEventAfterItsDropReason() {
        Set<Integer> ids = new HashSet<>();
        for (NatDropReason reason : NatDropReason.values()) {
            if (reason.isResourceRefusal()) {
                int id = NatEvents.refusedWithIcmp(reason);
                assertEquals("refused-with-icmp." + reason.label(), NatEvents.NAMES.get(id));
                ids.add(id);
            } else {
                assertThrows(IllegalArgumentException.class, () -> NatEvents.refusedWithIcmp(reason));
            }
        }
        assertEquals(5, ids.size(), "one event per resource refusal");
    }

    /** A red VM outside red's SNAT source prefix (10.0.0.0/24): no source rule applies to it. */
    private static final String RED_UNRULED_VM = "10.0.9.9";

    @Test
    void shouldCountAPacketToOurPublicAddressThatNoSourceRuleTranslatesAsHairpinnedNotPassedUntranslated() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            StageHarness.Outcome out = nat.fromVpc(RED_VRF,
                tcp(RED_UNRULED_VM, 33000, BLUE_FORWARD, 8080, TcpFlyweight.FLAG_SYN));

            assertEquals(BLUE_VRF, out.vrf(), "destination-translated by the port forward");
            assertArrayEquals(tcp(RED_UNRULED_VM, 33000, BLUE_FORWARD_VM, 80, TcpFlyweight.FLAG_SYN), out.packet());
            assertEquals(0, nat.in2out.counter("nat44-in2out.passed-untranslated"));
            assertEquals(1, nat.in2out.counter("nat44-in2out.hairpinned"));
            assertEquals(1, nat.in2out.counter("nat44-in2out.sessions-created"));
        }
    }

    @Test
    void shouldCountAPacketToAnUnmappedPortOfOurPublicAddressOnlyAsItsDrop() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            StageHarness.Outcome out = nat.fromVpc(RED_VRF, udp(RED_UNRULED_VM, 5000, BLUE_FORWARD, 9999));

            assertEquals(StageHarness.DROPPED, out.verdict());
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.no-mapping"));
            assertEquals(0, nat.in2out.counter("nat44-in2out.passed-untranslated"));
        }
    }

    @Test
    void shouldCountAPacketNoSourceRuleTranslatesToAnAddressNotOursAsPassedUntranslated() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            byte[] packet = udp(RED_UNRULED_VM, 5000, "192.0.2.1", 53);
            StageHarness.Outcome out = nat.fromVpc(RED_VRF, packet);

            assertEquals(RED_VRF, out.vrf());
            assertArrayEquals(packet, out.packet());
            assertEquals(1, nat.in2out.counter("nat44-in2out.passed-untranslated"));
            assertEquals(0, nat.in2out.counter("nat44-in2out.hairpinned"));
        }
    }

    @Test
    void shouldCountAHairpinnedIcmpErrorOnceAsHairpinnedAndOnceAsTranslated() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            byte[] delivered = nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, RED_ONE_TO_ONE, 9999)).packet();
            long hairpinnedBefore = nat.in2out.counter("nat44-in2out.hairpinned");
            byte[] error = NatGoldenPacketTableTest.icmpError(RED_ONE_TO_ONE_VM, BLUE_SNAT,
                IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0,
                NatGoldenPacketTableTest.quote(delivered, delivered.length - 14));

            StageHarness.Outcome back = nat.fromVpc(RED_VRF, error);

            assertEquals(BLUE_VRF, back.vrf(), "back in to the sender's VPC");
            assertEquals(hairpinnedBefore + 1, nat.in2out.counter("nat44-in2out.hairpinned"));
            assertEquals(1, nat.in2out.counter("nat44-in2out.icmp-errors-translated"));
            assertEquals(0, nat.out2in.counter("nat44-out2in.icmp-errors-translated"));
        }
    }
}
