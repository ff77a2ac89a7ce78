package io.softgate.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import org.agrona.concurrent.EpochNanoClock;

/**
 * Any byte string given to {@link PcapReader} and {@link PcapPacketIo} either is refused with a
 * {@link PcapFormatException} or reads to an end with counted damage: no unchecked exception, no
 * frame lost from the pool. Runs its seeds in regression mode under {@code mvn test}; fuzz with
 * {@code JAZZER_FUZZ=1}.
 */
class PcapReaderFuzzTest {
    private static final EpochNanoClock FIXED_CLOCK = () -> 0L;

    private final FrameMemory memory = new FrameMemory(64);
    private final FramePool pool = new FramePool(memory);
    private final PacketBatch batch = new PacketBatch(memory, 16);

    @FuzzTest(maxDuration = "30s")
    void shouldReadAnyBytesWithoutUncheckedExceptionOrLostFrames(byte[] capture) throws IOException {
        PcapReader reader;
        try {
            reader = new PcapReader(Channels.newChannel(new ByteArrayInputStream(capture)), false);
        } catch (PcapFormatException refused) {
            return;
        }
        if (reader.linkType() != PcapFormat.LINKTYPE_ETHERNET) {
            reader.close();
            return;
        }
        PcapPacketIo io = new PcapPacketIo("pcap:fuzz", reader, null, 1500, FIXED_CLOCK, 0, 1);
        long received = 0;
        // Every record is at least 16 bytes, so the input cannot hold more records than this.
        for (int round = 0; round <= capture.length / 16 + 1 && !io.isInputExhausted(); round++) {
            batch.clear();
            int count = io.receive(batch, 0, pool);
            for (int slot = 0; slot < count; slot++) {
                assertTrue(batch.length[slot] >= 0 && batch.length[slot] <= 1500);
                pool.release(batch.frame[slot]);
            }
            received += count;
        }
        io.close();
        assertTrue(io.isInputExhausted());
        assertEquals(received, io.counters().receivedPackets());
        assertEquals(64, pool.available());
    }
}
