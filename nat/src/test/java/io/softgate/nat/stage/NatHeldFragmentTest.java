package io.softgate.nat.stage;

import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.NatFixture.PUBLIC_VRF;
import static io.softgate.nat.testing.NatFixture.RED_ONE_TO_ONE;
import static io.softgate.nat.testing.NatFixture.RED_ONE_TO_ONE_VM;
import static io.softgate.nat.testing.NatFixture.RED_SNAT;
import static io.softgate.nat.testing.NatFixture.RED_VRF;
import static io.softgate.nat.testing.Packets.ip;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.Frame;
import io.softgate.nat.testing.NatFixture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * RFC 4787 REQ-14 across batches: a later fragment whose first fragment comes in a later batch is
 * held and sent on, translated by the first fragment's rewrite (or untranslated, when its first
 * fragment passed untranslated), once the first fragment's record exists: in the first fragment's
 * own batch, or within the round-robin bound when another worker left the record. The hold is
 * bounded in records, bytes, time and lookups per batch, and every outcome is counted. Both
 * directions, hairpinning, a first fragment translated by another worker.
 */
class NatHeldFragmentTest {
    private static final String SERVER = "192.0.2.1";
    private static final String VM = "10.0.0.5";
    /** A blue VM outside 10.0.0.0/24, the prefix blue's SNAT rule matches: no NAT rule applies to it. */
    private static final String UNRULED_VM = "10.0.1.5";
    /** Inside blue's ACCEPT_SNAT exclusion (10.1.0.0/16). */
    private static final String EXCLUDED = "10.1.2.3";

    private static byte[] later(String source, String destination, int id, int payload) {
        return ip(source, destination).identification(id).fragment(false, 32).rawProtocol(17).payload(payload).build();
    }

    private static byte[] first(String source, String destination, int id, int sourcePort, int destinationPort) {
        return ip(source, destination).identification(id).fragment(true, 0).udp(sourcePort, destinationPort)
            .payload(24).build();
    }

    /** The IPv4 payload of an inner frame (what NAT must leave untouched in a later fragment). */
    private static byte[] ipPayload(byte[] frame) {
        return Arrays.copyOfRange(frame, Frame.IP + 20, frame.length);
    }

    private static int identification(byte[] frame) {
        return (frame[Frame.IP + 4] & 0xFF) << 8 | frame[Frame.IP + 5] & 0xFF;
    }

    private static IntConsumer fromVpc(StageHarness harness, int vrf) {
        return slot -> {
            harness.batch().l3Offset[slot] = harness.batch().offset[slot] + Frame.IP;
            harness.batch().vrf[slot] = vrf;
        };
    }

    private static IntConsumer fromInternet(StageHarness harness) {
        return slot -> {
            harness.batch().l3Offset[slot] = harness.batch().offset[slot] + Frame.IP;
            harness.batch().vrf[slot] = PUBLIC_VRF;
            harness.batch().flags[slot] = PacketFlags.FROM_OUTSIDE;
        };
    }

    /** A second in2out worker on the fixture's sessions, whose stage the test can look into. */
    private static final class Worker {
        final Nat44In2OutStage stage;
        final StageHarness harness;

        Worker(NatFixture nat, int workerId) {
            ConfigSnapshot snapshot = new SnapshotPublisher(new WorkerEpochs(1))
                .publish(ConfigSnapshot.builder().with(NatTables.SLOT, nat.tables));
            this.stage = new Nat44In2OutStage(nat.sessions, "route", workerId);
            this.harness = new StageHarness(stage, snapshot);
            harness.nowNs(nat.nowNs());
        }

        /** Holds {@code count} later fragments from the VM, identifications {@code firstId} on, whose first never comes. */
        void holdOrphans(int firstId, int count) {
            IntConsumer blue = fromVpc(harness, BLUE_VRF);
            List<byte[]> batch = new ArrayList<>();
            for (int id = firstId; id < firstId + count; id++) {
                batch.add(later(VM, SERVER, id, 8));
                if (batch.size() == harness.batch().capacity()) {
                    harness.runAll(batch, blue);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                harness.runAll(batch, blue);
            }
        }

        /** Runs a batch of one ordinary packet (an established flow's) and returns the fragments it released. */
        List<StageHarness.Outcome> ordinaryBatch() {
            harness.run(udp("10.0.0.6", 6000, SERVER, 53), fromVpc(harness, BLUE_VRF));
            return harness.generated();
        }
    }

    @Test
    void shouldLookUpAtMostTheLimitPerBatchWhenTheHoldIsFullOfOrphans() {
        // An orphan flood (later fragments whose first never comes) keeps the hold full: each
        // batch still pays at most LOOKUPS_PER_BATCH fragment-table lookups, not one per held fragment.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            Worker worker = new Worker(nat, 1);
            worker.holdOrphans(0, HeldFragments.DEFAULT_CAPACITY);
            assertEquals(HeldFragments.DEFAULT_CAPACITY, worker.stage.translator.heldFragmentCount());
            worker.ordinaryBatch();
            for (int batch = 0; batch < 20; batch++) {
                long before = worker.stage.translator.heldFragmentLookups();
                assertEquals(0, worker.ordinaryBatch().size());
                assertEquals(HeldFragments.LOOKUPS_PER_BATCH, worker.stage.translator.heldFragmentLookups() - before,
                    "batch " + batch);
            }
            assertEquals(HeldFragments.DEFAULT_CAPACITY, worker.stage.translator.heldFragmentCount());
        }
    }

    @Test
    void shouldLookUpEveryHeldFragmentEveryBatchWhileNoMoreThanTheLimitAreHeld() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            Worker worker = new Worker(nat, 1);
            worker.holdOrphans(0, 5);
            long before = worker.stage.translator.heldFragmentLookups();
            worker.ordinaryBatch();
            assertEquals(5, worker.stage.translator.heldFragmentLookups() - before);
        }
    }

    @Test
    void shouldReleaseAFragmentWhoseFirstAnotherWorkerTranslatedWithinTheRoundRobinBound() {
        // The fragment is the oldest of a full hold, the last the round-robin reaches: released
        // within ceil(held / LOOKUPS_PER_BATCH) batches of its first fragment's record appearing.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            Worker worker = new Worker(nat, 1);
            worker.holdOrphans(0x8000, 1);
            worker.holdOrphans(0, HeldFragments.DEFAULT_CAPACITY - 1);
            nat.fromVpc(BLUE_VRF, first(VM, SERVER, 0x8000, 5000, 53)); // worker 0 leaves the record
            int bound = (HeldFragments.DEFAULT_CAPACITY + HeldFragments.LOOKUPS_PER_BATCH - 1)
                / HeldFragments.LOOKUPS_PER_BATCH;
            List<StageHarness.Outcome> released = List.of();
            int batches = 0;
            while (released.isEmpty() && batches < bound) {
                released = worker.ordinaryBatch();
                batches++;
            }
            assertEquals(1, released.size(), "released within " + bound + " batches");
            assertEquals(0x8000, identification(released.get(0).packet()));
            assertEquals(BLUE_SNAT, new Frame(released.get(0).packet()).assertChecksumsValid().source());
            assertEquals(HeldFragments.DEFAULT_CAPACITY - 1, worker.stage.translator.heldFragmentCount());
        }
    }

    @Test
    void shouldReleaseInTheFirstFragmentsOwnBatchWhenTheHoldIsFullOfOrphans() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            Worker worker = new Worker(nat, 1);
            worker.holdOrphans(0x8000, 1);
            worker.holdOrphans(0, HeldFragments.DEFAULT_CAPACITY - 1);
            worker.harness.run(first(VM, SERVER, 0x8000, 5000, 53), fromVpc(worker.harness, BLUE_VRF));
            List<StageHarness.Outcome> released = worker.harness.generated();
            assertEquals(1, released.size(), "this stage translated its first fragment: released in that batch");
            assertEquals(0x8000, identification(released.get(0).packet()));
            assertEquals(BLUE_SNAT, new Frame(released.get(0).packet()).assertChecksumsValid().source());
        }
    }

    @Test
    void shouldSendOnALaterFragmentWhoseFirstFragmentComesInTheNextBatchWithTheFirstFragmentsTranslation() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            byte[] laterFragment = later(VM, SERVER, 0x5252, 40);
            StageHarness.Outcome held = nat.fromVpc(BLUE_VRF, laterFragment);
            assertEquals(StageHarness.DROPPED, held.verdict(), "its frame is released; its bytes are held");
            assertEquals(0, nat.in2out.generated().size());
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.fragment-held"));

            StageHarness.Outcome firstOut = nat.fromVpc(BLUE_VRF, first(VM, SERVER, 0x5252, 5000, 53));
            List<StageHarness.Outcome> released = nat.in2out.generated();
            assertEquals(1, released.size(), "released in the batch the first fragment came in");
            Frame firstFrame = new Frame(firstOut.packet()).assertChecksumsValid();
            Frame laterFrame = new Frame(released.get(0).packet()).assertChecksumsValid();
            assertEquals("route", released.get(0).verdict());
            assertEquals(BLUE_SNAT, firstFrame.source());
            assertEquals(firstFrame.source(), laterFrame.source(), "the same external address as its first");
            assertEquals(SERVER, laterFrame.destination());
            assertEquals(PUBLIC_VRF, released.get(0).vrf());
            assertEquals(Frame.IP, released.get(0).innerIpOffset());
            assertArrayEquals(ipPayload(laterFragment), ipPayload(released.get(0).packet()), "payload untouched");
            assertEquals(1, nat.in2out.counter("nat44-in2out.fragments-released"));
            assertEquals(1, nat.in2out.counter("nat44-in2out.fragments-translated"));
            assertEquals(0, nat.in2out.counter("nat44-in2out.drop.fragment-without-first"));

            // A third fragment of the datagram, after the release, follows the record directly.
            StageHarness.Outcome third = nat.fromVpc(BLUE_VRF, ip(VM, SERVER).identification(0x5252)
                .fragment(false, 72).rawProtocol(17).payload(8).build());
            assertEquals(BLUE_SNAT, new Frame(third.packet()).source());
            assertEquals(0, nat.in2out.generated().size(), "nothing left to release");
        }
    }

    @Test
    void shouldSendOnAnInboundLaterFragmentWhoseFirstFragmentComesInTheNextBatch() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = new Frame(nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)).packet()).sourcePort();
            byte[] laterFragment = later(SERVER, BLUE_SNAT, 0x6262, 40);
            assertEquals(StageHarness.DROPPED, nat.fromInternet(laterFragment).verdict());

            StageHarness.Outcome firstOut = nat.fromInternet(first(SERVER, BLUE_SNAT, 0x6262, 53, port));
            assertEquals(VM, new Frame(firstOut.packet()).destination());
            assertEquals(5000, new Frame(firstOut.packet()).destinationPort());
            List<StageHarness.Outcome> released = nat.out2in.generated();
            assertEquals(1, released.size());
            Frame laterFrame = new Frame(released.get(0).packet()).assertChecksumsValid();
            assertEquals(VM, laterFrame.destination(), "the same inside address as its first");
            assertEquals(SERVER, laterFrame.source());
            assertEquals(BLUE_VRF, released.get(0).vrf(), "continues in the VM's VPC");
            assertArrayEquals(ipPayload(laterFragment), ipPayload(released.get(0).packet()));
            assertEquals(1, nat.out2in.counter("nat44-out2in.drop.fragment-held"));
            assertEquals(1, nat.out2in.counter("nat44-out2in.fragments-released"));
        }
    }

    @Test
    void shouldPassAnInboundLaterFragmentToAnAddressTheNatDoesNotOwnLikeItsFirstFragment() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            byte[] laterFragment = later(SERVER, "192.0.2.99", 0x6363, 40);
            StageHarness.Outcome out = nat.fromInternet(laterFragment);
            assertEquals("route", out.verdict(), "not held: nothing would ever release it");
            assertArrayEquals(laterFragment, out.packet(), "untranslated");
            assertEquals(PUBLIC_VRF, out.vrf());
            assertEquals(1, nat.out2in.counter("nat44-out2in.passed-untranslated"));
            assertEquals(0, nat.out2in.counter("nat44-out2in.drop.fragment-held"));
        }
    }

    @Test
    void shouldReleaseAHeldFragmentOfAnExcludedFlowUntranslatedWithItsFirstAndCountItPassed() {
        // Before the pass record it was held until its hold expired: the NAT broke fragmented UDP
        // (large DNS answers, VPNs) of every flow it does not translate.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            byte[] laterFragment = later(VM, EXCLUDED, 0x7878, 40);
            assertEquals(StageHarness.DROPPED, nat.fromVpc(BLUE_VRF, laterFragment).verdict());
            byte[] firstFragment = first(VM, EXCLUDED, 0x7878, 5000, 53);
            StageHarness.Outcome firstOut = nat.fromVpc(BLUE_VRF, firstFragment);
            assertArrayEquals(firstFragment, firstOut.packet());
            List<StageHarness.Outcome> released = nat.in2out.generated();
            assertEquals(1, released.size());
            assertEquals("route", released.get(0).verdict());
            assertArrayEquals(laterFragment, released.get(0).packet(), "untranslated");
            assertEquals(BLUE_VRF, released.get(0).vrf(), "keeps its VPC, like its first fragment");
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.fragment-held"));
            assertEquals(1, nat.in2out.counter("nat44-in2out.fragments-released"));
            assertEquals(2, nat.in2out.counter("nat44-in2out.passed-untranslated"), "the first and the released");
            assertEquals(0, nat.in2out.counter("nat44-in2out.fragments-translated"));
            assertEquals(0, nat.in2out.counter("nat44-in2out.sessions-created"));

            // A third fragment, after: passes at once.
            byte[] third = ip(VM, EXCLUDED).identification(0x7878).fragment(false, 72).rawProtocol(17).payload(8)
                .build();
            StageHarness.Outcome thirdOut = nat.fromVpc(BLUE_VRF, third);
            assertArrayEquals(third, thirdOut.packet());
            assertEquals(BLUE_VRF, thirdOut.vrf());
            assertEquals(3, nat.in2out.counter("nat44-in2out.passed-untranslated"));
        }
    }

    @Test
    void shouldPassAHeldFragmentWhoseFirstAnotherWorkerPassedUntranslated() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            Worker worker = new Worker(nat, 1);
            byte[] laterFragment = later(UNRULED_VM, SERVER, 0x7979, 40);
            worker.harness.run(laterFragment, fromVpc(worker.harness, BLUE_VRF));
            assertEquals(1, worker.stage.translator.heldFragmentCount());
            byte[] firstFragment = first(UNRULED_VM, SERVER, 0x7979, 5000, 53);
            assertArrayEquals(firstFragment, nat.fromVpc(BLUE_VRF, firstFragment).packet(), "worker 0 passes it");

            List<StageHarness.Outcome> released = worker.ordinaryBatch();
            assertEquals(1, released.size(), "the pass record releases it in the next batch");
            assertArrayEquals(laterFragment, released.get(0).packet(), "untranslated");
            assertEquals(BLUE_VRF, released.get(0).vrf());
            assertEquals(1, worker.harness.counter("nat44-in2out.passed-untranslated"));
            assertEquals(0, worker.harness.counter("nat44-in2out.fragments-translated"));
        }
    }

    @Test
    void shouldReleaseAHeldFragmentOfAnUntranslatedFlowToANatAddressHairpinnedLikeItsFirst() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            byte[] laterFragment = later(UNRULED_VM, RED_ONE_TO_ONE, 0x7a7a, 40);
            nat.fromVpc(BLUE_VRF, laterFragment);
            StageHarness.Outcome firstOut = nat.fromVpc(BLUE_VRF, first(UNRULED_VM, RED_ONE_TO_ONE, 0x7a7a, 5000, 9999));
            assertEquals(RED_ONE_TO_ONE_VM, new Frame(firstOut.packet()).destination());
            StageHarness.Outcome released = nat.in2out.generated().get(0);
            Frame laterFrame = new Frame(released.packet()).assertChecksumsValid();
            assertEquals(UNRULED_VM, laterFrame.source(), "untranslated source, as its first");
            assertEquals(RED_ONE_TO_ONE_VM, laterFrame.destination());
            assertEquals(RED_VRF, released.vrf(), "into the 1:1 VM's VPC, as its first");
            assertArrayEquals(ipPayload(laterFragment), ipPayload(released.packet()));
            assertEquals(1, nat.in2out.counter("nat44-in2out.fragments-translated"), "the hairpin's inbound half");
        }
    }

    @Test
    void shouldReleaseEveryHeldFragmentOfTheDatagramAndOnlyThose() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            IntConsumer blue = fromVpc(nat.in2out, BLUE_VRF);
            byte[] a = ip(VM, SERVER).identification(0x7000).fragment(true, 64).rawProtocol(17).payload(32).build();
            byte[] b = ip(VM, SERVER).identification(0x7000).fragment(false, 96).rawProtocol(17).payload(8).build();
            byte[] other = later(VM, SERVER, 0x7001, 16);
            nat.in2out.runAll(List.of(b, other), blue);
            nat.in2out.runAll(List.of(a), blue);
            assertEquals(0, nat.in2out.generated().size(), "still no first fragment");

            nat.in2out.runAll(List.of(first(VM, SERVER, 0x7000, 5000, 53)), blue);
            List<StageHarness.Outcome> released = nat.in2out.generated();
            assertEquals(2, released.size(), "both held fragments of the datagram, not the other one");
            assertArrayEquals(ipPayload(b), ipPayload(released.get(0).packet()), "in the order they were held");
            assertArrayEquals(ipPayload(a), ipPayload(released.get(1).packet()));
            for (StageHarness.Outcome out : released) {
                assertEquals(BLUE_SNAT, new Frame(out.packet()).assertChecksumsValid().source());
            }
            assertEquals(3, nat.in2out.counter("nat44-in2out.drop.fragment-held"));
            assertEquals(2, nat.in2out.counter("nat44-in2out.fragments-released"));
        }
    }

    @Test
    void shouldReleaseInTheFirstBatchAfterAnotherWorkerTranslatedTheFirstFragment() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            ConfigSnapshot snapshot = new SnapshotPublisher(new WorkerEpochs(1))
                .publish(ConfigSnapshot.builder().with(NatTables.SLOT, nat.tables));
            StageHarness otherWorker = new StageHarness(new Nat44In2OutStage(nat.sessions, "route", 1), snapshot);
            otherWorker.nowNs(nat.nowNs());
            nat.fromVpc(BLUE_VRF, later(VM, SERVER, 0x7272, 16));
            otherWorker.run(first(VM, SERVER, 0x7272, 5000, 53), fromVpc(otherWorker, BLUE_VRF));
            assertEquals(0, otherWorker.generated().size(), "the other worker holds nothing");

            // Worker 0's next batch, whatever it carries, finds the record and sends the fragment on.
            nat.fromVpc(BLUE_VRF, udp("10.0.0.6", 6000, SERVER, 53));
            assertEquals(1, nat.in2out.generated().size());
            assertEquals(BLUE_SNAT, new Frame(nat.in2out.generated().get(0).packet()).source());
        }
    }

    @Test
    void shouldHairpinAHeldFragmentLikeItsFirstFragment() {
        // RFC 4787 REQ-9 and REQ-14: both translations, the second by the record the first
        // fragment left for its way back in.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            nat.fromVpc(RED_VRF, later(VM, RED_ONE_TO_ONE, 0x7373, 16));
            StageHarness.Outcome firstOut = nat.fromVpc(RED_VRF, first(VM, RED_ONE_TO_ONE, 0x7373, 5000, 9999));
            assertEquals(RED_ONE_TO_ONE_VM, new Frame(firstOut.packet()).destination());
            StageHarness.Outcome released = nat.in2out.generated().get(0);
            Frame laterFrame = new Frame(released.packet()).assertChecksumsValid();
            assertEquals(RED_SNAT, laterFrame.source());
            assertEquals(RED_ONE_TO_ONE_VM, laterFrame.destination());
            assertEquals(RED_VRF, released.vrf(), "back into the VPC");
            assertEquals(1, nat.in2out.counter("nat44-in2out.fragments-released"));
        }
    }

    @Test
    void shouldDropAndCountAHeldFragmentWhoseFirstFragmentNeverComes() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            long heldAt = nat.nowNs();
            nat.fromVpc(BLUE_VRF, later(VM, SERVER, 0x7474, 16));
            nat.fromInternet(later(SERVER, BLUE_SNAT, 0x7575, 16));
            // Batches come and go within the hold: nothing is released, nothing leaves untranslated.
            for (int i = 0; i < 3; i++) {
                nat.clock(nat.nowNs() + (HeldFragments.HOLD_NS - 1) / 3);
                assertEquals("route", nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)).verdict());
                assertEquals(0, nat.in2out.generated().size());
                nat.fromInternet(udp(SERVER, 53, "192.0.2.99", 5000));
                assertEquals(0, nat.out2in.generated().size());
            }
            assertEquals(0, nat.in2out.counter("nat44-in2out.drop.fragment-hold-expired"));

            nat.clock(heldAt + HeldFragments.HOLD_NS); // the hold is over
            nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53));
            nat.fromInternet(udp(SERVER, 53, "192.0.2.99", 5000));
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.fragment-hold-expired"));
            assertEquals(1, nat.out2in.counter("nat44-out2in.drop.fragment-hold-expired"));

            // Its first fragment coming after the hold releases nothing.
            nat.fromVpc(BLUE_VRF, first(VM, SERVER, 0x7474, 5000, 53));
            assertEquals(0, nat.in2out.generated().size());
            assertEquals(0, nat.in2out.counter("nat44-in2out.fragments-released"));
        }
    }

    @Test
    void shouldRefuseANewFragmentWhenEveryRecordIsHeldAndEvictNone() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            IntConsumer blue = fromVpc(nat.in2out, BLUE_VRF);
            List<byte[]> batch = new ArrayList<>();
            for (int id = 0; id < HeldFragments.DEFAULT_CAPACITY; id++) {
                batch.add(later(VM, SERVER, id, 8));
                if (batch.size() == nat.in2out.batch().capacity()) {
                    nat.in2out.runAll(batch, blue);
                    batch.clear();
                }
            }
            nat.in2out.runAll(batch, blue);
            assertEquals(HeldFragments.DEFAULT_CAPACITY, nat.in2out.counter("nat44-in2out.drop.fragment-held"));

            StageHarness.Outcome refused = nat.fromVpc(BLUE_VRF, later(VM, SERVER, 0xFFFF, 8));
            assertEquals(StageHarness.DROPPED, refused.verdict());
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.fragment-hold-full"));

            // The oldest held fragment is still there: its first fragment releases it.
            nat.fromVpc(BLUE_VRF, first(VM, SERVER, 0, 5000, 53));
            assertEquals(1, nat.in2out.generated().size());
            assertEquals(0, identification(nat.in2out.generated().get(0).packet()), "the oldest, not evicted");
            // And a freed record takes a new fragment again.
            assertEquals(StageHarness.DROPPED, nat.fromVpc(BLUE_VRF, later(VM, SERVER, 0xFFFE, 8)).verdict());
            assertEquals(HeldFragments.DEFAULT_CAPACITY + 1, nat.in2out.counter("nat44-in2out.drop.fragment-held"));
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.fragment-hold-full"));
        }
    }

    @Test
    void shouldRefuseANewFragmentWhenTheByteBudgetIsSpent() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            IntConsumer outside = fromInternet(nat.out2in);
            // 14 + 20 + 1400 bytes: 12 chunks of 128 each.
            int chunks = (Frame.IP + 20 + 1400 + HeldFragments.CHUNK_BYTES - 1) / HeldFragments.CHUNK_BYTES;
            int fit = HeldFragments.DEFAULT_BYTES / HeldFragments.CHUNK_BYTES / chunks;
            List<byte[]> batch = new ArrayList<>();
            for (int id = 0; id < fit; id++) {
                batch.add(later(SERVER, BLUE_SNAT, id, 1400));
                if (batch.size() == nat.out2in.batch().capacity()) {
                    nat.out2in.runAll(batch, outside);
                    batch.clear();
                }
            }
            nat.out2in.runAll(batch, outside);
            assertEquals(fit, nat.out2in.counter("nat44-out2in.drop.fragment-held"));
            assertEquals(0, nat.out2in.counter("nat44-out2in.drop.fragment-hold-full"));

            nat.fromInternet(later(SERVER, BLUE_SNAT, 0xFFFF, 1400));
            assertEquals(1, nat.out2in.counter("nat44-out2in.drop.fragment-hold-full"), "fewer records than the "
                + "count limit, but no bytes left");
            // A small one still fits in what the large ones leave.
            nat.fromInternet(later(SERVER, BLUE_SNAT, 0xFFFE, 8));
            assertEquals(fit + 1, nat.out2in.counter("nat44-out2in.drop.fragment-held"));
        }
    }

    @Test
    void shouldWaitForABatchWithRoomAndCountTheFragmentWhenNoneCameWithinTheHold() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            IntConsumer blue = fromVpc(nat.in2out, BLUE_VRF);
            int capacity = nat.in2out.batch().capacity();
            nat.fromVpc(BLUE_VRF, later(VM, SERVER, 0x7676, 16));
            nat.fromVpc(BLUE_VRF, later(VM, SERVER, 0x7777, 16));
            // A full batch carrying both first fragments: no slot to send the held ones in.
            List<byte[]> full = new ArrayList<>();
            full.add(first(VM, SERVER, 0x7676, 5000, 53));
            full.add(first(VM, SERVER, 0x7777, 5000, 53));
            while (full.size() < capacity) {
                full.add(udp(VM, 5000, SERVER, 53));
            }
            nat.in2out.runAll(full, blue);
            assertEquals(0, nat.in2out.generated().size());

            // The next batch with room sends one on; the other's hold ends before a batch with room.
            List<byte[]> almostFull = new ArrayList<>(full.subList(2, capacity));
            almostFull.add(udp(VM, 5000, SERVER, 53));
            nat.in2out.runAll(almostFull, blue);
            assertEquals(1, nat.in2out.generated().size(), "one slot free: one released");
            assertEquals(0x7676, identification(nat.in2out.generated().get(0).packet()), "the older first");
            nat.clock(nat.nowNs() + HeldFragments.HOLD_NS);
            nat.in2out.runAll(full.subList(0, capacity), blue); // full again when the hold ends
            assertEquals(0, nat.in2out.generated().size());
            assertEquals(1, nat.in2out.counter("nat44-in2out.fragments-released"));
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.fragment-release-no-room"));
            assertEquals(0, nat.in2out.counter("nat44-in2out.drop.fragment-hold-expired"));
        }
    }

    @Test
    void shouldReleaseAFragmentWhoseFirstComesInTheBatchItsHoldEndsIn() {
        // Releases come before expiry at the end of a batch: the first fragment arrived in time,
        // so the later one leaves with it rather than being counted as expired or refused room.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            IntConsumer blue = fromVpc(nat.in2out, BLUE_VRF);
            nat.fromVpc(BLUE_VRF, later(VM, SERVER, 0x7878, 16));
            nat.clock(nat.nowNs() + HeldFragments.HOLD_NS);
            nat.in2out.runAll(List.of(first(VM, SERVER, 0x7878, 5000, 53)), blue);
            assertEquals(1, nat.in2out.generated().size());
            assertEquals(0x7878, identification(nat.in2out.generated().get(0).packet()));
            assertEquals(1, nat.in2out.counter("nat44-in2out.fragments-released"));
            assertEquals(0, nat.in2out.counter("nat44-in2out.drop.fragment-release-no-room"));
            assertEquals(0, nat.in2out.counter("nat44-in2out.drop.fragment-hold-expired"));
        }
    }
}
