package io.softgate.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.testkit.AllocationProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineTest {

    /** Sends packets whose first byte is even to {@code even}, odd to {@code odd}, zero-length ones to drop. */
    static final class ParityStage implements Stage {
        enum Drop implements DropReason {
            EMPTY("empty");

            private final String label;

            Drop(String label) {
                this.label = label;
            }

            @Override
            public String label() {
                return label;
            }
        }

        private final String name;
        private final List<String> next;

        ParityStage(String name, String even, String odd) {
            this.name = name;
            this.next = List.of(even, odd);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<String> nextStages() {
            return next;
        }

        @Override
        public DropReason[] dropReasons() {
            return Drop.values();
        }

        @Override
        public void process(PacketBatch batch, StageVector input, StageContext context) {
            for (int i = 0; i < input.size(); i++) {
                int slot = input.slot(i);
                if (batch.length[slot] == 0) {
                    context.drop(slot, Drop.EMPTY);
                } else {
                    int first = batch.buffer().getByte(batch.offset[slot]);
                    batch.egressPort[slot] = 0;
                    context.forward(first % 2 == 0 ? 0 : 1, slot);
                }
            }
        }
    }

    private static Pipeline pipeline(PipelineDefinition definition, PacketBatch batch) {
        return new Pipeline(definition, 0, batch, new FramePool(batch.memory()), new CounterLayout());
    }

    @Test
    void shouldRouteEveryPacketToExactlyOneTerminal() {
        PipelineDefinition definition = PipelineDefinition.builder()
            .stage(w -> new ParityStage("first", Stage.TRANSMIT, "second"))
            .stage(w -> new ParityStage("second", Stage.TRANSMIT, Stage.DROP))
            .entry("first").build();
        FrameMemory memory = new FrameMemory(16);
        PacketBatch batch = new PacketBatch(memory, 8);
        Pipeline pipeline = pipeline(definition, batch);
        int[] firstBytes = {2, 3, 5, 8};
        for (int i = 0; i < firstBytes.length; i++) {
            int start = memory.packetStart(i);
            memory.buffer().putByte(start, (byte) firstBytes[i]);
            batch.add(i, start, 1, 0);
        }
        batch.add(4, memory.packetStart(4), 0, 0);

        pipeline.run(batch, ConfigSnapshot.empty(), 0);

        // 2 and 8 are even (transmit at "first"); 3 and 5 go to "second", where odd means DROP.
        assertEquals(2, pipeline.transmitVector().size());
        assertEquals(3, pipeline.dropVector().size());
        assertEquals(1, pipeline.counters().get(pipeline.counters().layout().id("first.drop.empty")));
        assertEquals(List.of("first", "second"), pipeline.stageNames());
    }

    @Test
    void shouldCountADropWithoutASlotUnderTheStagesReasonAndReleaseNothing() {
        PipelineDefinition definition = PipelineDefinition.builder()
            .stage(w -> new Stage() {
                @Override
                public String name() {
                    return "first";
                }

                @Override
                public List<String> nextStages() {
                    return List.of(Stage.TRANSMIT);
                }

                @Override
                public DropReason[] dropReasons() {
                    return ParityStage.Drop.values();
                }

                @Override
                public void process(PacketBatch batch, StageVector input, StageContext context) {
                    for (int i = 0; i < input.size(); i++) {
                        context.forward(0, input.slot(i));
                    }
                    context.countDrop(ParityStage.Drop.EMPTY); // e.g. a packet the stage held past its batch
                }
            })
            .entry("first").build();
        FrameMemory memory = new FrameMemory(4);
        PacketBatch batch = new PacketBatch(memory, 4);
        Pipeline pipeline = pipeline(definition, batch);
        batch.add(0, memory.packetStart(0), 1, 0);

        pipeline.run(batch, ConfigSnapshot.empty(), 0);

        assertEquals(1, pipeline.counters().get(pipeline.counters().layout().id("first.drop.empty")));
        assertEquals(0, pipeline.dropVector().size(), "no slot was dropped");
        assertEquals(1, pipeline.transmitVector().size());
    }

    @Test
    void shouldRejectGraphWithCycle() {
        PipelineDefinition definition = PipelineDefinition.builder()
            .stage(w -> new ParityStage("a", "b", Stage.DROP))
            .stage(w -> new ParityStage("b", "a", Stage.DROP))
            .entry("a").build();
        PacketBatch batch = new PacketBatch(new FrameMemory(4), 4);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> pipeline(definition, batch));
        assertTrue(error.getMessage().contains("cycle"));
    }

    @Test
    void shouldRejectUnknownNextStageByName() {
        PipelineDefinition definition = PipelineDefinition.builder()
            .stage(w -> new ParityStage("a", "missing", Stage.DROP)).entry("a").build();
        PacketBatch batch = new PacketBatch(new FrameMemory(4), 4);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> pipeline(definition, batch));
        assertTrue(error.getMessage().contains("missing"));
    }

    @Test
    void shouldRejectDuplicateStageNames() {
        PipelineDefinition definition = PipelineDefinition.builder()
            .stage(w -> new ParityStage("a", Stage.TRANSMIT, Stage.DROP))
            .stage(w -> new ParityStage("a", Stage.TRANSMIT, Stage.DROP)).entry("a").build();
        PacketBatch batch = new PacketBatch(new FrameMemory(4), 4);
        assertThrows(IllegalArgumentException.class, () -> pipeline(definition, batch));
    }

    @Test
    void shouldAllocateNothingPerBatchInSteadyState() {
        PipelineDefinition definition = PipelineDefinition.builder()
            .stage(w -> new ParityStage("first", Stage.TRANSMIT, "second"))
            .stage(w -> new ParityStage("second", Stage.TRANSMIT, Stage.DROP))
            .entry("first").build();
        FrameMemory memory = new FrameMemory(64);
        PacketBatch batch = new PacketBatch(memory, 32);
        Pipeline pipeline = pipeline(definition, batch);
        ConfigSnapshot snapshot = ConfigSnapshot.empty();
        Runnable oneBatch = () -> {
            batch.clear();
            for (int i = 0; i < 32; i++) {
                int start = memory.packetStart(i);
                memory.buffer().putByte(start, (byte) i);
                batch.add(i, start, i % 5, 0);
            }
            pipeline.run(batch, snapshot, 0);
        };
        assertEquals(0, AllocationProbe.bytesPerRun(oneBatch, 20_000, 10_000));
    }
}
