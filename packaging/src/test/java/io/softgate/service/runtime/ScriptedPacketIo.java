package io.softgate.service.runtime;

import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoCounters;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.service.io.PacketIoFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test port: hands the worker the packets queued in it, counts what it is asked to transmit,
 * and remembers whether it was closed.
 *
 * <p>Threading: {@link #receive}/{@link #transmit} by the worker thread; {@link #inject} and the
 * observers from any thread.
 */
final class ScriptedPacketIo implements PacketIo {
    final ConcurrentLinkedQueue<byte[]> waiting = new ConcurrentLinkedQueue<>();
    final AtomicInteger transmitted = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();
    /** The thread that last called receive, and the one that called onWorkerClose. */
    volatile Thread receivingThread;
    volatile Thread workerCloseThread;
    private final String name;
    private final PacketIoCounters counters = new PacketIoCounters();

    ScriptedPacketIo(String name) {
        this.name = name;
    }

    void inject(byte[] packet, int copies) {
        for (int i = 0; i < copies; i++) {
            waiting.add(packet);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int receive(PacketBatch batch, int port, FramePool pool) {
        receivingThread = Thread.currentThread();
        int added = 0;
        byte[] packet;
        while (batch.size() < batch.receiveCapacity() && (packet = waiting.poll()) != null) {
            int frame = pool.allocate();
            if (frame < 0) {
                break;
            }
            int offset = pool.memory().packetStart(frame);
            pool.memory().buffer().putBytes(offset, packet);
            batch.add(frame, offset, packet.length, port);
            added++;
            counters.addReceived(1, packet.length);
        }
        return added;
    }

    @Override
    public int transmit(PacketBatch batch, StageVector slots, FramePool pool) {
        for (int i = 0; i < slots.size(); i++) {
            pool.release(batch.frame[slots.slot(i)]);
        }
        transmitted.addAndGet(slots.size());
        return slots.size();
    }

    @Override
    public PacketIoCounters counters() {
        return counters;
    }

    @Override
    public void onWorkerClose() {
        workerCloseThread = Thread.currentThread();
    }

    @Override
    public void close() {
        closed.set(true);
    }

    /**
     * Opens one scripted port per worker and keeps them for the test to inspect.
     *
     * <p>Threading: used by the control thread.
     */
    static class Factory implements PacketIoFactory {
        final List<ScriptedPacketIo> ports = new ArrayList<>();

        @Override
        public PacketIo[] openPorts(int workerId, FramePool pool) {
            ScriptedPacketIo port = new ScriptedPacketIo("scripted:" + workerId);
            ports.add(port);
            return new PacketIo[] {port};
        }
    }
}
