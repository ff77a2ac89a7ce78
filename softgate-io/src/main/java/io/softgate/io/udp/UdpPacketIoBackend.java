package io.softgate.io.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.softgate.core.io.BackendChecks;
import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoBackend;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.VxlanFlyweight;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The default backend ({@code io.backend = udp}): VXLAN over UDP (port 4789 unless configured)
 * on Netty datagram channels, one socket per worker, all bound to the same address and port with
 * SO_REUSEPORT so the kernel spreads flows over the workers' sockets. Epoll when its native
 * library loads (reads with recvmmsg, writes with sendmmsg), NIO otherwise; see
 * {@link #transport()} for what was chosen. Needs no privilege beyond binding the port.
 * Each socket is driven either by its worker thread ({@link UdpEventLoopMode#WORKER}, the default:
 * {@link WorkerDrivenUdpPacketIo}) or by Netty event loop threads ({@link UdpEventLoopMode#SEPARATE}:
 * {@link UdpPacketIo}); see {@link #eventLoop()}.
 *
 * <p>Build it with {@link #builder()}; {@link #open} binds worker {@code w}'s socket. With port 0
 * the first socket gets an ephemeral port and the others share it ({@link #boundPort()}).
 *
 * <p>Threading: {@link #open} and {@link #close} on the control thread; availability from any
 * thread.
 */
public final class UdpPacketIoBackend implements PacketIoBackend {
    /** Backend name in configuration. */
    public static final String NAME = "udp";
    /**
     * Linux SOL_SOCKET level and the busy-poll options (asm-generic/socket.h); Netty's epoll
     * datagram channel ignores its own {@code EpollChannelOption.SO_BUSY_POLL}, so all three are raw.
     */
    private static final int SOL_SOCKET = 1;
    static final IntegerUnixChannelOption SO_BUSY_POLL = new IntegerUnixChannelOption("SO_BUSY_POLL", SOL_SOCKET, 46);
    static final IntegerUnixChannelOption SO_PREFER_BUSY_POLL =
        new IntegerUnixChannelOption("SO_PREFER_BUSY_POLL", SOL_SOCKET, 69);
    static final IntegerUnixChannelOption SO_BUSY_POLL_BUDGET =
        new IntegerUnixChannelOption("SO_BUSY_POLL_BUDGET", SOL_SOCKET, 70);

    private final Settings settings;
    private final UdpTransport transport;
    private final ByteBufAllocator allocator;
    private final List<UdpQueue> opened = new ArrayList<>();
    private EventLoopGroup group;
    private int boundPort;
    private boolean closed;

    private UdpPacketIoBackend(Settings settings) {
        this.settings = settings;
        this.transport = settings.transport;
        // Worker mode allocates and frees Netty buffers on the worker threads, which are not Netty
        // threads: PooledByteBufAllocator.DEFAULT gives those no thread cache (every allocation and
        // free would go to a shared arena under its lock), so this backend has its own allocator
        // with caches for every thread.
        this.allocator = settings.allocator != null ? settings.allocator
            : settings.eventLoop == UdpEventLoopMode.WORKER ? new PooledByteBufAllocator(true, 0, PooledByteBufAllocator.defaultNumDirectArena(),
                PooledByteBufAllocator.defaultPageSize(), PooledByteBufAllocator.defaultMaxOrder(),
                PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(), true)
            : PooledByteBufAllocator.DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return transport.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
        return transport.unavailabilityCause();
    }

    /** The transport actually used here: {@link UdpTransport#EPOLL} or {@link UdpTransport#NIO}. */
    public UdpTransport transport() {
        return transport.resolve();
    }

    /**
     * True when the sockets are opened with busy polling (SO_PREFER_BUSY_POLL, SO_BUSY_POLL,
     * SO_BUSY_POLL_BUDGET): configured and the transport is epoll (NIO cannot set them).
     */
    public boolean busyPolling() {
        return settings.busyPollMicros > 0 && transport.resolve() == UdpTransport.EPOLL;
    }

    /** Which thread drives each worker's socket. */
    public UdpEventLoopMode eventLoop() {
        return settings.eventLoop;
    }

    /**
     * True when worker-driven queues join equal-sized datagrams to one VTEP into UDP GSO sends:
     * configured ({@link Builder#segmentation}), the worker event-loop mode, the epoll transport, and
     * a kernel with {@code UDP_SEGMENT}. A queue whose route refuses such a send turns it off for
     * itself and sends one datagram per send from then on.
     */
    public boolean segmentation() {
        return settings.segmentation && settings.eventLoop == UdpEventLoopMode.WORKER
            && transport.resolve() == UdpTransport.EPOLL && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
    }

    /** The UDP port the sockets are bound to (the ephemeral one when configured as 0), or 0 before the first open. */
    public synchronized int boundPort() {
        return boundPort != 0 ? boundPort : settings.port;
    }

    @Override
    public synchronized PacketIo open(int workerId, int workerCount, FramePool pool) throws IOException {
        BackendChecks.checkOpen(NAME, closed, workerId, workerCount);
        ensureAvailable();
        boolean anyOpen = false;
        for (UdpQueue queue : opened) {
            anyOpen |= !queue.isClosed();
        }
        int port = settings.port == 0 && !anyOpen ? 0 : boundPort();
        String queueName = NAME + ":" + workerId;
        Channel channel;
        UdpQueue queue;
        if (settings.eventLoop == UdpEventLoopMode.WORKER) {
            queue = new WorkerDrivenUdpPacketIo(queueName, pool, settings.queueCapacity, settings.localMac,
                settings.peerMac, settings.vtepAddress, settings.maxFrameBytes, transport.ioHandlerFactory(), allocator,
                segmentation());
            channel = bindForWorker(queue, port);
        } else {
            if (group == null) {
                group = new MultiThreadIoEventLoopGroup(Math.min(settings.ioThreads, workerCount),
                    new DefaultThreadFactory("softgate-udp", true), transport.ioHandlerFactory());
            }
            // The channel's write high water mark is sendBufferBytes (bind below).
            queue = new UdpPacketIo(queueName, pool, settings.queueCapacity, settings.localMac,
                settings.peerMac, settings.vtepAddress, settings.maxFrameBytes, allocator, settings.sendBufferBytes);
            channel = bind(queue, port, group);
        }
        int actualPort = ((InetSocketAddress) channel.localAddress()).getPort();
        boundPort = actualPort;
        queue.attach(channel, actualPort);
        opened.add(queue);
        return queue;
    }

    /**
     * Binds on a loop owned by this (control) thread, then deregisters the socket so its worker can
     * register it on a loop the worker owns: a {@link ManualIoEventLoop}'s owner is fixed at
     * construction, and the worker thread does not exist yet. Datagrams arriving in between wait in
     * the socket's receive buffer.
     */
    private Channel bindForWorker(UdpQueue queue, int port) throws IOException {
        ManualIoEventLoop bindLoop = new ManualIoEventLoop(Thread.currentThread(), transport.ioHandlerFactory());
        try {
            bindLoop.runNow();
            Channel channel = bind(queue, port, bindLoop);
            ChannelFuture deregistered = channel.deregister();
            driveUntilDone(bindLoop, deregistered);
            if (!deregistered.isSuccess()) {
                channel.close();
                driveUntilDone(bindLoop, channel.closeFuture());
                throw new IOException("cannot hand UDP " + settings.bindAddressText + ":" + port
                    + " over to its worker: " + deregistered.cause(), deregistered.cause());
            }
            return channel;
        } finally {
            driveUntilDone(bindLoop, bindLoop.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS));
        }
    }

    /** Runs a loop this thread owns until {@code future} completes (each pass returns at once when idle). */
    private static void driveUntilDone(ManualIoEventLoop loop, Future<?> future) {
        while (!future.isDone()) {
            loop.runNow();
            if (!future.isDone()) {
                Thread.onSpinWait();
            }
        }
    }

    private Channel bind(UdpQueue queue, int port, EventLoopGroup loops) throws IOException {
        // One byte more than the largest payload, so an oversize datagram is seen as too long
        // instead of arriving silently cut to the buffer size.
        int segmentBytes = queue.maxPayloadBytes() + 1;
        Bootstrap bootstrap = new Bootstrap()
            .group(loops)
            .channelFactory(transport.channelFactory())
            .option(ChannelOption.ALLOCATOR, allocator)
            .option(ChannelOption.SO_RCVBUF, settings.receiveBufferBytes)
            .option(ChannelOption.SO_SNDBUF, settings.sendBufferBytes)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(settings.sendBufferBytes / 2, settings.sendBufferBytes))
            .handler(queue.receiveHandler());
        if (transport.resolve() == UdpTransport.EPOLL) {
            // recvmmsg: each read fills one buffer with up to datagramsPerRead segments of segmentBytes.
            // Worker mode: one recvmmsg per readiness, so a receive call reads a bounded amount.
            int readsPerPass = settings.eventLoop == UdpEventLoopMode.WORKER ? 1 : settings.readsPerWakeup;
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, segmentBytes)
                .option(ChannelOption.RECVBUF_ALLOCATOR,
                    new FixedRecvByteBufAllocator(segmentBytes * settings.datagramsPerRead)
                        .maxMessagesPerRead(readsPerPass));
        } else {
            bootstrap.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true)
                .option(ChannelOption.RECVBUF_ALLOCATOR,
                    new FixedRecvByteBufAllocator(segmentBytes).maxMessagesPerRead(settings.datagramsPerRead));
        }
        ChannelFuture future = bootstrap.bind(new InetSocketAddress(settings.bindAddressText, port));
        if (loops instanceof ManualIoEventLoop manual) {
            driveUntilDone(manual, future);
        } else {
            future.awaitUninterruptibly();
        }
        if (!future.isSuccess()) {
            throw new IOException("cannot bind UDP " + settings.bindAddressText + ":" + port + " ("
                + transport.resolve() + "): " + future.cause().getMessage(), future.cause());
        }
        Channel channel = future.channel();
        if (settings.busyPollMicros > 0 && transport.resolve() == UdpTransport.EPOLL) {
            // When a read finds the queue empty, the kernel polls the device's NAPI context from
            // this thread (once: the read is non-blocking) instead of leaving receive to softirq,
            // the livelock cure when the event loop shares a core with the kernel's receive work.
            // Pair it with the device's napi_defer_hard_irqs and gro_flush_timeout (BUILD-FACTS).
            // Set here, not as bootstrap options, which would only log a failure.
            try {
                channel.config().setOption(SO_PREFER_BUSY_POLL, 1);
                channel.config().setOption(SO_BUSY_POLL, settings.busyPollMicros);
                channel.config().setOption(SO_BUSY_POLL_BUDGET, settings.busyPollBudget);
            } catch (ChannelException e) {
                channel.close().awaitUninterruptibly();
                throw new IOException("cannot set busy polling on UDP " + settings.bindAddressText + ":" + port
                    + " (SO_PREFER_BUSY_POLL, SO_BUSY_POLL, SO_BUSY_POLL_BUDGET need CAP_NET_ADMIN): " + e.getMessage(), e);
            }
        }
        return channel;
    }

    /** Closes every socket, releases every queued buffer and stops the event loops. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (UdpQueue queue : opened) {
            queue.close();
        }
        opened.clear();
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            group = null;
        }
    }

    /** Settings checked by the builder; never changed after {@link Builder#build()}. */
    private static final class Settings {
        String bindAddressText;
        int vtepAddress;
        int port;
        long localMac;
        long peerMac;
        int maxFrameBytes;
        int queueCapacity;
        int receiveBufferBytes;
        int sendBufferBytes;
        int datagramsPerRead;
        int readsPerWakeup;
        int ioThreads;
        UdpEventLoopMode eventLoop;
        ByteBufAllocator allocator;
        int busyPollMicros;
        int busyPollBudget;
        UdpTransport transport;
        boolean segmentation;
    }

    /**
     * Configures a {@link UdpPacketIoBackend}; every setting has a default except the MACs, which
     * default to locally administered placeholders.
     *
     * <p>Threading: confined to the building thread.
     */
    public static final class Builder {
        private String bindAddress = "0.0.0.0";
        private String vtepAddress;
        private int port = VxlanFlyweight.UDP_PORT;
        private long localMac = 0x02_00_00_00_00_01L;
        private long peerMac = 0x02_00_00_00_00_02L;
        private int maxFrameBytes = 1920;
        private int queueCapacity = 4096;
        private int receiveBufferBytes = 8 << 20;
        private int sendBufferBytes = 8 << 20;
        private int datagramsPerRead = 32;
        private int readsPerWakeup = 16;
        private int ioThreads = 1;
        private UdpEventLoopMode eventLoop = UdpEventLoopMode.WORKER;
        private ByteBufAllocator allocator;
        private int busyPollMicros;
        private int busyPollBudget = 64;
        private UdpTransport transport = UdpTransport.AUTO;
        private boolean segmentation = true;

        /** IPv4 address to bind (default {@code 0.0.0.0}; then {@link #vtepAddress} must be set). */
        public Builder bindAddress(String address) {
            this.bindAddress = address;
            return this;
        }

        /** Our VTEP address: the destination written into synthesised outer IPv4 headers (default: the bind address). */
        public Builder vtepAddress(String address) {
            this.vtepAddress = address;
            return this;
        }

        /** UDP port to bind (default 4789, RFC 7348 §5; 0 = ephemeral, for tests). */
        public Builder port(int udpPort) {
            this.port = udpPort;
            return this;
        }

        /** Our MAC: the destination of synthesised outer Ethernet headers. */
        public Builder localMac(long mac) {
            this.localMac = mac;
            return this;
        }

        /** The source MAC written into synthesised outer Ethernet headers (the kernel hides the real one). */
        public Builder peerMac(long mac) {
            this.peerMac = mac;
            return this;
        }

        /** Largest outer frame in bytes, synthesised headers included (default 1920: a default frame minus headroom). */
        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = bytes;
            return this;
        }

        /**
         * Capacity of each worker's receive and transmit hand-over queues in separate mode, and of
         * the ring holding datagrams read but not yet fitted into a batch in worker mode, in
         * datagrams (default 4096).
         */
        public Builder queueCapacity(int datagrams) {
            this.queueCapacity = datagrams;
            return this;
        }

        /** SO_RCVBUF in bytes (default 8 MiB; the kernel caps it at net.core.rmem_max). */
        public Builder receiveBufferBytes(int bytes) {
            this.receiveBufferBytes = bytes;
            return this;
        }

        /** SO_SNDBUF in bytes (default 8 MiB; the kernel caps it at net.core.wmem_max). */
        public Builder sendBufferBytes(int bytes) {
            this.sendBufferBytes = bytes;
            return this;
        }

        /** Datagrams per recvmmsg call on epoll (default 32); on NIO, datagrams per read loop. */
        public Builder datagramsPerRead(int datagrams) {
            this.datagramsPerRead = datagrams;
            return this;
        }

        /** Read calls per readiness event on epoll before yielding to other channels (default 16). */
        public Builder readsPerWakeup(int reads) {
            this.readsPerWakeup = reads;
            return this;
        }

        /**
         * Which thread drives each worker's socket (default {@link UdpEventLoopMode#WORKER}: the
         * worker itself, no hand-off; {@link UdpEventLoopMode#SEPARATE}: Netty event loop threads).
         */
        public Builder eventLoop(UdpEventLoopMode mode) {
            this.eventLoop = mode;
            return this;
        }

        /** Tests: the Netty buffer allocator (default: chosen by the event-loop mode). */
        Builder allocator(ByteBufAllocator bufferAllocator) {
            this.allocator = bufferAllocator;
            return this;
        }

        /** Netty event loop threads shared by the sockets in {@link UdpEventLoopMode#SEPARATE} mode (default 1; at most one per worker is used). */
        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /**
         * Busy polling on every socket (epoll only; ignored on NIO, see {@link #busyPolling()}):
         * SO_PREFER_BUSY_POLL 1, SO_BUSY_POLL {@code micros}, SO_BUSY_POLL_BUDGET {@code budget}
         * packets. Default off ({@code micros} 0). Setting them needs CAP_NET_ADMIN.
         */
        public Builder busyPoll(int micros, int budget) {
            this.busyPollMicros = micros;
            this.busyPollBudget = budget;
            return this;
        }

        /**
         * Join runs of equal-sized datagrams to one destination into UDP GSO sends (default true;
         * takes effect only where {@link UdpPacketIoBackend#segmentation()} says so).
         */
        public Builder segmentation(boolean enabled) {
            this.segmentation = enabled;
            return this;
        }

        /** Transport (default {@link UdpTransport#AUTO}). */
        public Builder transport(UdpTransport udpTransport) {
            this.transport = udpTransport;
            return this;
        }

        /** Checks the settings; throws {@link IllegalArgumentException} naming the bad one. */
        public UdpPacketIoBackend build() {
            Settings settings = new Settings();
            int bind = parseAddress("bindAddress", bindAddress);
            settings.bindAddressText = bindAddress;
            String vtep = vtepAddress != null ? vtepAddress : bindAddress;
            settings.vtepAddress = parseAddress("vtepAddress", vtep);
            if (settings.vtepAddress == 0) {
                throw new IllegalArgumentException("vtepAddress must be set when bindAddress is " + bindAddress
                    + " (bind " + Ipv4Flyweight.format(bind) + ")");
            }
            settings.port = check("port", port, 0, 65535);
            settings.localMac = localMac;
            settings.peerMac = peerMac;
            settings.maxFrameBytes = check("maxFrameBytes", maxFrameBytes, UdpPacketIo.OUTER_HEADER_BYTES + 1, 65535);
            settings.queueCapacity = check("queueCapacity", queueCapacity, 2, 1 << 20);
            settings.receiveBufferBytes = check("receiveBufferBytes", receiveBufferBytes, 4096, Integer.MAX_VALUE);
            settings.sendBufferBytes = check("sendBufferBytes", sendBufferBytes, 4096, Integer.MAX_VALUE);
            settings.datagramsPerRead = check("datagramsPerRead", datagramsPerRead, 1, 1024);
            settings.readsPerWakeup = check("readsPerWakeup", readsPerWakeup, 1, 1024);
            settings.ioThreads = check("ioThreads", ioThreads, 1, 256);
            settings.busyPollMicros = check("busyPollMicros", busyPollMicros, 0, 1_000_000);
            settings.busyPollBudget = check("busyPollBudget", busyPollBudget, 1, 65535);
            if (transport == null) {
                throw new IllegalArgumentException("transport must be set");
            }
            settings.transport = transport;
            if (eventLoop == null) {
                throw new IllegalArgumentException("eventLoop must be set");
            }
            settings.eventLoop = eventLoop;
            settings.allocator = allocator;
            settings.segmentation = segmentation;
            return new UdpPacketIoBackend(settings);
        }

        private static int parseAddress(String field, String text) {
            try {
                return Ipv4Flyweight.parse(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(field + " is not an IPv4 address: " + text, e);
            }
        }

        private static int check(String field, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "]: " + value);
            }
            return value;
        }
    }
}
