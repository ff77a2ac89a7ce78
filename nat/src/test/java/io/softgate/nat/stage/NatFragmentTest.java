package io.softgate.nat.stage;

import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.NatFixture.RED_ONE_TO_ONE;
import static io.softgate.nat.testing.NatFixture.RED_ONE_TO_ONE_VM;
import static io.softgate.nat.testing.NatFixture.RED_SNAT;
import static io.softgate.nat.testing.NatFixture.RED_VRF;
import static io.softgate.nat.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.pipeline.StageHarness;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.Frame;
import io.softgate.nat.testing.NatFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4787 REQ-14: fragments, in order and reordered within a batch. */
class NatFragmentTest {
    private static final String SERVER = "192.0.2.1";

    @Test
    void shouldTranslateALaterFragmentThatPrecedesItsFirstFragmentInTheSameBatch() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            byte[] later = ip("10.0.0.5", SERVER).identification(0x5151).fragment(false, 32).rawProtocol(17)
                .payload(16).build();
            byte[] first = ip("10.0.0.5", SERVER).identification(0x5151).fragment(true, 0).udp(5000, 53).payload(24)
                .build();
            List<StageHarness.Outcome> outcomes = nat.in2out.runAll(List.of(later, first), slot -> {
                nat.in2out.batch().l3Offset[slot] = nat.in2out.batch().offset[slot] + 14;
                nat.in2out.batch().vrf[slot] = BLUE_VRF;
            });
            assertEquals("route", outcomes.get(0).verdict());
            assertEquals("route", outcomes.get(1).verdict());
            assertEquals(BLUE_SNAT, new Frame(outcomes.get(0).packet()).assertChecksumsValid().source());
            assertEquals(BLUE_SNAT, new Frame(outcomes.get(1).packet()).assertChecksumsValid().source());
            assertEquals(1, nat.in2out.counter("nat44-in2out.fragments-translated"));
        }
    }

    @Test
    void shouldHairpinALaterFragmentLikeItsFirstFragment() {
        // RFC 4787 REQ-9 and REQ-14: a VM reaches another VM of its VPC through that VM's 1:1
        // address with a fragmented datagram; every fragment takes both translations.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            byte[] first = ip("10.0.0.5", RED_ONE_TO_ONE).identification(0x7171).fragment(true, 0).udp(5000, 9999)
                .payload(24).build();
            byte[] later = ip("10.0.0.5", RED_ONE_TO_ONE).identification(0x7171).fragment(false, 32).rawProtocol(17)
                .payload(16).build();
            StageHarness.Outcome firstOut = nat.fromVpc(RED_VRF, first);
            StageHarness.Outcome laterOut = nat.fromVpc(RED_VRF, later);
            assertEquals(RED_ONE_TO_ONE_VM, new Frame(firstOut.packet()).destination());
            assertEquals(RED_SNAT, new Frame(firstOut.packet()).source());
            Frame laterFrame = new Frame(laterOut.packet()).assertChecksumsValid();
            assertEquals(RED_ONE_TO_ONE_VM, laterFrame.destination(), "destination translated like the first's");
            assertEquals(RED_SNAT, laterFrame.source());
            assertEquals(RED_VRF, laterOut.vrf(), "back into the VPC, not out to the public VRF");
            assertEquals(2, nat.in2out.counter("nat44-in2out.hairpinned"));
            assertEquals(1, nat.in2out.counter("nat44-in2out.fragments-translated"));
        }
    }

    @Test
    void shouldTranslateInboundFragmentsOfAnEstablishedFlow() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = new Frame(nat.fromVpc(BLUE_VRF, io.softgate.nat.testing.Packets.udp("10.0.0.5", 5000, SERVER,
                53)).packet()).sourcePort();
            byte[] first = ip(SERVER, BLUE_SNAT).identification(0x6161).fragment(true, 0).udp(53, port).payload(24)
                .build();
            byte[] later = ip(SERVER, BLUE_SNAT).identification(0x6161).fragment(false, 32).rawProtocol(17)
                .payload(16).build();
            StageHarness.Outcome firstOut = nat.fromInternet(first);
            StageHarness.Outcome laterOut = nat.fromInternet(later);
            assertEquals("10.0.0.5", new Frame(firstOut.packet()).destination());
            assertEquals(5000, new Frame(firstOut.packet()).destinationPort());
            assertEquals("10.0.0.5", new Frame(laterOut.packet()).assertChecksumsValid().destination());
            assertEquals(BLUE_VRF, laterOut.vrf());
        }
    }
}
