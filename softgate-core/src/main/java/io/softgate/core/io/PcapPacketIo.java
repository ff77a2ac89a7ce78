package io.softgate.core.io;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import java.io.IOException;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A queue that receives the Ethernet records of a pcap capture and writes what it transmits to
 * another capture (for {@code softgate replay}, golden tests and offline debugging). With
 * several workers, worker {@code w} of {@code n} takes records {@code w, w+n, w+2n, ...} of the
 * input. Records longer than the maximum frame are counted ({@link IoDropReason#RX_OVERSIZE}),
 * a damaged tail is counted ({@link IoDropReason#RX_TRUNCATED_RECORD} or
 * {@link IoDropReason#RX_MALFORMED_RECORD}) and ends the input; nothing is truncated silently.
 * Without an output capture, transmitted frames are discarded as if written to /dev/null (and
 * counted as transmitted).
 *
 * <p>Receive copies each record straight from the reader's buffer into the frame and allocates
 * nothing; transmit appends to the writer's preallocated buffer and flushes once per batch.
 *
 * <p>Threading: used by one worker thread; {@link #close()} after that worker has stopped.
 */
public final class PcapPacketIo implements PacketIo {
    private final String name;
    private final PcapReader reader;
    private final PcapWriter writer;
    private final int maxFrameBytes;
    private final EpochNanoClock clock;
    private final int workerId;
    private final int workerCount;
    private final PacketIoCounters counters = new PacketIoCounters();
    private long recordIndex;
    private boolean inputDone;

    /**
     * A queue reading {@code reader} (may be null: nothing to receive) and writing {@code writer}
     * (may be null: discard), taking every {@code workerCount}-th record starting at
     * {@code workerId}; both are owned by the queue from now on.
     */
    public PcapPacketIo(String name, PcapReader reader, PcapWriter writer, int maxFrameBytes, EpochNanoClock clock,
                        int workerId, int workerCount) {
        if (reader != null && reader.linkType() != PcapFormat.LINKTYPE_ETHERNET) {
            throw new IllegalArgumentException("capture link type " + reader.linkType()
                + " is not Ethernet (" + PcapFormat.LINKTYPE_ETHERNET + ")");
        }
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes must be > 0: " + maxFrameBytes);
        }
        this.name = name;
        this.reader = reader;
        this.writer = writer;
        this.maxFrameBytes = maxFrameBytes;
        this.clock = clock;
        this.workerId = workerId;
        this.workerCount = workerCount;
        this.inputDone = reader == null;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * True once this queue has read its input to the end (or there is none); a replay waits for
     * this on every queue before it stops the workers. Never true for a followed capture.
     */
    public boolean isInputExhausted() {
        return inputDone;
    }

    @Override
    public int receive(PacketBatch batch, int port, FramePool pool) {
        if (inputDone) {
            return 0;
        }
        FrameMemory memory = pool.memory();
        UnsafeBuffer frames = memory.buffer();
        int received = 0;
        long bytes = 0;
        while (batch.size() < batch.receiveCapacity()) {
            int frame = pool.allocate();
            if (frame < 0) {
                // The record stays unread until the pool has frames again.
                counters.addReceiveFrameWait();
                break;
            }
            int start = memory.packetStart(frame);
            int room = Math.min(maxFrameBytes, memory.frameEnd(frame) - start);
            int result = read(frames, start, room);
            if (result == PcapReader.END_OF_CAPTURE) {
                pool.release(frame);
                break;
            }
            boolean mine = recordIndex++ % workerCount == workerId;
            if (result >= 0 && mine) {
                batch.add(frame, start, result, port);
                received++;
                bytes += result;
                continue;
            }
            pool.release(frame);
            if (result == PcapReader.OVERSIZE && mine) {
                counters.drop(IoDropReason.RX_OVERSIZE);
            }
        }
        if (received > 0) {
            counters.addReceived(received, bytes);
        }
        return received;
    }

    /** Reads one record; damaged input and I/O errors are counted and end the input. */
    private int read(UnsafeBuffer frames, int start, int room) {
        int result;
        try {
            result = reader.next(frames, start, room);
        } catch (IOException e) {
            countDamagedRecord(IoDropReason.RX_ERROR); // every worker reads the file and meets the error
            inputDone = true;
            return PcapReader.END_OF_CAPTURE;
        }
        if (result == PcapReader.TRUNCATED) {
            countDamagedRecord(IoDropReason.RX_TRUNCATED_RECORD);
            inputDone = true;
            return PcapReader.END_OF_CAPTURE;
        }
        if (result == PcapReader.MALFORMED) {
            countDamagedRecord(IoDropReason.RX_MALFORMED_RECORD);
            inputDone = true;
            return PcapReader.END_OF_CAPTURE;
        }
        if (result == PcapReader.END_OF_CAPTURE && reader.isFinished()) {
            inputDone = true;
        }
        return result;
    }

    /**
     * Every worker's queue reads the whole capture, so each meets the damaged record (or the read
     * error): only the worker the record falls to ({@link #recordIndex}, not yet advanced past it)
     * counts it, so a node counts it once.
     */
    private void countDamagedRecord(IoDropReason reason) {
        if (recordIndex % workerCount == workerId) {
            counters.drop(reason);
        }
    }

    /** Bytes of the frames the writer holds unflushed, appended by the current transmit call. */
    private long bufferedBytes;
    /** Records (and their frame bytes) the current transmit call appended and then lost in a failed flush. */
    private int lostRecords;
    private long lostBytes;

    @Override
    public int transmit(PacketBatch batch, StageVector slots, FramePool pool) {
        UnsafeBuffer frames = batch.buffer();
        long timestampNs = clock.nanoTime();
        int sent = 0;
        long bytes = 0;
        lostRecords = 0;
        lostBytes = 0;
        bufferedBytes = 0; // every transmit ends with the writer's buffer flushed or discarded
        int size = slots.size();
        for (int i = 0; i < size; i++) {
            int slot = slots.slot(i);
            int length = batch.length[slot];
            if (length > maxFrameBytes) {
                counters.drop(IoDropReason.TX_OVERSIZE);
            } else if (append(frames, batch.offset[slot], length, timestampNs)) {
                sent++;
                bytes += length;
            }
            pool.release(batch.frame[slot]);
        }
        if (writer != null && writer.bufferedRecords() > 0) {
            int pending = writer.bufferedRecords();
            try {
                writer.flush();
            } catch (IOException e) {
                counters.drop(IoDropReason.TX_ERROR, pending);
                lostRecords += pending;
                lostBytes += bufferedBytes;
            }
        }
        // Records this call appended and then lost in a failed flush were counted above as sent.
        sent -= Math.min(sent, lostRecords);
        bytes -= Math.min(bytes, lostBytes);
        if (sent > 0) {
            counters.addTransmitted(sent, bytes);
        }
        return sent;
    }

    private boolean append(UnsafeBuffer frames, int offset, int length, long timestampNs) {
        if (writer == null) {
            return true;
        }
        int pending = writer.bufferedRecords();
        try {
            writer.write(frames, offset, length, timestampNs);
            if (writer.bufferedRecords() <= pending) {
                bufferedBytes = 0; // write() flushed what was buffered before this record: sent
            }
            bufferedBytes += length;
            return true;
        } catch (IOException e) {
            // A failed flush inside write() loses what was buffered before this record too.
            counters.drop(IoDropReason.TX_ERROR, pending + 1L);
            lostRecords += pending;
            lostBytes += bufferedBytes;
            bufferedBytes = 0;
            return false;
        }
    }

    @Override
    public PacketIoCounters counters() {
        return counters;
    }

    /** Closes the input and flushes and closes the output; a failing flush is counted as a transmit error. */
    @Override
    public void close() {
        inputDone = true;
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                counters.drop(IoDropReason.RX_ERROR);
            }
        }
        if (writer != null) {
            int pending = writer.bufferedRecords();
            try {
                writer.close();
            } catch (IOException e) {
                counters.drop(IoDropReason.TX_ERROR, Math.max(1, pending));
            }
        }
    }
}
