package io.softgate.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.core.testkit.AllocationProbe;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapPacketIoTest {
    private static final Endpoints ENDPOINTS =
        new Endpoints(0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, 0x0A000001, 0x0A000002, 4789, 4789);

    @TempDir
    Path directory;

    private final FrameMemory memory = new FrameMemory(256);
    private final FramePool pool = new FramePool(memory);
    private final PacketBatch batch = new PacketBatch(memory, 32);

    private Path capture(int records) throws IOException {
        PcapFiles files = PcapFiles.littleEndianMicroseconds();
        for (int i = 0; i < records; i++) {
            files.record(i, 0, ConformanceFrames.inbound(ENDPOINTS, i, 100));
        }
        Path file = directory.resolve("in-" + records + ".pcap");
        Files.write(file, files.toBytes());
        return file;
    }

    private int drain(PacketIo io) {
        int total = 0;
        for (int round = 0; round < 1000; round++) {
            batch.clear();
            int received = io.receive(batch, 0, pool);
            for (int slot = 0; slot < received; slot++) {
                pool.release(batch.frame[slot]);
            }
            total += received;
            if (received == 0) {
                break;
            }
        }
        return total;
    }

    /** A capture of two 100-byte records whose last one the file cuts 30 bytes short. */
    private Path twoRecordsTheLastCutShort(String name) throws IOException {
        PcapFiles files = PcapFiles.littleEndianMicroseconds().record(1, 0, ConformanceFrames.inbound(ENDPOINTS, 1, 100))
            .record(2, 0, ConformanceFrames.inbound(ENDPOINTS, 2, 100));
        Path file = directory.resolve(name);
        Files.write(file, files.truncated(files.toBytes().length - 30));
        return file;
    }

    @Test
    void shouldCountTruncatedLastRecordAndReportInputExhausted() throws IOException {
        Path file = twoRecordsTheLastCutShort("truncated.pcap");
        try (PcapPacketIoBackend backend = new PcapPacketIoBackend(file, null, 1500)) {
            PcapPacketIo io = (PcapPacketIo) backend.open(0, 1, pool);

            assertEquals(1, drain(io));
            assertTrue(io.isInputExhausted());
            assertEquals(1, io.counters().drops(IoDropReason.RX_TRUNCATED_RECORD));
            assertEquals(256, pool.available());
        }
    }

    @Test
    void shouldCountATruncatedRecordOnceWhateverTheNumberOfWorkersReadingTheCapture() throws IOException {
        Path file = twoRecordsTheLastCutShort("truncated-two-workers.pcap");
        try (PcapPacketIoBackend backend = new PcapPacketIoBackend(file, null, 1500)) {
            PcapPacketIo first = (PcapPacketIo) backend.open(0, 2, pool);
            PcapPacketIo second = (PcapPacketIo) backend.open(1, 2, pool);

            assertEquals(1, drain(first));
            assertEquals(0, drain(second));
            assertTrue(first.isInputExhausted() && second.isInputExhausted());
            // The damaged record is the second one: worker 1's, counted there only.
            assertEquals(0, first.counters().drops(IoDropReason.RX_TRUNCATED_RECORD));
            assertEquals(1, second.counters().drops(IoDropReason.RX_TRUNCATED_RECORD));
        }
    }

    /**
     * A channel that serves {@code bytes} and then fails every read, as a capture on a failing
     * disk would: the reader's window refill meets an {@link IOException} after the good records.
     */
    private static java.nio.channels.ReadableByteChannel failingAfter(byte[] bytes) {
        return new java.nio.channels.ReadableByteChannel() {
            private int position;

            @Override
            public int read(java.nio.ByteBuffer destination) throws IOException {
                if (position == bytes.length) {
                    throw new IOException("simulated read error");
                }
                int length = Math.min(destination.remaining(), bytes.length - position);
                destination.put(bytes, position, length);
                position += length;
                return length;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void shouldCountAReadErrorOnceWhateverTheNumberOfWorkersReadingTheCapture() throws IOException {
        byte[] bytes = PcapFiles.littleEndianMicroseconds().record(1, 0, ConformanceFrames.inbound(ENDPOINTS, 1, 100))
            .record(2, 0, ConformanceFrames.inbound(ENDPOINTS, 2, 100)).toBytes();
        PcapPacketIo first = new PcapPacketIo("pcap-0", new PcapReader(failingAfter(bytes), false), null, 1500,
            System::nanoTime, 0, 2);
        PcapPacketIo second = new PcapPacketIo("pcap-1", new PcapReader(failingAfter(bytes), false), null, 1500,
            System::nanoTime, 1, 2);

        assertEquals(1, drain(first));
        assertEquals(1, drain(second));
        assertTrue(first.isInputExhausted() && second.isInputExhausted());
        // Both queues meet the error at the third record's place, which falls to worker 0: one count per node.
        assertEquals(1, first.counters().drops(IoDropReason.RX_ERROR) + second.counters().drops(IoDropReason.RX_ERROR));
        assertEquals(1, first.counters().drops(IoDropReason.RX_ERROR));
        assertEquals(256, pool.available());
    }

    @Test
    void shouldCountMalformedRecordLength() throws IOException {
        byte[] bytes = PcapFiles.littleEndianMicroseconds().record(1, 0, ConformanceFrames.inbound(ENDPOINTS, 1, 100))
            .record(2, 0, 1 << 30, 100, new byte[100]).toBytes();
        Path file = directory.resolve("malformed.pcap");
        Files.write(file, bytes);
        try (PcapPacketIoBackend backend = new PcapPacketIoBackend(file, null, 1500)) {
            PcapPacketIo io = (PcapPacketIo) backend.open(0, 1, pool);

            assertEquals(1, drain(io));
            assertEquals(1, io.counters().drops(IoDropReason.RX_MALFORMED_RECORD));
            assertTrue(io.isInputExhausted());
        }
    }

    @Test
    void shouldRefuseCaptureThatIsNotEthernetNamingTheFile() throws IOException {
        Path file = directory.resolve("raw-ip.pcap");
        Files.write(file, new PcapFiles(ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 2, 101).toBytes());
        try (PcapPacketIoBackend backend = new PcapPacketIoBackend(file, null, 1500)) {
            PcapFormatException error = assertThrows(PcapFormatException.class, () -> backend.open(0, 1, pool));
            assertTrue(error.getMessage().contains(file.toString()) && error.getMessage().contains("link type 101"),
                error.getMessage());
        }
    }

    @Test
    void shouldRefuseFileThatIsNotPcapNamingTheFile() throws IOException {
        Path file = directory.resolve("text.pcap");
        Files.writeString(file, "this is not a capture at all, not even close");
        try (PcapPacketIoBackend backend = new PcapPacketIoBackend(file, null, 1500)) {
            PcapFormatException error = assertThrows(PcapFormatException.class, () -> backend.open(0, 1, pool));
            assertTrue(error.getMessage().startsWith(file.toString()), error.getMessage());
        }
    }

    @Test
    void shouldSplitRecordsRoundRobinOverWorkers() throws IOException {
        Path file = capture(10);
        try (PcapPacketIoBackend backend = new PcapPacketIoBackend(file, null, 1500)) {
            PacketIo worker1 = backend.open(1, 3, pool);
            batch.clear();
            int received = worker1.receive(batch, 0, pool);

            assertEquals(3, received);
            UnsafeBuffer frames = memory.buffer();
            for (int slot = 0; slot < received; slot++) {
                byte[] data = new byte[batch.length[slot]];
                frames.getBytes(batch.offset[slot], data);
                assertEquals(1 + slot * 3, ConformanceFrames.sequence(data));
                pool.release(batch.frame[slot]);
            }
        }
    }

    /** A channel that takes everything until told to fail, then refuses every write. */
    private static final class FailingChannel implements java.nio.channels.WritableByteChannel {
        boolean failing;

        @Override
        public int write(java.nio.ByteBuffer source) throws IOException {
            if (failing) {
                throw new IOException("disk full");
            }
            int taken = source.remaining();
            source.position(source.limit());
            return taken;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Sends {@code count} frames of {@code length} bytes through {@code io} in one transmit call. */
    private void transmitFrames(PacketIo io, int count, int length) {
        batch.clear();
        StageVector all = new StageVector(32);
        for (int i = 0; i < count; i++) {
            int frame = pool.allocate();
            int slot = batch.add(frame, memory.packetStart(frame), length, 0);
            all.add(slot);
        }
        io.transmit(batch, all, pool);
    }

    private void shouldCountOnlyRecordsWrittenAsTransmitted(int bufferBytes) {
        FailingChannel channel = new FailingChannel();
        PcapWriter writer = new PcapWriter(channel, 128, bufferBytes);
        PcapPacketIo io = new PcapPacketIo("pcap", null, writer, 1500, new org.agrona.concurrent.SystemEpochNanoClock(), 0, 1);
        transmitFrames(io, 10, 100);
        channel.failing = true;
        transmitFrames(io, 10, 100);

        assertEquals(10, io.counters().transmittedPackets());
        assertEquals(1000, io.counters().transmittedBytes());
        assertEquals(10, io.counters().drops(IoDropReason.TX_ERROR));
        assertEquals(256, pool.available());
    }

    @Test
    void shouldCountRecordsOfAFailedEndOfBatchFlushAsLostNotTransmitted() {
        shouldCountOnlyRecordsWrittenAsTransmitted(64 * 1024);
    }

    @Test
    void shouldCountRecordsOfFailedFlushesInsideABatchAsLostNotTransmitted() {
        // 116 bytes a record: write() flushes every few records, and each of those flushes fails.
        shouldCountOnlyRecordsWrittenAsTransmitted(400);
    }

    @Test
    void shouldNameOneOutputFilePerWorkerWhenThereAreSeveral() {
        Path output = Path.of("/tmp/out.pcap");
        assertEquals(output, PcapPacketIoBackend.outputFileFor(output, 0, 1));
        assertEquals(Path.of("/tmp/out.w2.pcap"), PcapPacketIoBackend.outputFileFor(output, 2, 4));
    }

    @Test
    void shouldReplayInputToOutputUnchanged() throws IOException {
        Path input = capture(100);
        Path output = directory.resolve("out.pcap");
        try (PcapPacketIoBackend backend = new PcapPacketIoBackend(input, output, 1500)) {
            PcapPacketIo io = (PcapPacketIo) backend.open(0, 1, pool);
            while (!io.isInputExhausted()) {
                batch.clear();
                int received = io.receive(batch, 0, pool);
                StageVector all = new StageVector(32);
                for (int slot = 0; slot < received; slot++) {
                    all.add(slot);
                }
                io.transmit(batch, all, pool);
            }
        }
        UnsafeBuffer in = new UnsafeBuffer(new byte[2048]);
        UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);
        try (PcapReader expected = PcapReader.open(input); PcapReader actual = PcapReader.open(output)) {
            int count = 0;
            int length;
            while ((length = expected.next(in, 0, 2048)) >= 0) {
                assertEquals(length, actual.next(out, 0, 2048));
                byte[] a = new byte[length];
                byte[] b = new byte[length];
                in.getBytes(0, a);
                out.getBytes(0, b);
                assertArrayEquals(a, b);
                count++;
            }
            assertEquals(100, count);
            assertEquals(PcapReader.END_OF_CAPTURE, actual.next(out, 0, 2048));
        }
        assertEquals(256, pool.available());
    }

    @Test
    void shouldAllocateNothingPerBatchWhenReceivingFromCapture() throws IOException {
        Path input = capture(40_000);
        try (PcapPacketIoBackend backend = new PcapPacketIoBackend(input, null, 1500)) {
            PacketIo io = backend.open(0, 1, pool);
            // Per batch, rounded down: the probe's own readings may cost a few dozen bytes once.
            long bytesPerBatch = AllocationProbe.bytesPerRun(() -> receiveAndRelease(io), 300, 900);
            assertEquals(0, bytesPerBatch, "bytes allocated per received batch");
            assertEquals((300 + 900) * batch.capacity(), io.counters().receivedPackets(), "every batch was full");
        }
    }

    private void receiveAndRelease(PacketIo io) {
        batch.clear();
        int received = io.receive(batch, 0, pool);
        for (int slot = 0; slot < received; slot++) {
            pool.release(batch.frame[slot]);
        }
    }
}
