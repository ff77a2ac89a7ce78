package io.softgate.nat.stage;

import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.NatFixture.RED_ONE_TO_ONE;
import static io.softgate.nat.testing.NatFixture.RED_ONE_TO_ONE_VM;
import static io.softgate.nat.testing.NatFixture.RED_VRF;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.session.NatScratch;
import io.softgate.nat.session.PortSpace;
import io.softgate.nat.testing.Frame;
import io.softgate.nat.testing.NatFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The in2out batch pre-pass draws the port value of every new flow a dynamic source rule will
 * map, in batch order, before any creation runs; each packet's creation then uses its own value.
 * With a known seed the ports are predictable: a packet that draws nothing (exclusion, 1:1) takes
 * no value, a packet that finds its endpoint mapped (EIM) leaves its value unused, and no value
 * reaches another packet.
 */
class NatPredrawnPortBatchTest {
    private static final long SEED = 0x5EED_0F_5EEDL;
    private static final String SERVER = "192.0.2.1";

    private static int firstPortOf(NatSettings settings, int random) {
        return PortSpace.randomStart(settings.portRangeFirst(), settings.portRangeLast(), random);
    }

    @Test
    void shouldGiveEachNewFlowTheValueDrawnForItInBatchOrder() {
        NatSettings settings = NatSettings.defaults();
        try (NatFixture nat = new NatFixture(settings)) {
            StageHarness in2out = harness(nat);
            List<byte[]> batch = List.of(
                udp("10.0.0.5", 5000, SERVER, 53),        // new endpoint: value 1
                udp("10.0.0.5", 5000, "192.0.2.2", 53),   // same endpoint, new session: value 2, unused (EIM)
                udp("10.0.0.7", 5000, "10.1.0.9", 53),    // blue-peering exclusion: draws nothing
                udp("10.0.0.6", 5000, SERVER, 53));       // new endpoint: value 3
            int[] vrfs = {BLUE_VRF, BLUE_VRF, BLUE_VRF, BLUE_VRF};
            List<StageHarness.Outcome> out = in2out.runAll(batch, slot -> presets(in2out, slot, vrfs[slot]));
            NatScratch twin = new NatScratch(SEED);
            int first = firstPortOf(settings, twin.nextRandom());
            int unused = firstPortOf(settings, twin.nextRandom());
            int third = firstPortOf(settings, twin.nextRandom());
            // Drawn when created (the old order), the last flow would have taken the second value.
            assertNotEquals(unused, third);
            Frame a = new Frame(out.get(0).packet());
            assertEquals(BLUE_SNAT, a.source());
            assertEquals(first, a.sourcePort());
            assertEquals(first, new Frame(out.get(1).packet()).sourcePort(), "RFC 4787 REQ-1: same mapping");
            Frame excluded = new Frame(out.get(2).packet());
            assertEquals("10.0.0.7", excluded.source());
            assertEquals(5000, excluded.sourcePort());
            Frame c = new Frame(out.get(3).packet());
            assertEquals(BLUE_SNAT, c.source());
            assertEquals(third, c.sourcePort());
        }
    }

    @Test
    void shouldDrawNothingForOneToOneFlowsInTheBatch() {
        NatSettings settings = NatSettings.defaults();
        try (NatFixture nat = new NatFixture(settings)) {
            StageHarness in2out = harness(nat);
            List<byte[]> batch = List.of(
                udp(RED_ONE_TO_ONE_VM, 6000, SERVER, 53), // red 1:1: leaves from its own address, port kept
                udp("10.0.0.5", 5000, SERVER, 53));       // blue SNAT: the first value
            int[] vrfs = {RED_VRF, BLUE_VRF};
            List<StageHarness.Outcome> out = in2out.runAll(batch, slot -> presets(in2out, slot, vrfs[slot]));
            Frame oneToOne = new Frame(out.get(0).packet());
            assertEquals(RED_ONE_TO_ONE, oneToOne.source());
            assertEquals(6000, oneToOne.sourcePort());
            assertEquals(firstPortOf(settings, new NatScratch(SEED).nextRandom()),
                new Frame(out.get(1).packet()).sourcePort());
        }
    }

    @Test
    void shouldTakePortsFromTheSubscribersBlockWhenAllocatingPortBlocks() {
        // RFC 6888 port blocks are unaffected by the pre-pass (which draws only for random ports):
        // every port of the batch lies in the subscriber's one block.
        NatSettings settings = NatSettings.defaults().withPortBlocks(64).withPortRange(1024, 4095);
        try (NatFixture nat = new NatFixture(settings)) {
            StageHarness in2out = harness(nat);
            List<byte[]> batch = List.of(udp("10.0.0.5", 5000, SERVER, 53), udp("10.0.0.5", 5001, SERVER, 53),
                udp("10.0.0.5", 5002, SERVER, 53));
            List<StageHarness.Outcome> out = in2out.runAll(batch, slot -> presets(in2out, slot, BLUE_VRF));
            int block = (new Frame(out.get(0).packet()).sourcePort() - 1024) / 64;
            for (StageHarness.Outcome outcome : out) {
                Frame frame = new Frame(outcome.packet());
                assertEquals(BLUE_SNAT, frame.source());
                assertEquals(block, (frame.sourcePort() - 1024) / 64);
            }
            assertEquals(3, in2out.counter("nat44-in2out.sessions-created"));
        }
    }

    private static StageHarness harness(NatFixture nat) {
        ConfigSnapshot snapshot = new SnapshotPublisher(new WorkerEpochs(1))
            .publish(ConfigSnapshot.builder().with(NatTables.SLOT, nat.tables));
        StageHarness harness = new StageHarness(new Nat44In2OutStage(nat.sessions, "route", SEED), snapshot);
        harness.nowNs(nat.nowNs());
        return harness;
    }

    private static void presets(StageHarness harness, int slot, int vrf) {
        harness.batch().l3Offset[slot] = harness.batch().offset[slot] + 14;
        harness.batch().l4Offset[slot] = -1;
        harness.batch().vrf[slot] = vrf;
    }
}
