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
    private final ByteBufAllocator allocator;
    private Channel channel;
    private volatile boolean closed;

    UdpPacketIo(String name, FramePool pool, int queueCapacity, long localMac, long peerMac, int localAddress,
                int maxFrameBytes, ByteBufAllocator allocator) {
        this.name = name;
        this.datagrams = new DatagramFrames(pool.memory(), counters, localMac, peerMac, localAddress, maxFrameBytes);
        this.rxQueue = new SpscArrayQueue<>(queueCapacity);
        this.txQueue = new SpscArrayQueue<>(queueCapacity);
        this.releaseQueue = new SpscArrayQueue<>(2 * queueCapacity);
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
        while (batch.size() < batch.capacity()) {
            DatagramPacket packet = rxQueue.peek();
            if (packet == null) {
                break;
            }
            int frame = pool.allocate();
            if (frame < 0) {
                // The datagram stays queued until the pool has frames again.
                counters.drop(IoDropReason.NO_FREE_FRAME);
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

    @Override
    public int transmit(PacketBatch batch, StageVector slots, FramePool pool) {
        int sent = 0;
        long bytes = 0;
        int size = slots.size();
        for (int i = 0; i < size; i++) {
            int slot = slots.slot(i);
            int length = batch.length[slot];
            if (queueDatagram(batch.offset[slot], length)) {
                sent++;
                bytes += length;
            }
            pool.release(batch.frame[slot]);
        }
        if (sent > 0) {
            counters.addTransmitted(sent, bytes);
            if (drainScheduled.compareAndSet(false, true)) {
                scheduleDrain();
            }
        }
        return sent;
    }

    private void scheduleDrain() {
        try {
            channel.eventLoop().execute(drainTask);
        } catch (RejectedExecutionException e) {
            // Only when the backend was closed under a running worker: nothing will send these.
            drainScheduled.set(false);
            counters.drop(IoDropReason.TX_ERROR, txQueue.size());
        }
    }

    /** Converts the frame into a datagram (refusals counted) and queues it for the event loop. */
    private boolean queueDatagram(int offset, int length) {
        DatagramPacket datagram = datagrams.toDatagram(offset, length, allocator);
        if (datagram == null) {
            return false;
        }
        if (!txQueue.offer(datagram)) {
            datagram.release();
            counters.drop(IoDropReason.TX_QUEUE_FULL);
            return false;
        }
        return true;
    }

    /** Event loop: writes every queued datagram and flushes once (one sendmmsg batch on epoll). */
    private void drainTransmitQueue() {
        drainScheduled.set(false);
        releaseReturned();
        Channel current = channel;
        int written = 0;
        DatagramPacket packet;
        while (current.isWritable() && (packet = txQueue.poll()) != null) {
            current.write(packet, current.voidPromise());
            written++;
        }
        if (written > 0) {
            current.flush();
        }
    }

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
     * transmit queue is emptied on the event loop, its only consumer). Holds no frames: receive
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
        channel.close().awaitUninterruptibly();
        if (!channel.eventLoop().isShuttingDown()) {
            channel.eventLoop().submit(this::releaseTransmitQueue).awaitUninterruptibly();
            channel.eventLoop().submit(this::releaseReturned).awaitUninterruptibly();
        }
        releaseTransmitQueue();
        releaseReturned();
        DatagramPacket packet;
        while ((packet = rxQueue.poll()) != null) {
            packet.release();
        }
    }

    private void releaseTransmitQueue() {
        DatagramPacket packet;
        while ((packet = txQueue.poll()) != null) {
            packet.release();
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
            // With void promises, failed sends surface here; reads of an unconnected UDP socket do not fail.
            counters.drop(IoDropReason.TX_ERROR);
        }
    }
}
