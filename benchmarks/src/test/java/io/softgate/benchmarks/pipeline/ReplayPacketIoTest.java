package io.softgate.benchmarks.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import org.junit.jupiter.api.Test;

class ReplayPacketIoTest {
    private final FrameMemory memory = new FrameMemory(8);
    private final FramePool pool = new FramePool(memory);
    private final PacketBatch batch = new PacketBatch(memory, 4);

    @Test
    void shouldWriteEachFlowHeaderInTurnAndWrapAround() {
        byte[] headers = {1, 1, 2, 2, 3, 3};
        ReplayPacketIo io = new ReplayPacketIo("test", memory, headers, 2, 10);

        assertEquals(4, io.receive(batch, 0, pool));

        int[] expectedFirstByte = {1, 2, 3, 1};
        for (int slot = 0; slot < 4; slot++) {
            assertEquals(expectedFirstByte[slot], memory.buffer().getByte(batch.offset[slot]));
            assertEquals(10, batch.length[slot]);
        }
    }

    @Test
    void shouldReturnTransmittedFramesToThePoolAndCountThem() {
        ReplayPacketIo io = new ReplayPacketIo("test", memory, new byte[] {1, 2}, 2, 10);
        io.receive(batch, 0, pool);
        StageVector slots = new StageVector(4);
        for (int slot = 0; slot < batch.size(); slot++) {
            slots.add(slot);
        }

        assertEquals(4, io.transmit(batch, slots, pool));

        assertEquals(8, pool.available());
        assertEquals(4, io.transmittedPackets());
        assertEquals(40, io.transmittedBytes());
    }

    @Test
    void shouldStopReceivingWhenThePoolIsEmpty() {
        FramePool small = new FramePool(memory, 0, 2);
        ReplayPacketIo io = new ReplayPacketIo("test", memory, new byte[] {1, 2}, 2, 10);

        assertEquals(2, io.receive(batch, 0, small));
    }
}
