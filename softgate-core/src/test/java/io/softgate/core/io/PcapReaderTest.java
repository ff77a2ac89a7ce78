package io.softgate.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class PcapReaderTest {
    private static final byte[] FRAME_A = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final byte[] FRAME_B = {(byte) 0xAA, (byte) 0xBB, (byte) 0xCC};

    private final UnsafeBuffer destination = new UnsafeBuffer(new byte[4096]);

    private static PcapReader reader(byte[] capture) throws IOException {
        return new PcapReader(Channels.newChannel(new ByteArrayInputStream(capture)), false);
    }

    private byte[] nextRecord(PcapReader reader) throws IOException {
        int length = reader.next(destination, 0, destination.capacity());
        assertTrue(length >= 0, "expected a record, got code " + length);
        byte[] data = new byte[length];
        destination.getBytes(0, data);
        return data;
    }

    @Test
    void shouldReadLittleEndianMicrosecondCapture() throws IOException {
        byte[] capture = PcapFiles.littleEndianMicroseconds().record(1_700_000_000L, 123_456, FRAME_A)
            .record(1_700_000_001L, 0, FRAME_B).toBytes();
        try (PcapReader reader = reader(capture)) {
            assertEquals(ByteOrder.LITTLE_ENDIAN, reader.byteOrder());
            assertFalse(reader.nanosecondTimestamps());
            assertEquals(PcapFormat.LINKTYPE_ETHERNET, reader.linkType());
            assertArrayEquals(FRAME_A, nextRecord(reader));
            assertEquals(1_700_000_000_123_456_000L, reader.timestampNs());
            assertArrayEquals(FRAME_B, nextRecord(reader));
            assertEquals(PcapReader.END_OF_CAPTURE, reader.next(destination, 0, 4096));
            assertTrue(reader.isFinished());
        }
    }

    @Test
    void shouldReadBigEndianNanosecondCapture() throws IOException {
        byte[] capture = new PcapFiles(ByteOrder.BIG_ENDIAN, PcapFormat.MAGIC_NANOSECONDS, 2, 1)
            .record(10, 999_999_999L, FRAME_A).toBytes();
        try (PcapReader reader = reader(capture)) {
            assertEquals(ByteOrder.BIG_ENDIAN, reader.byteOrder());
            assertTrue(reader.nanosecondTimestamps());
            assertArrayEquals(FRAME_A, nextRecord(reader));
            assertEquals(10_999_999_999L, reader.timestampNs());
        }
    }

    @Test
    void shouldReadBigEndianMicrosecondCapture() throws IOException {
        byte[] capture = new PcapFiles(ByteOrder.BIG_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 2, 1)
            .record(1, 2, FRAME_B).toBytes();
        try (PcapReader reader = reader(capture)) {
            assertArrayEquals(FRAME_B, nextRecord(reader));
            assertEquals(1_000_002_000L, reader.timestampNs());
        }
    }

    @Test
    void shouldReadLittleEndianNanosecondCapture() throws IOException {
        byte[] capture = new PcapFiles(ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_NANOSECONDS, 2, 1)
            .record(1, 2, FRAME_B).toBytes();
        try (PcapReader reader = reader(capture)) {
            assertArrayEquals(FRAME_B, nextRecord(reader));
            assertEquals(1_000_000_002L, reader.timestampNs());
        }
    }

    @Test
    void shouldRejectFileShorterThanGlobalHeader() {
        PcapFormatException error = assertThrows(PcapFormatException.class,
            () -> reader(PcapFiles.littleEndianMicroseconds().truncated(10)));
        assertTrue(error.getMessage().contains("shorter than the 24-byte global header"), error.getMessage());
    }

    @Test
    void shouldRejectUnknownMagicNamingIt() {
        byte[] capture = new PcapFiles(ByteOrder.BIG_ENDIAN, 0x12345678, 2, 1).toBytes();
        PcapFormatException error = assertThrows(PcapFormatException.class, () -> reader(capture));
        assertTrue(error.getMessage().contains("0x12345678"), error.getMessage());
    }

    @Test
    void shouldRejectPcapngWithConversionHint() {
        byte[] capture = new PcapFiles(ByteOrder.BIG_ENDIAN, PcapFormat.PCAPNG_BLOCK_TYPE, 2, 1).toBytes();
        PcapFormatException error = assertThrows(PcapFormatException.class, () -> reader(capture));
        assertTrue(error.getMessage().contains("pcapng"), error.getMessage());
    }

    @Test
    void shouldRejectUnsupportedMajorVersion() {
        byte[] capture = new PcapFiles(ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 3, 1).toBytes();
        PcapFormatException error = assertThrows(PcapFormatException.class, () -> reader(capture));
        assertTrue(error.getMessage().contains("version 3.4"), error.getMessage());
    }

    @Test
    void shouldReportTruncatedRecordDataAndEndTheCapture() throws IOException {
        PcapFiles files = PcapFiles.littleEndianMicroseconds().record(1, 0, FRAME_A).record(2, 0, FRAME_A);
        byte[] capture = files.truncated(files.toBytes().length - 4);
        try (PcapReader reader = reader(capture)) {
            assertArrayEquals(FRAME_A, nextRecord(reader));
            assertEquals(PcapReader.TRUNCATED, reader.next(destination, 0, 4096));
            assertEquals(PcapReader.END_OF_CAPTURE, reader.next(destination, 0, 4096));
        }
    }

    @Test
    void shouldReportTruncatedRecordHeader() throws IOException {
        byte[] capture = PcapFiles.littleEndianMicroseconds().record(1, 0, FRAME_A).truncated(24 + 7);
        try (PcapReader reader = reader(capture)) {
            assertEquals(PcapReader.TRUNCATED, reader.next(destination, 0, 4096));
        }
    }

    @Test
    void shouldReportImpossibleRecordLengthAsMalformed() throws IOException {
        byte[] capture = PcapFiles.littleEndianMicroseconds().record(1, 0, PcapFormat.MAX_RECORD_LENGTH + 1, 60, FRAME_A)
            .toBytes();
        try (PcapReader reader = reader(capture)) {
            assertEquals(PcapReader.MALFORMED, reader.next(destination, 0, 4096));
            assertEquals(PcapReader.END_OF_CAPTURE, reader.next(destination, 0, 4096));
        }
    }

    @Test
    void shouldReportNegativeRecordLengthAsMalformed() throws IOException {
        byte[] capture = PcapFiles.littleEndianMicroseconds().record(1, 0, -5, 60, FRAME_A).toBytes();
        try (PcapReader reader = reader(capture)) {
            assertEquals(PcapReader.MALFORMED, reader.next(destination, 0, 4096));
        }
    }

    @Test
    void shouldSkipRecordLargerThanOfferedSpaceAndGoOn() throws IOException {
        byte[] capture = PcapFiles.littleEndianMicroseconds().record(1, 0, FRAME_A).record(2, 0, FRAME_B).toBytes();
        try (PcapReader reader = reader(capture)) {
            assertEquals(PcapReader.OVERSIZE, reader.next(destination, 0, FRAME_A.length - 1));
            assertArrayEquals(FRAME_B, nextRecord(reader));
        }
    }

    @Test
    void shouldStreamPastRecordLongerThanTheReadWindowAndGoOn() throws IOException {
        byte[] jumbo = new byte[PcapReader.WINDOW_BYTES * 2 + 17];
        byte[] capture = PcapFiles.littleEndianMicroseconds().record(1, 0, jumbo).record(2, 0, FRAME_B).toBytes();
        try (PcapReader reader = reader(capture)) {
            assertEquals(PcapReader.OVERSIZE, reader.next(destination, 0, 4096));
            assertEquals(jumbo.length, reader.originalLength());
            assertArrayEquals(FRAME_B, nextRecord(reader));
            assertEquals(PcapReader.END_OF_CAPTURE, reader.next(destination, 0, 4096));
        }
    }

    @Test
    void shouldReportTruncatedWhenCaptureEndsInsideLongRecord() throws IOException {
        byte[] jumbo = new byte[PcapReader.WINDOW_BYTES * 2];
        PcapFiles files = PcapFiles.littleEndianMicroseconds().record(1, 0, jumbo);
        try (PcapReader reader = reader(files.truncated(files.toBytes().length - 100))) {
            assertEquals(PcapReader.TRUNCATED, reader.next(destination, 0, 4096));
            assertEquals(PcapReader.END_OF_CAPTURE, reader.next(destination, 0, 4096));
        }
    }

    @Test
    void shouldAllocateNothingPerRecordOnceOpen() throws IOException {
        PcapFiles files = PcapFiles.littleEndianMicroseconds();
        for (int i = 0; i < 20_000; i++) {
            files.record(i, 0, FRAME_A);
        }
        try (PcapReader reader = reader(files.toBytes())) {
            // Per record, rounded down: the probe's own readings may cost a few dozen bytes once.
            long bytesPerRecord = io.softgate.core.testkit.AllocationProbe.bytesPerRun(() -> readOne(reader), 10_000, 10_000);
            assertEquals(0, bytesPerRecord, "bytes allocated per record read");
        }
    }

    private void readOne(PcapReader reader) {
        try {
            reader.next(destination, 0, 4096);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
