package io.softgate.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.ConformanceFrames.Endpoints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    private static final Endpoints ENDPOINTS =
        new Endpoints(0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, 0x0A000001, 0x0A000002, 4789, 4789);

    @TempDir
    Path directory;

    private List<byte[]> writeCapture(Path file, int count) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        try (PcapWriter writer = PcapWriter.create(file)) {
            for (int i = 0; i < count; i++) {
                byte[] frame = ConformanceFrames.inbound(ENDPOINTS, i, ConformanceFrames.MIN_LENGTH + i * 3);
                frames.add(frame);
                writer.write(new UnsafeBuffer(frame), 0, frame.length, 1_700_000_000_000_000_000L + i * 1_000L);
            }
        }
        return frames;
    }

    @Test
    void shouldWriteClassicLittleEndianMicrosecondEthernetHeader() throws IOException {
        Path file = directory.resolve("header.pcap");
        writeCapture(file, 0);

        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24, header.remaining());
        assertEquals(0xA1B2C3D4, header.getInt(0));
        assertEquals(2, header.getShort(4));
        assertEquals(4, header.getShort(6));
        assertEquals(PcapFormat.DEFAULT_SNAP_LENGTH, header.getInt(16));
        assertEquals(1, header.getInt(20));
    }

    @Test
    void shouldReadBackEveryRecordAndTimestampWritten() throws IOException {
        Path file = directory.resolve("round-trip.pcap");
        List<byte[]> frames = writeCapture(file, 500);

        UnsafeBuffer destination = new UnsafeBuffer(new byte[4096]);
        try (PcapReader reader = PcapReader.open(file)) {
            for (int i = 0; i < frames.size(); i++) {
                int length = reader.next(destination, 0, destination.capacity());
                byte[] data = new byte[length];
                destination.getBytes(0, data);
                assertArrayEquals(frames.get(i), data, "record " + i);
                assertEquals(1_700_000_000_000_000_000L + i * 1_000L, reader.timestampNs());
                assertEquals(frames.get(i).length, reader.originalLength());
            }
            assertEquals(PcapReader.END_OF_CAPTURE, reader.next(destination, 0, destination.capacity()));
        }
    }

    @Test
    void shouldCutRecordsAtSnapLengthButKeepOriginalLength() throws IOException {
        Path file = directory.resolve("snap.pcap");
        byte[] frame = ConformanceFrames.inbound(ENDPOINTS, 1, 300);
        try (PcapWriter writer = new PcapWriter(java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE), 100, 4096)) {
            writer.write(new UnsafeBuffer(frame), 0, frame.length, 0);
        }
        UnsafeBuffer destination = new UnsafeBuffer(new byte[4096]);
        try (PcapReader reader = PcapReader.open(file)) {
            assertEquals(100, reader.next(destination, 0, 4096));
            assertEquals(300, reader.originalLength());
        }
    }

    @Test
    void shouldProduceCaptureThatTcpdumpReads() throws Exception {
        Path tcpdump = findTcpdump();
        Assumptions.assumeTrue(tcpdump != null, "tcpdump is not installed (looked in /usr/bin, /usr/sbin, /sbin, /bin)");
        Path file = directory.resolve("tcpdump.pcap");
        writeCapture(file, 3);

        Process process = new ProcessBuilder(tcpdump.toString(), "-nn", "-r", file.toString())
            .redirectErrorStream(true).start();
        String output;
        try {
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "tcpdump did not finish");
        } finally {
            process.destroyForcibly();
        }

        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("reading from file"), output);
        long vxlanLines = output.lines().filter(line -> line.contains("10.0.0.2.4789 > 10.0.0.1.4789")
            && line.contains("VXLAN")).count();
        assertEquals(3, vxlanLines, output);
    }

    private static Path findTcpdump() {
        for (String directory : new String[] {"/usr/bin", "/usr/sbin", "/sbin", "/bin"}) {
            Path candidate = Path.of(directory, "tcpdump");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
