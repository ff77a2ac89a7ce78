package io.softgate.io.xdp;

import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoCounters;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.io.jnr.LibC;
import io.softgate.io.jnr.Native;
import java.io.IOException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One worker's AF_XDP socket on one interface queue. The UMEM is the worker's {@link FrameMemory}
 * region, chunk = frame, so frames move between the pool and the kernel by index alone:
 * <ul>
 *   <li>fill ring: free pool frames handed to the kernel to receive into;</li>
 *   <li>RX ring: received packets; each becomes a batch slot in the very frame it landed in (the
 *       kernel puts it 256 bytes into the chunk, so the pipeline has that much headroom);</li>
 *   <li>TX ring: frames to send, straight from the batch (no copy);</li>
 *   <li>completion ring: sent frames, returned to the pool.</li>
 * </ul>
 * Ring indices are read with acquire and published with release ordering ({@link XdpRing}); no
 * native call is made per packet. A system call is made at most once per {@link #receive} or
 * {@link #transmit}, only when the kernel sets the ring's need-wakeup flag (or busy polling is
 * on): {@code sendto} to start transmission, {@code recvfrom} to refill receive / busy-poll.
 *
 * <p>Frames the kernel holds (fill ring, TX not yet completed) are tracked in a bitmap so
 * {@link #close} returns every one of them to the pool after the socket is gone.
 *
 * <p>Threading: {@link #receive} and {@link #transmit} belong to the worker and never block,
 * lock or allocate; {@link #close} and {@link #kernelStatistics} on the control thread (close only
 * after the worker has stopped).
 */
public final class XdpPacketIo implements PacketIo {
    private static final int DESCRIPTOR_BYTES = 16;
    private static final int ADDRESS_BYTES = 8;

    private final String name;
    private final XdpSocket socket;
    private final LibC libc;
    private final FramePool pool;
    private final int frameShift;
    private final int maxFrameBytes;
    private final int fillTarget;
    private final boolean busyPolling;
    private final long[] heldByKernel;
    private final PacketIoCounters counters = new PacketIoCounters();
    private final Runnable onClose;
    private final UnsafeBuffer rxEntries;
    private final UnsafeBuffer txEntries;
    private final UnsafeBuffer fillEntries;
    private final UnsafeBuffer completionEntries;

    private int rxConsumer;
    private int completionConsumer;
    private int fillProducer;
    private int fillConsumerCached;
    private int txProducer;
    private int txConsumerCached;
    private int fillHeld;
    private boolean closed;

    XdpPacketIo(String name, XdpSocket socket, FramePool pool, int maxFrameBytes, int fillTarget, boolean busyPolling,
                Runnable onClose) {
        FrameMemory memory = pool.memory();
        this.name = name;
        this.socket = socket;
        this.libc = Native.libc();
        this.pool = pool;
        this.frameShift = Integer.numberOfTrailingZeros(memory.frameSize());
        this.maxFrameBytes = maxFrameBytes;
        this.fillTarget = Math.min(fillTarget, socket.fill.size);
        this.busyPolling = busyPolling;
        this.heldByKernel = new long[(memory.frameCount() + 63) >>> 6];
        this.onClose = onClose;
        this.rxEntries = socket.rx.entries;
        this.txEntries = socket.tx.entries;
        this.fillEntries = socket.fill.entries;
        this.completionEntries = socket.completion.entries;
        this.rxConsumer = socket.rx.consumerAcquire();
        this.completionConsumer = socket.completion.consumerAcquire();
        this.fillProducer = socket.fill.producerAcquire();
        this.fillConsumerCached = socket.fill.consumerAcquire();
        this.txProducer = socket.tx.producerAcquire();
        this.txConsumerCached = socket.tx.consumerAcquire();
        refill(pool);
    }

    @Override
    public String name() {
        return name;
    }

    /** True when the socket was bound in zero-copy mode. */
    public boolean zeroCopy() {
        return (socket.bindFlags & XdpConstants.XDP_ZEROCOPY) != 0;
    }

    @Override
    public int receive(PacketBatch batch, int port, FramePool framePool) {
        reclaimCompleted(framePool);
        XdpRing rx = socket.rx;
        int available = rx.producerAcquire() - rxConsumer;
        int room = batch.receiveCapacity() - batch.size();
        int count = Math.min(available, room);
        int received = 0;
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            int entry = ((rxConsumer + i) & rx.mask) * DESCRIPTOR_BYTES;
            long address = rxEntries.getLong(entry);
            int length = rxEntries.getInt(entry + 8);
            int frame = (int) (address >>> frameShift);
            release(frame);
            fillHeld--;
            if (length > maxFrameBytes) {
                counters.drop(IoDropReason.RX_OVERSIZE);
                framePool.release(frame);
                continue;
            }
            batch.add(frame, (int) address, length, port);
            received++;
            bytes += length;
        }
        if (count > 0) {
            rxConsumer += count;
            rx.consumerRelease(rxConsumer);
            counters.addReceived(received, bytes);
        }
        refill(framePool);
        if (busyPolling || socket.fill.needsWakeup()) {
            // Busy polling runs the device's NAPI poll in this call; otherwise it only wakes the
            // driver to take the fill ring we just refilled.
            libc.recvfrom(socket.fd, 0L, 0L, XdpConstants.MSG_DONTWAIT, 0L, 0L);
        }
        if (txProducer != txConsumerCached && socket.tx.needsWakeup()) {
            // Copy mode sends at most a small batch per kick; keep pending transmissions moving.
            txConsumerCached = socket.tx.consumerAcquire();
            if (txProducer != txConsumerCached) {
                kickTransmit();
            }
        }
        return received;
    }

    @Override
    public int transmit(PacketBatch batch, StageVector slots, FramePool framePool) {
        reclaimCompleted(framePool);
        XdpRing tx = socket.tx;
        int free = tx.size - (txProducer - txConsumerCached);
        if (free < slots.size()) {
            txConsumerCached = tx.consumerAcquire();
            free = tx.size - (txProducer - txConsumerCached);
        }
        int sent = 0;
        long bytes = 0;
        int size = slots.size();
        for (int i = 0; i < size; i++) {
            int slot = slots.slot(i);
            int length = batch.length[slot];
            int frame = batch.frame[slot];
            if (length > maxFrameBytes) {
                counters.drop(IoDropReason.TX_OVERSIZE);
                framePool.release(frame);
                continue;
            }
            if (free == 0) {
                counters.drop(IoDropReason.TX_QUEUE_FULL);
                framePool.release(frame);
                continue;
            }
            int entry = ((txProducer + sent) & tx.mask) * DESCRIPTOR_BYTES;
            txEntries.putLong(entry, batch.offset[slot] & 0xFFFF_FFFFL);
            txEntries.putInt(entry + 8, length);
            txEntries.putInt(entry + 12, 0);
            hold(frame);
            free--;
            sent++;
            bytes += length;
        }
        if (sent > 0) {
            txProducer += sent;
            tx.producerRelease(txProducer);
            counters.addTransmitted(sent, bytes);
            if (tx.needsWakeup()) {
                kickTransmit();
            }
        }
        return sent;
    }

    private void kickTransmit() {
        // ENOBUFS / EAGAIN / EBUSY mean "busy, try later": the descriptors stay in the ring and the
        // next receive or transmit kicks again.
        libc.sendto(socket.fd, 0L, 0L, XdpConstants.MSG_DONTWAIT, 0L, 0);
    }

    /** Returns every frame the kernel has finished sending to the pool. */
    private void reclaimCompleted(FramePool framePool) {
        XdpRing completion = socket.completion;
        int available = completion.producerAcquire() - completionConsumer;
        if (available == 0) {
            return;
        }
        for (int i = 0; i < available; i++) {
            long address = completionEntries.getLong(((completionConsumer + i) & completion.mask) * ADDRESS_BYTES);
            int frame = (int) (address >>> frameShift);
            release(frame);
            framePool.release(frame);
        }
        completionConsumer += available;
        completion.consumerRelease(completionConsumer);
    }

    /** Tops the fill ring up to its target from the pool. */
    private void refill(FramePool framePool) {
        int wanted = fillTarget - fillHeld;
        if (wanted <= 0) {
            return;
        }
        XdpRing fill = socket.fill;
        int free = fill.size - (fillProducer - fillConsumerCached);
        if (free < wanted) {
            fillConsumerCached = fill.consumerAcquire();
            free = fill.size - (fillProducer - fillConsumerCached);
        }
        int count = Math.min(wanted, free);
        int added = 0;
        FrameMemory memory = framePool.memory();
        for (; added < count; added++) {
            int frame = framePool.allocate();
            if (frame < 0) {
                break;
            }
            hold(frame);
            fillEntries.putLong(((fillProducer + added) & fill.mask) * ADDRESS_BYTES, memory.frameOffset(frame));
        }
        if (added > 0) {
            fillProducer += added;
            fillHeld += added;
            fill.producerRelease(fillProducer);
        }
    }

    private void hold(int frame) {
        heldByKernel[frame >>> 6] |= 1L << frame;
    }

    private void release(int frame) {
        heldByKernel[frame >>> 6] &= ~(1L << frame);
    }

    @Override
    public PacketIoCounters counters() {
        return counters;
    }

    /** The kernel's counters for this socket (XDP_STATISTICS), indexed as {@link XdpStatistics} says. */
    public long[] kernelStatistics() throws IOException {
        return socket.statistics();
    }

    /**
     * Closes the socket (the kernel stops touching the UMEM), unmaps the rings and returns every
     * frame it still held (fill ring, unsent or uncompleted TX) to the pool. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        onClose.run();
        socket.close();
        for (int word = 0; word < heldByKernel.length; word++) {
            long bits = heldByKernel[word];
            while (bits != 0) {
                int bit = Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                pool.release((word << 6) + bit);
            }
            heldByKernel[word] = 0;
        }
        fillHeld = 0;
    }
}
