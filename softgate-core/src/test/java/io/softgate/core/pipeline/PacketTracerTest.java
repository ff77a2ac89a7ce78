package io.softgate.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.testkit.AllocationProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Packet trace at the pipeline level: a fake "decap" stage sets the VNI from the packet's first
 * byte; "judge" drops packets whose second byte is odd and decides (rule) = the second byte; the
 * rest are transmitted.
 */
class PacketTracerTest {
    enum JudgeDrop implements DropReason {
        ODD("odd");

        private final String label;

        JudgeDrop(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }
    }

    static final class DecapStage implements Stage {
        @Override
        public String name() {
            return "decap";
        }

        @Override
        public List<String> nextStages() {
            return List.of("judge");
        }

        @Override
        public DropReason[] dropReasons() {
            return new DropReason[0];
        }

        @Override
        public void process(PacketBatch batch, StageVector input, StageContext context) {
            for (int i = 0; i < input.size(); i++) {
                int slot = input.slot(i);
                batch.vni[slot] = batch.buffer().getByte(batch.offset[slot]);
                batch.vrf[slot] = 3;
                context.forward(0, slot);
            }
        }
    }

    static final class JudgeStage implements Stage {
        @Override
        public String name() {
            return "judge";
        }

        @Override
        public List<String> nextStages() {
            return List.of(Stage.TRANSMIT);
        }

        @Override
        public DropReason[] dropReasons() {
            return JudgeDrop.values();
        }

        @Override
        public void process(PacketBatch batch, StageVector input, StageContext context) {
            for (int i = 0; i < input.size(); i++) {
                int slot = input.slot(i);
                int rule = batch.buffer().getByte(batch.offset[slot] + 1);
                if (rule == 6) {
                    context.decide(slot, rule, 600); // a two-word decision
                } else {
                    context.decide(slot, rule);
                }
                if (rule % 2 != 0) {
                    context.drop(slot, JudgeDrop.ODD);
                } else {
                    batch.egressPort[slot] = 0;
                    context.forward(0, slot);
                }
            }
        }
    }

    private final ConfigSnapshot snapshot = ConfigSnapshot.empty();
    private final FrameMemory memory = new FrameMemory(64);
    private final PacketBatch batch = new PacketBatch(memory, 16);
    private final Pipeline pipeline = new Pipeline(PipelineDefinition.builder().stage(w -> new DecapStage())
        .stage(w -> new JudgeStage()).entry("decap").build(), 0, batch, new FramePool(memory), new CounterLayout());

    /** One batch of packets, each {vni, rule}. */
    private void runBatch(int[][] packets) {
        batch.clear();
        for (int i = 0; i < packets.length; i++) {
            int start = memory.packetStart(i);
            memory.buffer().putByte(start, (byte) packets[i][0]);
            memory.buffer().putByte(start + 1, (byte) packets[i][1]);
            batch.add(i, start, 2, 0);
        }
        pipeline.run(batch, snapshot, 0);
    }

    private static TraceFilter vni(int vni) {
        return new TraceFilter(vni, TraceFilter.ANY, 0, 0, 0, 0, TraceFilter.ANY, TraceFilter.ANY, TraceFilter.ANY);
    }

    @Test
    void shouldRecordTheStagesVerdictsAndDecisionsOfTheMatchingPacketsOnly() {
        TraceSession session = new TraceSession(1, vni(7), 2);
        pipeline.tracer().arm(session);
        runBatch(new int[][] {{5, 2}, {7, 4}, {7, 9}, {7, 6}});

        List<PacketTracer.Step> steps = pipeline.tracer().steps(1);
        int decap = pipeline.stageNames().indexOf("decap");
        int judge = pipeline.stageNames().indexOf("judge");
        assertEquals(List.of(
            new PacketTracer.Step(1, 0, PacketTracer.MATCHED, 7, PacketTracer.NO_DECISION, 3),
            new PacketTracer.Step(1, 1, PacketTracer.MATCHED, 7, PacketTracer.NO_DECISION, 3),
            new PacketTracer.Step(1, 0, decap, 0, PacketTracer.NO_DECISION, 3),
            new PacketTracer.Step(1, 1, decap, 0, PacketTracer.NO_DECISION, 3),
            new PacketTracer.Step(1, 0, judge, 0, 4, 3),
            new PacketTracer.Step(1, 1, judge, PacketTracer.Step.dropOutcome(JudgeDrop.ODD.ordinal()), 9, 3)), steps,
            "VNI 5 and the third VNI-7 packet are not traced (count 2)");
        assertTrue(session.complete());
        assertEquals(List.of(List.of("judge"), List.of(Stage.TRANSMIT)), pipeline.nextStageNames());
        assertEquals(List.of("odd"), pipeline.dropReasonLabels().get(judge));
    }

    @Test
    void shouldRecordTheSecondWordOfATwoWordDecision() {
        pipeline.tracer().arm(new TraceSession(2, vni(7), 2));
        runBatch(new int[][] {{7, 6}, {7, 4}});

        int judge = pipeline.stageNames().indexOf("judge");
        List<PacketTracer.Step> judged = pipeline.tracer().steps(2).stream().filter(step -> step.stage() == judge)
            .toList();
        assertEquals(List.of(new PacketTracer.Step(2, 0, judge, 0, 6, 3, 600), new PacketTracer.Step(2, 1, judge, 0, 4, 3)),
            judged, "the one-word decision of the second packet has no detail");
    }

    @Test
    void shouldLeaveThePipelineAsItWasWithoutATrace() {
        runBatch(new int[][] {{7, 2}, {7, 3}});
        assertEquals(1, pipeline.transmitVector().size());
        assertEquals(1, pipeline.dropVector().size());
        assertEquals(List.of(), pipeline.tracer().steps(1));
    }

    @Test
    void shouldAllocateNothingWhileATraceIsArmedOrNot() {
        int[][] packets = {{7, 2}, {7, 3}, {5, 4}, {7, 8}};
        Runnable oneBatch = () -> runBatch(packets);
        assertEquals(0, AllocationProbe.bytesPerRun(oneBatch, 20_000, 10_000), "no trace armed");
        pipeline.tracer().arm(new TraceSession(2, vni(7), Integer.MAX_VALUE));
        assertEquals(0, AllocationProbe.bytesPerRun(oneBatch, 20_000, 10_000), "trace armed, matching and recording");
    }
}
