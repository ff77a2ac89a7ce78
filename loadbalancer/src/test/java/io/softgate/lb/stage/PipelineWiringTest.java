package io.softgate.lb.stage;

import static io.softgate.lb.stage.LbFixtures.CLIENT;
import static io.softgate.lb.stage.LbFixtures.VIP;
import static io.softgate.lb.stage.LbFixtures.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.pipeline.Stage;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.TestVrfs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The factories plug into a real per-worker {@link Pipeline}, with every counter registered. */
class PipelineWiringTest {
    @Test
    void shouldRegisterEveryDropAndEventCounterOfBothStagesInAPipeline() {
        LoadBalancerStages stages = new LoadBalancerStages(1024);
        FrameMemory memory = new FrameMemory(8);
        PacketBatch batch = new PacketBatch(memory, 4);
        Pipeline pipeline = new Pipeline(PipelineDefinition.builder()
            .stage(stages.vipStage(ReplyStage.NAME)).stage(stages.replyStage(Stage.TRANSMIT)).entry(VipStage.NAME).build(),
            0, batch, new FramePool(memory), new CounterLayout());
        List<String> names = pipeline.counters().layout().names();
        for (VipDropReason reason : VipDropReason.values()) {
            assertTrue(names.contains("lb-vip.drop." + reason.label()), reason.label());
        }
        for (ReplyDropReason reason : ReplyDropReason.values()) {
            assertTrue(names.contains("lb-reply.drop." + reason.label()), reason.label());
        }
        assertTrue(names.containsAll(List.of("lb-vip.connections-created", "lb-vip.connections-moved",
            "lb-vip.icmp-errors-translated", "lb-reply.replies-translated", "lb-reply.icmp-errors-translated",
            "lb-reply.not-from-backend")));
    }

    @Test
    void shouldTranslateAVipPacketWhenRunAsPartOfAPipeline() {
        LoadBalancerStages stages = new LoadBalancerStages(1024);
        FrameMemory memory = new FrameMemory(8);
        FramePool pool = new FramePool(memory);
        PacketBatch batch = new PacketBatch(memory, 4);
        Pipeline pipeline = new Pipeline(PipelineDefinition.builder().stage(stages.vipStage(Stage.TRANSMIT)).entry(VipStage.NAME).build(),
            0, batch, pool, new CounterLayout());
        byte[] packet = frame().ipv4(CLIENT, VIP).tcp(40000, 80).build();
        int frameIndex = pool.allocate();
        memory.buffer().putBytes(memory.packetStart(frameIndex), packet);
        int slot = batch.add(frameIndex, memory.packetStart(frameIndex), packet.length, 0);
        LbFixtures.preset(batch, slot, TestVrfs.PUBLIC, 0);
        pipeline.run(batch, LbFixtures.snapshot(LbFixtures.compile(new LoadBalancerCompiler(new TestVrfs()),
            LbFixtures.referenceConfig(), BackendHealth.ALL_HEALTHY)), 1L);
        assertEquals(1, pipeline.transmitVector().size());
        assertEquals(TestVrfs.BLUE, batch.vrf[slot]);
        assertEquals(1, stages.tracker().entries() / 2);
    }
}
