package io.softgate.core.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a classic libpcap capture (magic 0xa1b2c3d4 in little-endian, version 2.4,
 * LINKTYPE_ETHERNET, microsecond timestamps) that tcpdump and Wireshark open. Records collect in a
 * preallocated buffer and reach the channel on {@link #flush()} (or when the buffer is full), so a
 * caller writes a batch and flushes once; nothing is allocated after construction.
 *
 * <p>Threading: confined to one thread at a time.
 */
public final class PcapWriter implements Closeable {
    /** Default buffer: a few dozen full-size frames between flushes. */
    public static final int DEFAULT_BUFFER_BYTES = 256 * 1024;

    private final WritableByteChannel channel;
    private final ByteBuffer buffer;
    private final UnsafeBuffer view;
    private final int snapLength;
    private int used;
    private int bufferedRecords;
    private long records;

    /**
     * A writer on {@code channel} (owned from now on) that cuts records at {@code snapLength} bytes
     * and buffers up to {@code bufferBytes}; the global header is written on the first flush.
     */
    public PcapWriter(WritableByteChannel channel, int snapLength, int bufferBytes) {
        if (snapLength <= 0 || snapLength > PcapFormat.MAX_RECORD_LENGTH) {
            throw new IllegalArgumentException("snapLength must be in [1, " + PcapFormat.MAX_RECORD_LENGTH + "]: " + snapLength);
        }
        this.channel = channel;
        this.snapLength = snapLength;
        int capacity = Math.max(bufferBytes, PcapFormat.GLOBAL_HEADER_LENGTH + PcapFormat.RECORD_HEADER_LENGTH + snapLength);
        this.buffer = BufferUtil.allocateDirectAligned((capacity + 63) & ~63, 64);
        this.view = new UnsafeBuffer(buffer);
        view.putInt(0, PcapFormat.MAGIC_MICROSECONDS, ByteOrder.LITTLE_ENDIAN);
        view.putShort(4, (short) PcapFormat.VERSION_MAJOR, ByteOrder.LITTLE_ENDIAN);
        view.putShort(6, (short) PcapFormat.VERSION_MINOR, ByteOrder.LITTLE_ENDIAN);
        view.putInt(8, 0, ByteOrder.LITTLE_ENDIAN);   // thiszone: timestamps are UTC
        view.putInt(12, 0, ByteOrder.LITTLE_ENDIAN);  // sigfigs: always 0 in practice
        view.putInt(16, snapLength, ByteOrder.LITTLE_ENDIAN);
        view.putInt(20, PcapFormat.LINKTYPE_ETHERNET, ByteOrder.LITTLE_ENDIAN);
        used = PcapFormat.GLOBAL_HEADER_LENGTH;
    }

    /** Creates (or truncates) {@code file} and writes a capture to it with the default snap length and buffer. */
    public static PcapWriter create(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        return new PcapWriter(channel, PcapFormat.DEFAULT_SNAP_LENGTH, DEFAULT_BUFFER_BYTES);
    }

    /**
     * Appends a record of {@code length} bytes of {@code source} at {@code offset}, stamped
     * {@code timestampNs} after the epoch; bytes beyond the snap length are cut (the record keeps the
     * original length, as libpcap does). Flushes first when the buffer cannot take the record.
     */
    public void write(DirectBuffer source, int offset, int length, long timestampNs) throws IOException {
        int captured = Math.min(length, snapLength);
        if (used + PcapFormat.RECORD_HEADER_LENGTH + captured > buffer.capacity()) {
            flush();
        }
        long seconds = Math.floorDiv(timestampNs, 1_000_000_000L);
        long microseconds = Math.floorMod(timestampNs, 1_000_000_000L) / 1_000L;
        view.putInt(used, (int) seconds, ByteOrder.LITTLE_ENDIAN);
        view.putInt(used + 4, (int) microseconds, ByteOrder.LITTLE_ENDIAN);
        view.putInt(used + 8, captured, ByteOrder.LITTLE_ENDIAN);
        view.putInt(used + 12, length, ByteOrder.LITTLE_ENDIAN);
        view.putBytes(used + PcapFormat.RECORD_HEADER_LENGTH, source, offset, captured);
        used += PcapFormat.RECORD_HEADER_LENGTH + captured;
        bufferedRecords++;
        records++;
    }

    /** Writes everything buffered to the channel. On failure the buffered records are discarded. */
    public void flush() throws IOException {
        if (used == 0) {
            return;
        }
        buffer.limit(used).position(0);
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } finally {
            buffer.clear();
            used = 0;
            bufferedRecords = 0;
        }
    }

    /** Records written but not yet flushed (lost if the next flush fails). */
    public int bufferedRecords() {
        return bufferedRecords;
    }

    /** Records written since creation. */
    public long records() {
        return records;
    }

    public int snapLength() {
        return snapLength;
    }

    /** Flushes and closes the channel (closes it even when the flush fails). */
    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}
