package io.softgate.evpn.forwarding.stage;

import static io.softgate.evpn.forwarding.ForwardingFixture.*;
import static io.softgate.evpn.forwarding.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.testkit.AllocationProbe;
import io.softgate.evpn.forwarding.ForwardingFixture;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Steady state allocates nothing: each stage (and the whole graph) runs many warm batches that
 * mix forwarded packets, drops and ICMP errors, with the frames restored in place between runs.
 */
class SteadyStateAllocationTest {
    private static final int WARM_RUNS = 20_000;
    private static final int MEASURED_RUNS = 2_000;

    private static byte[][] vxlanFrames() {
        return new byte[][] {
            fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").udp(1000, 2000).payload(22).build()),
            fromHv1(TENANT_A_VNI, innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").tcp(1, 2).build()),
            fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").ttl(1).udp(1, 2).build()),
            fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.7.7").udp(1, 2).build()),
            fromHv1(TENANT_A_VNI, innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").hopLimit(1).udp(1, 2)
                .build()),
            fromHv1(9999, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").udp(1, 2).build()),
            PacketBuilder.ethernet(1, 2).etherType(0x0806).payload(28).build(),
        };
    }

    private static byte[][] innerPackets() {
        return new byte[][] {
            ip(innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").udp(1000, 2000).payload(22)),
            ip(innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").tcp(1, 2)),
            ip(innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").ttl(1).udp(1, 2)),
            ip(innerFromHv1().ipv4("10.0.1.10", "10.0.7.7").udp(1, 2)),
            ip(innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").hopLimit(1).udp(1, 2)),
            ip(innerFromHv1().ipv4("10.0.1.10", "10.0.9.9").udp(1, 2)),
        };
    }

    /** Restores {@code packets} into the harness's frames and slots, then runs the stage once. */
    private static Runnable steadyRun(StageHarness harness, byte[][] packets, boolean decapsulated, int adjacency) {
        PacketBatch batch = harness.batch();
        int[] frames = new int[packets.length];
        for (int i = 0; i < packets.length; i++) {
            frames[i] = harness.pool().allocate();
        }
        UnsafeBuffer buffer = batch.buffer();
        return () -> {
            batch.clear();
            for (int i = 0; i < packets.length; i++) {
                int start = batch.memory().packetStart(frames[i]);
                buffer.putBytes(start, packets[i]);
                int slot = batch.add(frames[i], start, packets[i].length, 0);
                if (decapsulated) {
                    VrfRouteStageTest.presetDecapsulated(batch, slot, packets[i], 0);
                    batch.adjacency[slot] = adjacency;
                }
            }
            harness.processLoaded();
        };
    }

    private static long bytesPerRun(Runnable run) {
        return AllocationProbe.bytesPerRun(run, WARM_RUNS, MEASURED_RUNS);
    }

    @Test
    void shouldAllocateNothingPerBatchInVxlanDecap() {
        StageHarness harness = new StageHarness(new VxlanDecapStage(VrfRouteStage.NAME), ForwardingFixture.snapshot());

        assertEquals(0, bytesPerRun(steadyRun(harness, vxlanFrames(), false, 0)));
    }

    @Test
    void shouldAllocateNothingPerBatchInVrfRouteIncludingIcmpErrors() {
        StageHarness harness = new StageHarness(new VrfRouteStage(), ForwardingFixture.snapshot());

        assertEquals(0, bytesPerRun(steadyRun(harness, innerPackets(), true, 0)));
        // The ICMP path really ran (and was rate limited) during the measurement.
        assertTrue(harness.counter("vrf-route.icmp-rate-limited") > 0);
    }

    @Test
    void shouldAllocateNothingPerBatchInVxlanEncap() {
        StageHarness harness = new StageHarness(new VxlanEncapStage(), ForwardingFixture.snapshot());

        assertEquals(0, bytesPerRun(steadyRun(harness, innerPackets(), true, 1)));
    }

    @Test
    void shouldAllocateNothingPerBatchThroughTheWholeGraph() {
        FrameMemory memory = new FrameMemory(64);
        FramePool pool = new FramePool(memory);
        PacketBatch batch = new PacketBatch(memory, 32);
        Pipeline pipeline = new Pipeline(ForwardingPipeline.definition(), 0, batch, pool, new CounterLayout());
        ConfigSnapshot snapshot = ForwardingFixture.snapshot();
        byte[][] frames = vxlanFrames();
        List<Integer> owned = new ArrayList<>();
        for (int i = 0; i < frames.length; i++) {
            owned.add(pool.allocate());
        }
        int[] frameIndex = owned.stream().mapToInt(Integer::intValue).toArray();
        UnsafeBuffer buffer = memory.buffer();
        Runnable run = () -> {
            batch.clear();
            for (int i = 0; i < frames.length; i++) {
                int start = memory.packetStart(frameIndex[i]);
                buffer.putBytes(start, frames[i]);
                batch.add(frameIndex[i], start, frames[i].length, 0);
            }
            pipeline.run(batch, snapshot, 0);
        };

        assertEquals(0, bytesPerRun(run));
        // Forwarded v4 and v6, and the time-exceeded error while the ICMP budget lasted.
        assertTrue(pipeline.transmitVector().size() >= 2);
    }
}
