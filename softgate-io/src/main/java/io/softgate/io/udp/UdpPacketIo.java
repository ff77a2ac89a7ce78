package io.softgate.io.udp;

import io.netty.buffer.ByteBuf;
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
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.UdpFlyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.concurrent.UnsafeBuffer;
import org.jctools.queues.SpscArrayQueue;

/**
 * One worker's UDP socket carrying VXLAN: Netty's event loop reads datagrams (in batches, with
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
public final class UdpPacketIo implements PacketIo {
    /** Bytes of the synthesised outer Ethernet, IPv4 and UDP headers in front of each datagram. */
    public static final int OUTER_HEADER_BYTES = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH
        + UdpFlyweight.HEADER_LENGTH;
    /** TTL written into synthesised outer IPv4 headers. */
    public static final int SYNTHESISED_TTL = 64;

    private final String name;
    private final UnsafeBuffer frames;
    private final SpscArrayQueue<DatagramPacket> rxQueue;
    private final SpscArrayQueue<DatagramPacket> txQueue;
    /** Received datagrams the worker has copied, going back to the event loop to be released there. */
    private final SpscArrayQueue<DatagramPacket> releaseQueue;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainTransmitQueue;
    private final PacketIoCounters counters = new PacketIoCounters();
    private final DestinationCache destinations = new DestinationCache();
    private final UnsafeBuffer nettyView = new UnsafeBuffer(0, 0);
    private final byte[] heapScratch;
    private final long localMac;
    private final long peerMac;
    private final int localAddress;
    private int localPort;
    private final int maxFrameBytes;
    private final int maxPayloadBytes;
    private final ByteBufAllocator allocator;
    private Channel channel;
    private volatile boolean closed;

    UdpPacketIo(String name, FramePool pool, int queueCapacity, long localMac, long peerMac, int localAddress,
                int localPort, int maxFrameBytes, ByteBufAllocator allocator) {
        FrameMemory memory = pool.memory();
        int room = memory.frameSize() - memory.headroom();
        if (maxFrameBytes <= OUTER_HEADER_BYTES || maxFrameBytes > room) {
            throw new IllegalArgumentException("maxFrameBytes must be in (" + OUTER_HEADER_BYTES + ", " + room
                + "] (frame size minus headroom): " + maxFrameBytes);
        }
        this.name = name;
        this.frames = memory.buffer();
        this.rxQueue = new SpscArrayQueue<>(queueCapacity);
        this.txQueue = new SpscArrayQueue<>(queueCapacity);
        this.releaseQueue = new SpscArrayQueue<>(2 * queueCapacity);
        this.localMac = localMac;
        this.peerMac = peerMac;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.maxFrameBytes = maxFrameBytes;
        this.maxPayloadBytes = maxFrameBytes - OUTER_HEADER_BYTES;
        this.heapScratch = new byte[maxPayloadBytes];
        this.allocator = allocator;
    }

    /** Called by the backend once bound, before the queue is handed to its worker. */
    void attach(Channel boundChannel) {
        this.channel = boundChannel;
    }

    /** The bound socket (control thread: tests read its options back). */
    Channel channel() {
        return channel;
    }

    /** The port written as destination into synthesised UDP headers: the one actually bound. */
    void setLocalPort(int port) {
        this.localPort = port;
    }

    /** The handler that moves datagrams from the event loop to the worker's queue. */
    ChannelInboundHandlerAdapter receiveHandler() {
        return new ReceiveHandler();
    }

    /** Largest UDP payload accepted: {@code maxFrameBytes} minus the synthesised headers. */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
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
            int length = toFrame(packet, memory.packetStart(frame));
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

    /** Writes outer headers and the datagram at {@code start}; returns the frame length, or -1 (counted). */
    private int toFrame(DatagramPacket packet, int start) {
        ByteBuf content = packet.content();
        int payloadLength = content.readableBytes();
        if (payloadLength > maxPayloadBytes) {
            counters.drop(IoDropReason.RX_OVERSIZE);
            return -1;
        }
        InetSocketAddress sender = packet.sender();
        InetAddress senderAddress = sender == null ? null : sender.getAddress();
        if (!(senderAddress instanceof Inet4Address)) {
            counters.drop(IoDropReason.RX_UNSUPPORTED_PEER);
            return -1;
        }
        // Inet4Address.hashCode() is its address as an int (network order, first octet highest);
        // getAddress() would allocate a copy per datagram.
        int sourceAddress = senderAddress.hashCode();
        writeOuterHeaders(start, sourceAddress, sender.getPort(), payloadLength);
        int payloadStart = start + OUTER_HEADER_BYTES;
        if (content.hasMemoryAddress()) {
            nettyView.wrap(content.memoryAddress() + content.readerIndex(), payloadLength);
            frames.putBytes(payloadStart, nettyView, 0, payloadLength);
        } else {
            content.getBytes(content.readerIndex(), heapScratch, 0, payloadLength);
            frames.putBytes(payloadStart, heapScratch, 0, payloadLength);
        }
        return OUTER_HEADER_BYTES + payloadLength;
    }

    private void writeOuterHeaders(int start, int sourceAddress, int sourcePort, int payloadLength) {
        EthernetFlyweight.destinationMac(frames, start, localMac);
        EthernetFlyweight.sourceMac(frames, start, peerMac);
        EthernetFlyweight.etherType(frames, start, EthernetFlyweight.ETHER_TYPE_IPV4);
        int ip = start + EthernetFlyweight.HEADER_LENGTH;
        int ipLength = Ipv4Flyweight.MIN_HEADER_LENGTH + UdpFlyweight.HEADER_LENGTH + payloadLength;
        frames.putLong(ip, 0L);
        frames.putLong(ip + 8, 0L);
        frames.putByte(ip + Ipv4Flyweight.VERSION_IHL_OFFSET, (byte) 0x45);
        Ipv4Flyweight.totalLength(frames, ip, ipLength);
        Ipv4Flyweight.ttl(frames, ip, SYNTHESISED_TTL);
        frames.putByte(ip + Ipv4Flyweight.PROTOCOL_OFFSET, (byte) Ipv4Flyweight.PROTOCOL_UDP);
        Ipv4Flyweight.source(frames, ip, sourceAddress);
        Ipv4Flyweight.destination(frames, ip, localAddress);
        Ipv4Flyweight.updateChecksum(frames, ip);
        int udp = ip + Ipv4Flyweight.MIN_HEADER_LENGTH;
        UdpFlyweight.sourcePort(frames, udp, sourcePort);
        UdpFlyweight.destinationPort(frames, udp, localPort);
        UdpFlyweight.length(frames, udp, UdpFlyweight.HEADER_LENGTH + payloadLength);
        // RFC 7348 §5: the outer UDP checksum SHOULD be zero for VXLAN over IPv4; the kernel checked it.
        UdpFlyweight.checksum(frames, udp, 0);
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
            } else if (queueDatagram(batch.offset[slot], length)) {
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

    /** Finds the outer IPv4/UDP headers, copies the UDP payload into a Netty buffer and queues it. */
    private boolean queueDatagram(int offset, int length) {
        int ethernetLength = EthernetFlyweight.headerLength(frames, offset, length);
        if (ethernetLength < 0
            || EthernetFlyweight.payloadEtherType(frames, offset, ethernetLength) != EthernetFlyweight.ETHER_TYPE_IPV4) {
            counters.drop(IoDropReason.TX_MALFORMED);
            return false;
        }
        int ip = offset + ethernetLength;
        int ipHeaderLength = Ipv4Flyweight.validate(frames, ip, length - ethernetLength);
        if (ipHeaderLength < 0 || Ipv4Flyweight.protocol(frames, ip) != Ipv4Flyweight.PROTOCOL_UDP
            || Ipv4Flyweight.isFragment(frames, ip)) {
            counters.drop(IoDropReason.TX_MALFORMED);
            return false;
        }
        int udp = ip + ipHeaderLength;
        int udpRoom = Ipv4Flyweight.totalLength(frames, ip) - ipHeaderLength;
        int udpLength = udpRoom >= UdpFlyweight.HEADER_LENGTH ? UdpFlyweight.length(frames, udp) : -1;
        if (udpLength < UdpFlyweight.HEADER_LENGTH || udpLength > udpRoom) {
            counters.drop(IoDropReason.TX_MALFORMED);
            return false;
        }
        int payloadLength = udpLength - UdpFlyweight.HEADER_LENGTH;
        InetSocketAddress recipient = destinations.get(Ipv4Flyweight.destination(frames, ip),
            UdpFlyweight.destinationPort(frames, udp));
        ByteBuf payload = allocator.directBuffer(payloadLength, payloadLength);
        if (payload.hasMemoryAddress()) {
            nettyView.wrap(payload.memoryAddress() + payload.writerIndex(), payloadLength);
            nettyView.putBytes(0, frames, udp + UdpFlyweight.HEADER_LENGTH, payloadLength);
        } else {
            frames.getBytes(udp + UdpFlyweight.HEADER_LENGTH, heapScratch, 0, Math.min(payloadLength, heapScratch.length));
            payload.setBytes(payload.writerIndex(), heapScratch, 0, Math.min(payloadLength, heapScratch.length));
        }
        payload.writerIndex(payload.writerIndex() + payloadLength);
        if (!txQueue.offer(new DatagramPacket(payload, recipient))) {
            payload.release();
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

    boolean isClosed() {
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
