package io.softgate.lb.stage;

import static io.softgate.lb.stage.LbFixtures.CLIENT;
import static io.softgate.lb.stage.LbFixtures.VIP;
import static io.softgate.lb.stage.LbFixtures.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.testkit.AllocationProbe;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.TestVrfs;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Steady state allocates nothing: a batch of 32 packets through each stage, measured per batch. */
class StageAllocationTest {
    private static final int BATCH = 32;
    private final ConnectionTracker tracker = new ConnectionTracker(1 << 16);
    private final ConfigSnapshot snapshot = LbFixtures.snapshot(
        LbFixtures.compile(new LoadBalancerCompiler(new TestVrfs()), LbFixtures.referenceConfig(), BackendHealth.ALL_HEALTHY));

    /** Loads {@code packets} once; each run restores their bytes and metadata, then runs the stage. */
    private static Runnable batchRunner(StageHarness harness, List<byte[]> packets, int vrf, int flags, boolean newPortEachRun) {
        harness.load(packets, slot -> LbFixtures.preset(harness.batch(), slot, vrf, flags));
        PacketBatch batch = harness.batch();
        int[] run = new int[1];
        return () -> {
            run[0]++;
            for (int slot = 0; slot < packets.size(); slot++) {
                batch.buffer().putBytes(batch.offset[slot], packets.get(slot));
                if (newPortEachRun) {
                    int l4 = batch.offset[slot] + LbFixtures.ETHERNET + 20;
                    batch.buffer().putShort(l4, (short) (1024 + (run[0] * BATCH + slot) % 60_000), ByteOrder.BIG_ENDIAN);
                }
                LbFixtures.preset(batch, slot, vrf, flags);
            }
            harness.processLoaded();
        };
    }

    private static List<byte[]> clientPackets() {
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            packets.add(frame().ipv4(CLIENT, VIP).tcp(40_000 + i, 80).payload(10).build());
        }
        return packets;
    }

    private StageHarness harness(Stage stage) {
        StageHarness harness = new StageHarness(stage, snapshot, BATCH);
        harness.nowNs(1_000_000_000L);
        return harness;
    }

    @Test
    void shouldAllocateNothingForPacketsOfEstablishedConnectionsInLbVip() {
        StageHarness vip = harness(new VipStage(tracker, "next"));
        long bytes = AllocationProbe.bytesPerRun(batchRunner(vip, clientPackets(), TestVrfs.PUBLIC, PacketFlags.FROM_OUTSIDE, false),
            20_000, 2_000);
        assertEquals(0, bytes);
        assertEquals(BATCH, vip.counter("lb-vip.connections-created"));
    }

    @Test
    void shouldAllocateNothingForNewConnectionsInLbVip() {
        StageHarness vip = harness(new VipStage(tracker, "next"));
        long bytes = AllocationProbe.bytesPerRun(batchRunner(vip, clientPackets(), TestVrfs.PUBLIC, PacketFlags.FROM_OUTSIDE, true),
            200, 500);
        assertEquals(0, bytes);
    }

    @Test
    void shouldAllocateNothingForBackendRepliesInLbReply() {
        StageHarness vip = harness(new VipStage(tracker, "next"));
        vip.runAll(clientPackets(), LbFixtures.fromOutside(vip.batch()));
        List<byte[]> replies = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            replies.add(frame().ipv4(LbFixtures.WEB_BACKEND, CLIENT).tcp(8080, 40_000 + i).payload(10).build());
        }
        StageHarness reply = harness(new ReplyStage(tracker, "next"));
        long bytes = AllocationProbe.bytesPerRun(batchRunner(reply, replies, TestVrfs.BLUE, 0, false), 20_000, 2_000);
        assertEquals(0, bytes);
        assertEquals(BATCH * 22_000L, reply.counter("lb-reply.replies-translated"));
    }

    @Test
    void shouldAllocateNothingForOutboundTrafficOfNoBackendInLbReply() {
        List<byte[]> outbound = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            outbound.add(frame().ipv4("10.1.0.77", "93.184.216.34").tcp(50_000 + i, 443).payload(10).build());
        }
        StageHarness reply = harness(new ReplyStage(tracker, "next"));
        long bytes = AllocationProbe.bytesPerRun(batchRunner(reply, outbound, TestVrfs.BLUE, 0, false), 20_000, 2_000);
        assertEquals(0, bytes);
        assertEquals(BATCH * 22_000L, reply.counter("lb-reply.not-from-backend"));
    }
}
