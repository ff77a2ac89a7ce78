package io.softgate.core.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads classic libpcap captures record by record into caller-supplied memory: either byte order,
 * microsecond or nanosecond timestamps, any link type (the caller checks {@link #linkType()}).
 * A file that is not such a capture is refused at construction with a {@link PcapFormatException}
 * naming what is wrong; a damaged record never throws: {@link #next} returns a negative code
 * ({@link #TRUNCATED}, {@link #MALFORMED}) and the capture ends there.
 *
 * <p>Once constructed it allocates nothing: records are copied out of one preallocated
 * {@link #WINDOW_BYTES} direct buffer, and longer ones are streamed past. In follow mode a clean or partial end of file means "nothing yet" and a later
 * {@link #next} reads what the writer appended since (used to tail a capture being written).
 *
 * <p>Threading: confined to one thread at a time.
 */
public final class PcapReader implements Closeable {
    /** {@link #next}: no more records (end of the capture, or, in follow mode, none complete yet). */
    public static final int END_OF_CAPTURE = -1;
    /** {@link #next}: the record was longer than the space offered; it was skipped. */
    public static final int OVERSIZE = -2;
    /** {@link #next}: the file ends inside a record; the capture ends here. */
    public static final int TRUNCATED = -3;
    /** {@link #next}: a record header claims an impossible length; the rest of the file is unreadable. */
    public static final int MALFORMED = -4;
    /** Read buffer size; a record longer than this minus its header is always skipped as {@link #OVERSIZE}. */
    public static final int WINDOW_BYTES = 64 * 1024;

    private final ReadableByteChannel channel;
    private final ByteBuffer window;
    private final UnsafeBuffer view;
    private final boolean follow;
    private final ByteOrder order;
    private final boolean nanosecondTimestamps;
    private final int versionMajor;
    private final int versionMinor;
    private final int snapLength;
    private final int linkType;
    private boolean endOfChannel;
    private boolean finished;
    private long timestampNs;
    private int originalLength;
    private long records;
    private long skipRemaining;

    /**
     * Reads and checks the global header from {@code channel}; the reader owns the channel from
     * now on (closing the reader closes it, also when this constructor throws).
     *
     * @throws PcapFormatException when the header is short, the magic unknown or the version not 2.x
     */
    public PcapReader(ReadableByteChannel channel, boolean follow) throws IOException {
        this.channel = channel;
        this.follow = follow;
        this.window = BufferUtil.allocateDirectAligned(WINDOW_BYTES, 64);
        this.view = new UnsafeBuffer(window);
        window.limit(0);
        try {
            if (!ensure(PcapFormat.GLOBAL_HEADER_LENGTH)) {
                throw new PcapFormatException("not a pcap file: " + window.remaining()
                    + " bytes, shorter than the " + PcapFormat.GLOBAL_HEADER_LENGTH + "-byte global header");
            }
            int magicLittle = view.getInt(0, ByteOrder.LITTLE_ENDIAN);
            int magicBig = view.getInt(0, ByteOrder.BIG_ENDIAN);
            if (magicLittle == PcapFormat.MAGIC_MICROSECONDS || magicLittle == PcapFormat.MAGIC_NANOSECONDS) {
                order = ByteOrder.LITTLE_ENDIAN;
                nanosecondTimestamps = magicLittle == PcapFormat.MAGIC_NANOSECONDS;
            } else if (magicBig == PcapFormat.MAGIC_MICROSECONDS || magicBig == PcapFormat.MAGIC_NANOSECONDS) {
                order = ByteOrder.BIG_ENDIAN;
                nanosecondTimestamps = magicBig == PcapFormat.MAGIC_NANOSECONDS;
            } else if (magicBig == PcapFormat.PCAPNG_BLOCK_TYPE) {
                throw new PcapFormatException("pcapng files are not supported; convert with "
                    + "'editcap -F pcap in.pcapng out.pcap'");
            } else {
                throw new PcapFormatException(String.format("not a pcap file: magic 0x%08x is neither "
                    + "0xa1b2c3d4 nor 0xa1b23c4d in either byte order", magicBig));
            }
            versionMajor = view.getShort(4, order) & 0xFFFF;
            versionMinor = view.getShort(6, order) & 0xFFFF;
            if (versionMajor != PcapFormat.VERSION_MAJOR) {
                throw new PcapFormatException("unsupported pcap version " + versionMajor + "." + versionMinor
                    + " (only 2.x is supported)");
            }
            snapLength = view.getInt(16, order);
            // The low 16 bits are the link type; newer writers put FCS information in the top bits.
            linkType = view.getInt(20, order) & 0xFFFF;
            window.position(PcapFormat.GLOBAL_HEADER_LENGTH);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    /** Opens {@code file} for reading to its end (no follow). */
    public static PcapReader open(Path file) throws IOException {
        return open(file, false);
    }

    /** Opens {@code file}; in follow mode records appended later are read by later {@link #next} calls. */
    public static PcapReader open(Path file, boolean follow) throws IOException {
        return new PcapReader(FileChannel.open(file, StandardOpenOption.READ), follow);
    }

    /**
     * Copies the next record's captured bytes to {@code destination} at {@code offset} when they
     * fit in {@code capacity} bytes and returns their length; otherwise returns one of
     * {@link #END_OF_CAPTURE}, {@link #OVERSIZE} (record skipped; reading may go on),
     * {@link #TRUNCATED} or {@link #MALFORMED} (the capture ends; later calls return
     * {@link #END_OF_CAPTURE}).
     *
     * @throws IOException only when the underlying channel fails
     */
    public int next(MutableDirectBuffer destination, int offset, int capacity) throws IOException {
        if (finished) {
            return END_OF_CAPTURE;
        }
        if (follow) {
            endOfChannel = false;
        }
        if (skipRemaining > 0 && !skip()) {
            // Still inside an oversize record already reported: wait for (follow) or give up on the rest.
            return endOfRecords(true);
        }
        if (!ensure(PcapFormat.RECORD_HEADER_LENGTH)) {
            return endOfRecords(window.hasRemaining());
        }
        int included = view.getInt(window.position() + 8, order);
        if (included < 0 || included > PcapFormat.MAX_RECORD_LENGTH) {
            finished = true;
            return MALFORMED;
        }
        int recordBytes = PcapFormat.RECORD_HEADER_LENGTH + included;
        if (included > capacity || recordBytes > window.capacity()) {
            readRecordHeader(window.position());
            skipRemaining = recordBytes;
            if (!skip() && !follow) {
                finished = true;
                return TRUNCATED;
            }
            return OVERSIZE;
        }
        if (!ensure(recordBytes)) {
            return endOfRecords(true);
        }
        // ensure() may have compacted the window: read the header only now.
        int header = window.position();
        readRecordHeader(header);
        window.position(header + recordBytes);
        destination.putBytes(offset, view, header + PcapFormat.RECORD_HEADER_LENGTH, included);
        return included;
    }

    private void readRecordHeader(int header) {
        long seconds = view.getInt(header, order) & 0xFFFF_FFFFL;
        long fraction = view.getInt(header + 4, order) & 0xFFFF_FFFFL;
        timestampNs = seconds * 1_000_000_000L + (nanosecondTimestamps ? fraction : fraction * 1_000L);
        originalLength = view.getInt(header + 12, order);
        records++;
    }

    /** Discards the rest of an oversize record without buffering it whole; false when the input ends first. */
    private boolean skip() throws IOException {
        while (skipRemaining > 0) {
            if (!window.hasRemaining()) {
                if (endOfChannel) {
                    return false;
                }
                window.clear();
                int read = channel.read(window);
                window.flip();
                if (read <= 0) {
                    endOfChannel = true;
                }
                continue;
            }
            int step = (int) Math.min(skipRemaining, window.remaining());
            window.position(window.position() + step);
            skipRemaining -= step;
        }
        return true;
    }

    private int endOfRecords(boolean partialRecord) {
        if (follow) {
            // The writer may still be appending: keep the partial record for the next call.
            return END_OF_CAPTURE;
        }
        finished = true;
        return partialRecord ? TRUNCATED : END_OF_CAPTURE;
    }

    /** Makes at least {@code bytes} unread bytes available in the window; false at end of input. */
    private boolean ensure(int bytes) throws IOException {
        while (window.remaining() < bytes) {
            if (endOfChannel) {
                return false;
            }
            window.compact();
            int read = channel.read(window);
            window.flip();
            if (read <= 0) {
                // -1 is the end; 0 from a blocking channel with room left also means nothing more now.
                endOfChannel = true;
            }
        }
        return true;
    }

    /** True once the capture has ended for good (never in follow mode unless a record was malformed). */
    public boolean isFinished() {
        return finished;
    }

    /** Timestamp of the last record returned or skipped, in nanoseconds since the epoch. */
    public long timestampNs() {
        return timestampNs;
    }

    /** Original (on-the-wire) length of the last record returned or skipped. */
    public int originalLength() {
        return originalLength;
    }

    /** Records read so far, including skipped oversize ones. */
    public long records() {
        return records;
    }

    public ByteOrder byteOrder() {
        return order;
    }

    public boolean nanosecondTimestamps() {
        return nanosecondTimestamps;
    }

    public int versionMajor() {
        return versionMajor;
    }

    public int versionMinor() {
        return versionMinor;
    }

    public int snapLength() {
        return snapLength;
    }

    /** The LINKTYPE_ value of the file's records, e.g. {@link PcapFormat#LINKTYPE_ETHERNET}. */
    public int linkType() {
        return linkType;
    }

    @Override
    public void close() throws IOException {
        finished = true;
        channel.close();
    }

    private static void closeQuietly(ReadableByteChannel channel, Exception primary) {
        try {
            channel.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }
}
