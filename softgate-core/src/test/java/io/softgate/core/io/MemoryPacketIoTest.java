package io.softgate.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import org.agrona.concurrent.UnsafeBuffer;
import io.softgate.core.testkit.AllocationProbe;
import org.junit.jupiter.api.Test;

class MemoryPacketIoTest {
    private static final int BATCH = 32;
    private static final int MAX_FRAME_BYTES = 1500;

    private final FrameMemory memory = new FrameMemory(256);
    private final FramePool pool = new FramePool(memory);
    private final PacketBatch batch = new PacketBatch(memory, BATCH);
    private final StageVector all = new StageVector(BATCH);
    private final MemoryPacketIo io = new MemoryPacketIo("memory:0", pool, 64, 64, MAX_FRAME_BYTES);

    private static byte[] frame(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i);
        }
        return bytes;
    }

    @Test
    void shouldReceiveInjectedFrameIntoPoolFrameAfterHeadroom() {
        byte[] sent = frame(100, 7);
        io.inject(sent);

        assertEquals(1, io.receive(batch, 3, pool));

        int frameIndex = batch.frame[0];
        assertEquals(memory.packetStart(frameIndex), batch.offset[0]);
        assertEquals(3, batch.ingressPort[0]);
        byte[] received = new byte[batch.length[0]];
        batch.buffer().getBytes(batch.offset[0], received);
        assertArrayEquals(sent, received);
        assertEquals(255, pool.available());
    }

    @Test
    void shouldRejectAndCountInjectedFrameLargerThanMaximum() {
        assertFalse(io.inject(frame(MAX_FRAME_BYTES + 1, 0)));

        assertEquals(1, io.counters().drops(IoDropReason.RX_OVERSIZE));
        assertEquals(0, io.pendingReceive());
    }

    @Test
    void shouldCountQueueFullWhenInjectingBeyondRingCapacity() {
        for (int i = 0; i < 64; i++) {
            io.inject(frame(60, i));
        }
        assertFalse(io.inject(frame(60, 99)));
        assertEquals(1, io.counters().drops(IoDropReason.RX_QUEUE_FULL));
    }

    @Test
    void shouldLeaveFramesQueuedAndCountAWaitNotADropWhenPoolIsEmpty() {
        FramePool tiny = new FramePool(memory, 0, 1);
        io.inject(frame(60, 1));
        io.inject(frame(60, 2));

        assertEquals(1, io.receive(batch, 0, tiny));
        assertEquals(1, io.counters().receiveFrameWaits());
        assertEquals(0, io.counters().totalDrops(), "the second packet is still queued, not lost");
        assertEquals(1, io.pendingReceive());
    }

    @Test
    void shouldCopyTransmittedFrameOutAndReturnItsFrameToPool() {
        byte[] sent = frame(80, 3);
        io.inject(sent);
        io.receive(batch, 0, pool);
        all.add(0);

        assertEquals(1, io.transmit(batch, all, pool));

        assertEquals(256, pool.available());
        assertArrayEquals(sent, io.pollTransmitted());
        assertNull(io.pollTransmitted());
    }

    @Test
    void shouldCountOversizeTransmitAndReleaseItsFrame() {
        int frameIndex = pool.allocate();
        batch.add(frameIndex, memory.packetStart(frameIndex), MAX_FRAME_BYTES + 1, 0);
        all.add(0);

        assertEquals(0, io.transmit(batch, all, pool));

        assertEquals(1, io.counters().drops(IoDropReason.TX_OVERSIZE));
        assertEquals(256, pool.available());
        assertEquals(0, io.pendingTransmit());
    }

    @Test
    void shouldRefuseMaximumFrameLargerThanFrameRoom() {
        assertThrows(IllegalArgumentException.class,
            () -> new MemoryPacketIo("memory:0", pool, 8, 8, memory.frameSize()));
    }

    @Test
    void shouldAllocateNothingPerBatchInSteadyStateReceiveAndTransmit() {
        UnsafeBuffer source = new UnsafeBuffer(new byte[128]);
        UnsafeBuffer sink = new UnsafeBuffer(new byte[MAX_FRAME_BYTES]);

        // Per batch, rounded down: the probe's own readings may cost a few dozen bytes once.
        long bytesPerBatch = AllocationProbe.bytesPerRun(() -> roundTrip(source, sink), 20_000, 10_000);

        assertEquals(0, bytesPerBatch, "bytes allocated per receive+transmit batch");
        assertEquals(256, pool.available());
    }

    private void roundTrip(UnsafeBuffer source, UnsafeBuffer sink) {
        for (int i = 0; i < BATCH; i++) {
            io.inject(source, 0, 64 + i);
        }
        batch.clear();
        all.clear();
        int received = io.receive(batch, 0, pool);
        for (int slot = 0; slot < received; slot++) {
            all.add(slot);
        }
        io.transmit(batch, all, pool);
        while (io.pollTransmitted(sink, 0) >= 0) {
            // drain
        }
    }
}
