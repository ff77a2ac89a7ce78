package io.softgate.core.io;

import io.softgate.core.memory.FramePool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;

/**
 * The capture-file backend ({@code io.backend = pcap}): every worker reads the input capture
 * (taking its share of the records) and writes its own output capture
 * ({@link #outputFileFor}). Pure Java, so always available; a missing or malformed input file
 * fails {@link #open} with an {@link IOException} naming the problem.
 *
 * <p>Threading: {@link #open} and {@link #close} on the control thread.
 */
public final class PcapPacketIoBackend implements PacketIoBackend {
    /** Backend name in configuration. */
    public static final String NAME = "pcap";

    private final Path input;
    private final Path output;
    private final int maxFrameBytes;
    private final boolean followInput;
    private final EpochNanoClock clock;
    private final List<PcapPacketIo> opened = new ArrayList<>();
    private boolean closed;

    /**
     * Reads {@code input} (null: receive nothing) to its end and writes {@code output} (null:
     * discard transmitted frames); frames longer than {@code maxFrameBytes} are counted drops.
     */
    public PcapPacketIoBackend(Path input, Path output, int maxFrameBytes) {
        this(input, output, maxFrameBytes, false, new OffsetEpochNanoClock());
    }

    /**
     * As {@link #PcapPacketIoBackend(Path, Path, int)}; with {@code followInput} the queues keep
     * reading records appended to the input after its current end, and {@code clock} stamps the
     * output records.
     */
    public PcapPacketIoBackend(Path input, Path output, int maxFrameBytes, boolean followInput, EpochNanoClock clock) {
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes must be > 0: " + maxFrameBytes);
        }
        this.input = input;
        this.output = output;
        this.maxFrameBytes = maxFrameBytes;
        this.followInput = followInput;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    /**
     * The capture worker {@code workerId} writes: {@code output} itself with one worker, otherwise
     * {@code name.w<id>.pcap} next to it (for {@code out.pcap}: {@code out.w0.pcap}, {@code out.w1.pcap}, ...).
     */
    public static Path outputFileFor(Path output, int workerId, int workerCount) {
        if (workerCount == 1) {
            return output;
        }
        String fileName = output.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
        String extension = dot > 0 ? fileName.substring(dot) : ".pcap";
        return output.resolveSibling(stem + ".w" + workerId + extension);
    }

    @Override
    public PacketIo open(int workerId, int workerCount, FramePool pool) throws IOException {
        BackendChecks.checkOpen(NAME, closed, workerId, workerCount);
        PcapReader reader = null;
        PcapWriter writer = null;
        try {
            if (input != null) {
                reader = PcapReader.open(input, followInput);
                if (reader.linkType() != PcapFormat.LINKTYPE_ETHERNET) {
                    throw new PcapFormatException(input + ": link type " + reader.linkType()
                        + " is not Ethernet (" + PcapFormat.LINKTYPE_ETHERNET + ")");
                }
            }
            if (output != null) {
                writer = PcapWriter.create(outputFileFor(output, workerId, workerCount));
            }
            PcapPacketIo queue = new PcapPacketIo(NAME + ":" + workerId, reader, writer, maxFrameBytes, clock,
                workerId, workerCount);
            opened.add(queue);
            return queue;
        } catch (IOException | RuntimeException e) {
            closeQuietly(reader, writer, e);
            if (e instanceof PcapFormatException && input != null && !e.getMessage().startsWith(input.toString())) {
                throw new PcapFormatException(input + ": " + e.getMessage());
            }
            throw e;
        }
    }

    private static void closeQuietly(PcapReader reader, PcapWriter writer, Exception primary) {
        try {
            if (reader != null) {
                reader.close();
            }
            if (writer != null) {
                writer.close();
            }
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (PcapPacketIo queue : opened) {
            queue.close();
        }
        opened.clear();
    }
}
