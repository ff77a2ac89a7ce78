package io.softgate.io.udp;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoCounters;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.SpscArrayQueue;

/**
 * One worker's UDP socket carrying VXLAN with a separate event loop ({@code io.udp.eventLoop =
 * separate}; {@link WorkerDrivenUdpPacketIo} is the default mode): Netty's event loop reads datagrams (in batches, with
 * recvmmsg on epoll) and hands them to the worker through a bounded SPSC queue; {@link #receive}
 * copies each into a frame of the worker's pool behind synthesised outer headers and releases the
 * Netty buffer. {@link #transmit} reads the outer IPv4 destination and UDP destination port from
 * the frame, copies the UDP payload into a pooled Netty buffer, returns the frame to the pool at
 * once and queues the datagram to the event loop, which writes the whole batch and flushes once
 * (sendmmsg on epoll).
 *
 * <p>Counting: the event loop counts what it wrote, through a {@link SendLedger} of its own: a
 * datagram counts as transmitted (packets and frame bytes) once the kernel has taken it, and as
 * one {@code tx-error} drop when the write failed (refused by the kernel, or by a closed channel),
 * never as both. A datagram the socket could not take at once waits in the channel and is counted
 * when the event loop next drains, reads or closes. Datagrams still queued when the queue closes
 * never leave: each counts as {@code tx-error}. So every datagram {@link #transmit} queued ends up
 * as exactly one of transmitted or {@code tx-error}.
 *
 * <p>Received frames have this exact shape (the pipeline sees a normal outer VXLAN frame):
 * Ethernet (destination = our MAC, source = the configured peer MAC, type IPv4), IPv4 (version 4,
 * IHL 5, TOS 0, identification 0, no flags, TTL 64, protocol 17, source = the datagram's sender,
 * destination = our VTEP address, valid checksum), UDP (source port = the sender's port,
 * destination port = our port, checksum 0 as RFC 7348 §5 allows), then the datagram's bytes
 * (VXLAN header and inner frame). A datagram that would make a frame longer than the MTU is
 * counted ({@link IoDropReason#RX_OVERSIZE}), never truncated: the socket reads one byte more
 * than the largest allowed payload so an oversize datagram shows up as too long.
 *
 * <p>Allocation, honestly: the worker side allocates nothing per received datagram; per
 * transmitted datagram it allocates one Netty {@code DatagramPacket} (its buffer comes from the
 * pooled allocator and its destination address from a cache). Netty's event loop allocates, per
 * received datagram, a {@code DatagramPacket}, the sender's {@code InetSocketAddress} and a
 * buffer slice object; the buffer memory itself is pooled and direct. Copied datagrams go back
 * to the event loop through a second SPSC queue and are released there on its next read or
 * flush, so while traffic pauses up to twice the queue capacity of received buffers stay held.
 *
 * <p>Threading: {@link #receive} and {@link #transmit} belong to the worker and never block or
 * lock (SPSC queues, one CAS to schedule the event loop's flush; on the NIO transport, waking the
 * selector takes a JDK-internal lock); the handler runs on the channel's event loop; {@link #close}
 * on the control thread after the worker has stopped.
 */
public final class UdpPacketIo implements PacketIo, UdpQueue {
    /** Bytes of the synthesised outer Ethernet, IPv4 and UDP headers in front of each datagram. */
    public static final int OUTER_HEADER_BYTES = DatagramFrames.OUTER_HEADER_BYTES;
    /** TTL written into synthesised outer IPv4 headers. */
    public static final int SYNTHESISED_TTL = DatagramFrames.SYNTHESISED_TTL;

    private final String name;
    private final DatagramFrames datagrams;
    private final SpscArrayQueue<DatagramPacket> rxQueue;
    private final SpscArrayQueue<DatagramPacket> txQueue;
    /** Received datagrams the worker has copied, going back to the event loop to be released there. */
    private final SpscArrayQueue<DatagramPacket> releaseQueue;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainTransmitQueue;
    private final PacketIoCounters counters = new PacketIoCounters();
    /**
     * Frame bytes of each queued datagram, by queue position: the worker writes slot
     * {@code queued & mask} before offering the datagram, the event loop reads it after polling it.
     */
    private final int[] queuedFrameBytes;
    private final int queuedMask;
    /** Datagrams the worker has queued (worker only). */
    private long queued;
    /** Datagrams the event loop has taken from the queue (event loop only). */
    private long dequeued;
    /** Frame bytes of the datagram {@link #pollTransmit} returned last (event loop only). */
    private int polledFrameBytes;
    /** The event loop's account of its writes (event loop only). */
    private final SendLedger ledger;
    private final ByteBufAllocator allocator;
    private Channel channel;
    private volatile boolean closed;

    UdpPacketIo(String name, FramePool pool, int queueCapacity, long localMac, long peerMac, int localAddress,
                int maxFrameBytes, ByteBufAllocator allocator, int writeHighWaterMarkBytes) {
        this.name = name;
        this.datagrams = new DatagramFrames(pool.memory(), counters, localMac, peerMac, localAddress, maxFrameBytes);
        this.rxQueue = new SpscArrayQueue<>(queueCapacity);
        this.txQueue = new SpscArrayQueue<>(queueCapacity);
        this.releaseQueue = new SpscArrayQueue<>(2 * queueCapacity);
        // capacity() is a power of two and at most that many datagrams are queued: twice as many
        // slots means the worker never rewrites a slot the event loop may still be about to read.
        int slots = 2 * txQueue.capacity();
        this.queuedFrameBytes = new int[slots];
        this.queuedMask = slots - 1;
        this.ledger = new SendLedger(counters, ledgerCapacity(writeHighWaterMarkBytes, txQueue.capacity()));
        this.allocator = allocator;
    }

    /** Called by the backend once bound, before the queue is handed to its worker. */
    @Override
    public void attach(Channel boundChannel, int boundPort) {
        this.channel = boundChannel;
        datagrams.setLocalPort(boundPort);
    }

    /** The bound socket (control thread: tests read its options back). */
    @Override
    public Channel channel() {
        return channel;
    }

    /** The handler that moves datagrams from the event loop to the worker's queue. */
    @Override
    public ChannelInboundHandlerAdapter receiveHandler() {
        return new ReceiveHandler();
    }

    /** Largest UDP payload accepted: {@code maxFrameBytes} minus the synthesised headers. */
    @Override
    public int maxPayloadBytes() {
        return datagrams.maxPayloadBytes();
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
        while (batch.size() < batch.receiveCapacity()) {
            DatagramPacket packet = rxQueue.peek();
            if (packet == null) {
                break;
            }
            int frame = pool.allocate();
            if (frame < 0) {
                // The datagram stays queued until the pool has frames again.
                counters.addReceiveFrameWait();
                break;
            }
            rxQueue.poll();
            int length = datagrams.toFrame(packet, memory.packetStart(frame));
            giveBack(packet);
            if (length < 0) {
                pool.release(frame);
                continue;
            }
            batch.add(frame, memory.packetStart(frame), length, port);
            received++;
            bytes += length;
        }
        if (received > 0) {
            counters.addReceived(received, bytes);
        }
        return received;
    }

    /**
     * Hands a copied datagram back to the event loop, which releases it: releasing a pooled buffer
     * on the thread that allocated it keeps Netty's recycling thread-local, while a release here
     * would allocate bookkeeping for the cross-thread free (measured: about 95 bytes per datagram).
     */
    private void giveBack(DatagramPacket packet) {
        if (!releaseQueue.offer(packet)) {
            packet.release();
        }
    }

    /** Event loop: releases the datagrams the worker has finished with. */
    private void releaseReturned() {
        DatagramPacket packet;
        while ((packet = releaseQueue.poll()) != null) {
            packet.release();
        }
    }

    /**
     * Queues the datagrams for the event loop and returns how many were queued; they count as
     * transmitted (or {@code tx-error}) once the event loop has written them (see the class comment).
     */
    @Override
    public int transmit(PacketBatch batch, StageVector slots, FramePool pool) {
        int sent = 0;
        int size = slots.size();
        for (int i = 0; i < size; i++) {
            int slot = slots.slot(i);
            if (queueDatagram(batch.offset[slot], batch.length[slot])) {
                sent++;
            }
            pool.release(batch.frame[slot]);
        }
        if (sent > 0 && drainScheduled.compareAndSet(false, true)) {
            scheduleDrain();
        }
        return sent;
    }

    private void scheduleDrain() {
        try {
            channel.eventLoop().execute(drainTask);
        } catch (RejectedExecutionException e) {
            // Only when the backend was closed under a running worker: nothing will send these.
            // They stay queued (a full queue counts tx-queue-full) and close() counts each of
            // them once as tx-error; counting them here too would count them again each batch.
            drainScheduled.set(false);
        }
    }

    /**
     * Sends the ledger must be able to hold unsettled: every send the channel may hold while it is
     * still writable (its high water mark over the least bytes one send adds to the outbound
     * buffer, Netty's per-entry overhead), plus one. Then the drain never stops for the ledger
     * while the channel would take more, and a stop for the channel is resumed by
     * {@code channelWritabilityChanged}; nothing else would wake it up.
     */
    static int ledgerCapacity(int writeHighWaterMarkBytes, int queueCapacity) {
        long sends = Math.max(Math.max(2, queueCapacity), (long) writeHighWaterMarkBytes / MIN_OUTBOUND_BYTES_PER_SEND + 1);
        return (int) Math.min(1 << 24, Long.highestOneBit(sends - 1) << 1);
    }

    /** Netty's outbound-buffer overhead per entry (ChannelOutboundBuffer, 96 bytes by default): the least one send adds. */
    private static final int MIN_OUTBOUND_BYTES_PER_SEND = 96;

    /** Converts the frame into a datagram (refusals counted) and queues it for the event loop. */
    private boolean queueDatagram(int offset, int length) {
        DatagramPacket datagram = datagrams.toDatagram(offset, length, allocator);
        if (datagram == null) {
            return false;
        }
        // A plain store: the queue's release-store of the datagram publishes it to the event
        // loop, whose acquiring poll of that datagram precedes its read of this slot.
        queuedFrameBytes[(int) queued & queuedMask] = length;
        if (!txQueue.offer(datagram)) {
            datagram.release();
            counters.drop(IoDropReason.TX_QUEUE_FULL);
            return false;
        }
        queued++;
        return true;
    }

    /** Event loop: takes the next queued datagram with its frame bytes ({@link #polledFrameBytes}), or null. */
    private DatagramPacket pollTransmit() {
        DatagramPacket packet = txQueue.poll();
        if (packet != null) {
            polledFrameBytes = queuedFrameBytes[(int) dequeued & queuedMask];
            dequeued++;
        }
        return packet;
    }

    /**
     * Event loop: counts what the socket took since the last pass, then writes every queued
     * datagram (while the channel and the ledger have room) and flushes once (one sendmmsg batch
     * on epoll), then counts what that flush sent.
     */
    private void drainTransmitQueue() {
        drainScheduled.set(false);
        releaseReturned();
        Channel current = channel;
        // The ledger counts on this thread while the worker counts drops: PacketIoCounters adds
        // atomically (getAndAdd), so neither loses an update and readers see every completed add.
        ledger.settle(current);
        int written = 0;
        boolean ledgerFull = false;
        DatagramPacket packet;
        while (current.isWritable() && !(ledgerFull = !ledger.hasRoom(1)) && (packet = pollTransmit()) != null) {
            ledger.write(current, packet, 1, polledFrameBytes);
            written++;
        }
        if (written > 0) {
            current.flush();
            ledger.settle(current);
        }
        if (ledgerFull && !txQueue.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            // Not expected (ledgerCapacity covers a writable channel), but never leave datagrams
            // stranded: look again shortly, when the socket has taken some of what it holds.
            current.eventLoop().schedule(drainTask, LEDGER_FULL_RETRY_MICROS, TimeUnit.MICROSECONDS);
        }
    }

    private static final long LEDGER_FULL_RETRY_MICROS = 100;

    @Override
    public PacketIoCounters counters() {
        return counters;
    }

    /** Datagrams waiting for the worker (a snapshot). */
    public int pendingReceive() {
        return rxQueue.size();
    }

    /**
     * Closes the socket, then releases every datagram still queued in either direction (the
     * transmit queue is emptied on the event loop, its only consumer). Writes the socket had not
     * finished and datagrams still queued count as {@code tx-error}. Holds no frames: receive
     * copies into frames and transmit returns them at once.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (channel == null) {
            return;
        }
        if (!channel.eventLoop().isShuttingDown()) {
            channel.eventLoop().submit(this::closeOnLoop).awaitUninterruptibly();
        }
        channel.close().awaitUninterruptibly();
        releaseTransmitQueue();
        releaseReturned();
        DatagramPacket packet;
        while ((packet = rxQueue.poll()) != null) {
            packet.release();
        }
    }

    /**
     * Event loop: counts what the socket took, then closes it, which fails the writes it still
     * holds, oldest first (each reported to the handler, {@link #closed} being set, and counted as
     * lost), and releases what is queued.
     */
    private void closeOnLoop() {
        ledger.settle(channel);
        channel.close();
        releaseTransmitQueue();
        releaseReturned();
    }

    /** Releases the datagrams queued and never written, each counted as {@code tx-error}: it never leaves. */
    private void releaseTransmitQueue() {
        DatagramPacket packet;
        while ((packet = txQueue.poll()) != null) {
            packet.release();
            counters.drop(IoDropReason.TX_ERROR);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Event-loop side: queues each datagram for the worker; a full queue drops it (counted).
     *
     * <p>Threading: runs on the channel's event loop only.
     */
    private final class ReceiveHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            releaseReturned();
            // Writes the socket took since the last drain (it may have waited for room) count now.
            ledger.settle(ctx.channel());
            if (message instanceof DatagramPacket) {
                DatagramPacket packet = (DatagramPacket) message;
                if (closed || !rxQueue.offer(packet)) {
                    packet.release();
                    counters.drop(IoDropReason.RX_QUEUE_FULL);
                }
            } else {
                ReferenceCountUtil.release(message);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && !txQueue.isEmpty()) {
                drainTransmitQueue();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // With void promises, failed sends surface here, one report per datagram; reads of an
            // unconnected UDP socket do not fail. The ledger counts it as tx-error, not transmitted.
            // Closing: close() set the flag, or the channel was closed under us (group shut down,
            // a read error): either way it fails what it held oldest first.
            ledger.failureReported(ctx.channel(), closed || !ctx.channel().isOpen());
        }
    }
}
