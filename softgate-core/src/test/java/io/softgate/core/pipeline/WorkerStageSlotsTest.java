package io.softgate.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.io.MemoryPacketIo;
import io.softgate.core.io.MemoryPacketIoBackend;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import org.junit.jupiter.api.Test;

/** A worker's batch keeps {@link Worker#STAGE_SLOTS} slots free of received packets for packets the stages make. */
class WorkerStageSlotsTest {
    private static final int BATCH_SIZE = 8;

    /** Forwards every packet and, once per batch, adds a packet of its own (as a held fragment's release does). */
    private static final class AddingStage extends WorkerLatencyTest.PassStage {
        int added;
        int refused;

        @Override
        public void process(PacketBatch batch, StageVector input, StageContext context) {
            super.process(batch, input, context);
            int frame = context.pool().allocate();
            if (batch.size() >= batch.capacity() || frame < 0) {
                refused++;
                if (frame >= 0) {
                    context.pool().release(frame);
                }
                return;
            }
            int slot = batch.add(frame, batch.memory().packetStart(frame), 60, 0);
            batch.egressPort[slot] = 0;
            context.forward(0, slot);
            added++;
        }
    }

    @Test
    void shouldReceiveAtMostTheBatchSizeSoAStageCanAddItsOwnPacketToAFullBatch() {
        FramePool pool = new FramePool(new FrameMemory(64));
        MemoryPacketIo io = new MemoryPacketIo("memory:0", pool, 64, 64, MemoryPacketIoBackend.DEFAULT_MAX_FRAME_BYTES);
        AddingStage stage = new AddingStage();
        Worker worker = new Worker(0, PipelineDefinition.builder().stage(id -> stage).entry("pass").build(),
            new PacketIo[] {io}, pool, BATCH_SIZE, new SnapshotPublisher(new WorkerEpochs(1)), NanoClock.SYSTEM);
        byte[] frame = new byte[60];
        for (int i = 0; i < 3 * BATCH_SIZE; i++) {
            io.inject(frame);
        }

        // Three batches, each filled by receive to the batch size, none to the batch's capacity.
        for (int batch = 0; batch < 3; batch++) {
            assertEquals(BATCH_SIZE, worker.doWork());
        }

        assertEquals(3, stage.added);
        assertEquals(0, stage.refused);
        int transmitted = 0;
        while (io.pollTransmitted() != null) {
            transmitted++;
        }
        assertEquals(3 * BATCH_SIZE + 3, transmitted);
    }

    @Test
    void shouldLeaveEverySlotToReceiveInABatchWithoutStageSlots() {
        FramePool pool = new FramePool(new FrameMemory(64));
        MemoryPacketIo io = new MemoryPacketIo("memory:0", pool, 64, 64, MemoryPacketIoBackend.DEFAULT_MAX_FRAME_BYTES);
        PacketBatch plain = new PacketBatch(pool.memory(), BATCH_SIZE);
        PacketBatch reserved = new PacketBatch(pool.memory(), BATCH_SIZE, Worker.STAGE_SLOTS);
        for (int i = 0; i < 4 * BATCH_SIZE; i++) {
            io.inject(new byte[60]);
        }

        assertEquals(BATCH_SIZE, io.receive(plain, 0, pool));
        assertEquals(BATCH_SIZE, io.receive(reserved, 0, pool));
        assertEquals(BATCH_SIZE, plain.capacity());
        assertEquals(BATCH_SIZE + Worker.STAGE_SLOTS, reserved.capacity());
        assertEquals(Worker.STAGE_SLOTS, reserved.stageSlots());
    }
}
