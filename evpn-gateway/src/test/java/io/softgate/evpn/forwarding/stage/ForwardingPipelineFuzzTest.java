package io.softgate.evpn.forwarding.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.Checksums;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.StageVector;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.ForwardingFixture;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Arbitrary bytes as received frames through decap -> route -> encap: nothing may throw, every
 * frame is transmitted or dropped exactly once, and what is transmitted stays inside its frame
 * and carries a valid outer IPv4 checksum. Regression mode (plain {@code mvn test}) replays the
 * checked-in inputs (valid VXLAN frames to mutate from); {@code JAZZER_FUZZ=1} fuzzes.
 */
class ForwardingPipelineFuzzTest {
    private static final FrameMemory MEMORY = new FrameMemory(4);
    private static final FramePool POOL = new FramePool(MEMORY);
    private static final PacketBatch BATCH = new PacketBatch(MEMORY, 1);
    private static final Pipeline PIPELINE =
        new Pipeline(ForwardingPipeline.definition(), 0, BATCH, POOL, new CounterLayout());
    private static final ConfigSnapshot SNAPSHOT = ForwardingFixture.snapshot();

    @FuzzTest(maxDuration = "30s")
    void shouldForwardOrDropEveryFrame(FuzzedDataProvider data) {
        byte[] bytes = data.consumeRemainingAsBytes();
        UnsafeBuffer buffer = MEMORY.buffer();
        int frame = POOL.allocate();
        int start = MEMORY.packetStart(frame);
        int length = Math.min(bytes.length, MEMORY.frameEnd(frame) - start);
        buffer.setMemory(MEMORY.frameOffset(frame), MEMORY.frameSize(), (byte) 0);
        buffer.putBytes(start, bytes, 0, length);
        BATCH.clear();
        int slot = BATCH.add(frame, start, length, 0);

        PIPELINE.run(BATCH, SNAPSHOT, 0);

        StageVector transmitted = PIPELINE.transmitVector();
        assertEquals(1, transmitted.size() + PIPELINE.dropVector().size());
        if (transmitted.size() == 1) {
            int offset = BATCH.offset[slot];
            assertTrue(offset >= MEMORY.frameOffset(frame));
            assertTrue(offset + BATCH.length[slot] <= MEMORY.frameEnd(frame));
            assertEquals(0xFFFF, Checksums.fold(Checksums.sum(buffer, offset + 14, 20)));
        }
        POOL.release(frame);
    }
}
