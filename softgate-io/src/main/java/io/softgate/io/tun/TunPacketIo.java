package io.softgate.io.tun;

import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoCounters;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageVector;
import io.softgate.io.jnr.LibC;
import io.softgate.io.jnr.Native;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One worker's queue of a TUN/TAP device: a non-blocking file descriptor attached to the device
 * (one queue of a multi-queue device). {@link #receive} reads one packet per read(2) straight into
 * a frame of the worker's pool (by the frame's native address, no copy) until the batch is full or
 * the queue is empty; {@link #transmit} writes one packet per write(2) from its frame and returns
 * the frame to the pool at once. One system call per packet is the TUN model (the kernel offers no
 * batched read on a TUN descriptor), which caps a queue at roughly 1.3-1.4 Mpps here.
 *
 * <p>In {@link TunMode#TUN} the packet starts at its IP header (there is no Ethernet header) and
 * every received slot carries {@link PacketFlags#L3_PACKET}; on transmit the kernel takes the IP
 * version from the first nibble. In {@link TunMode#TAP} packets are whole Ethernet frames. Packets
 * longer than the configured maximum are counted ({@link IoDropReason#RX_OVERSIZE}) and never
 * truncated: each read asks for one byte more than the maximum so a longer packet shows up.
 *
 * <p>Threading: {@link #receive} and {@link #transmit} belong to the worker; they make only
 * read/write calls through JNR (one per packet), allocate nothing and never block;
 * {@link #close} on the control thread after the worker has stopped.
 */
public final class TunPacketIo implements PacketIo {
    private final String name;
    private final LibC libc;
    private final int fd;
    private final long memoryAddress;
    private final int maxFrameBytes;
    private final int receiveFlags;
    private final long discardAddress;
    /** Keeps the discard area reachable as long as the queue: only its address is used, natively. */
    private final UnsafeBuffer discardKeepAlive;
    private final PacketIoCounters counters = new PacketIoCounters();
    private final Runnable onClose;
    private boolean closed;

    TunPacketIo(String name, int fd, FramePool pool, TunMode mode, int maxFrameBytes, Runnable onClose) {
        FrameMemory memory = pool.memory();
        int room = memory.frameSize() - memory.headroom();
        if (maxFrameBytes + 1 > room) {
            throw new IllegalArgumentException("maxFrameBytes + 1 must fit a frame after its headroom (" + room + "): "
                + maxFrameBytes);
        }
        this.name = name;
        this.libc = Native.libc();
        this.fd = fd;
        this.memoryAddress = memory.buffer().addressOffset();
        this.maxFrameBytes = maxFrameBytes;
        this.receiveFlags = mode == TunMode.TUN ? PacketFlags.L3_PACKET : 0;
        UnsafeBuffer discard = Native.scratch(maxFrameBytes + 1);
        this.discardAddress = discard.addressOffset();
        this.discardKeepAlive = discard;
        this.onClose = onClose;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int receive(PacketBatch batch, int port, FramePool pool) {
        FrameMemory memory = pool.memory();
        int received = 0;
        long bytes = 0;
        int readLength = maxFrameBytes + 1;
        while (batch.size() < batch.receiveCapacity()) {
            int frame = pool.allocate();
            if (frame < 0) {
                // No frame: read into the discard area so a waiting packet is counted, not left to pile up.
                long length = libc.read(fd, discardAddress, readLength);
                if (length <= 0) {
                    break;
                }
                counters.drop(IoDropReason.NO_FREE_FRAME);
                continue;
            }
            int start = memory.packetStart(frame);
            long length = libc.read(fd, memoryAddress + start, readLength);
            if (length <= 0) {
                pool.release(frame);
                if (length < 0) {
                    int errno = Native.errno();
                    if (errno != Native.EAGAIN && errno != Native.EINTR) {
                        counters.drop(IoDropReason.RX_ERROR);
                    }
                }
                break;
            }
            if (length > maxFrameBytes) {
                pool.release(frame);
                counters.drop(IoDropReason.RX_OVERSIZE);
                continue;
            }
            int slot = batch.add(frame, start, (int) length, port);
            batch.flags[slot] = receiveFlags;
            received++;
            bytes += length;
        }
        if (received > 0) {
            counters.addReceived(received, bytes);
        }
        return received;
    }

    @Override
    public int transmit(PacketBatch batch, StageVector slots, FramePool pool) {
        int sent = 0;
        long bytes = 0;
        int size = slots.size();
        for (int i = 0; i < size; i++) {
            int slot = slots.slot(i);
            int length = batch.length[slot];
            if (length > maxFrameBytes) {
                counters.drop(IoDropReason.TX_OVERSIZE);
            } else if (libc.write(fd, memoryAddress + batch.offset[slot], length) == length) {
                sent++;
                bytes += length;
            } else {
                // The kernel refused the packet (malformed IP header on a TUN device, device gone).
                counters.drop(IoDropReason.TX_ERROR);
            }
            pool.release(batch.frame[slot]);
        }
        if (sent > 0) {
            counters.addTransmitted(sent, bytes);
        }
        return sent;
    }

    @Override
    public PacketIoCounters counters() {
        return counters;
    }

    /** Closes the descriptor (the queue holds no frames between calls). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Native.closeQuietly(fd);
        onClose.run();
    }
}
