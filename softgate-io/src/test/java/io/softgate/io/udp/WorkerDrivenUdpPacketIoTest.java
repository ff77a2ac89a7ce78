package io.softgate.io.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.softgate.core.io.ConformanceFrames;
import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The UDP backend's {@code eventLoop = worker} mode: the mode switch, reads bounded per receive
 * call, and close from the control thread after the worker thread stopped, without leaking a
 * Netty buffer (every buffer the backend allocated is tracked and must end with reference count
 * 0; Netty's leak detector runs at paranoid level meanwhile), a frame or a file descriptor.
 */
class WorkerDrivenUdpPacketIoTest {
    private static final long LOCAL_MAC = 0x02_00_00_00_0C_01L;
    private static final long PEER_MAC = 0x02_00_00_00_0C_02L;
    private static final int LOOPBACK = 0x7F000001;
    private static final int FRAMES = 256;
    private static final int DATAGRAMS_PER_READ = 8;
    private static ResourceLeakDetector.Level previousLeakLevel;

    private final FrameMemory memory = new FrameMemory(FRAMES);
    private final FramePool pool = new FramePool(memory);
    private final List<ByteBuf> allocated = Collections.synchronizedList(new ArrayList<>());
    private final List<DatagramSocket> peers = new ArrayList<>();
    private UdpPacketIoBackend backend;

    @BeforeAll
    static void paranoidLeakDetection() {
        previousLeakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterAll
    static void restoreLeakDetection() {
        ResourceLeakDetector.setLevel(previousLeakLevel);
    }

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
        for (DatagramSocket peer : peers) {
            peer.close();
        }
    }

    private UdpPacketIoBackend backend(UdpEventLoopMode mode) {
        UdpPacketIoBackend.Builder builder = UdpPacketIoBackend.builder().bindAddress("127.0.0.1").port(0)
            .localMac(LOCAL_MAC).peerMac(PEER_MAC).maxFrameBytes(1500).queueCapacity(128)
            .datagramsPerRead(DATAGRAMS_PER_READ).transport(UdpTransport.EPOLL).allocator(trackingAllocator());
        if (mode != null) {
            builder.eventLoop(mode);
        }
        backend = builder.build();
        Assumptions.assumeTrue(backend.isAvailable(), () -> "epoll unavailable: " + backend.unavailabilityCause());
        return backend;
    }

    /** A pooled allocator that remembers every buffer it hands out. */
    private ByteBufAllocator trackingAllocator() {
        ByteBufAllocator pooled = new PooledByteBufAllocator(true, 0, 1, 8192, 9, 64, 64, true);
        return (ByteBufAllocator) Proxy.newProxyInstance(ByteBufAllocator.class.getClassLoader(),
            new Class<?>[] {ByteBufAllocator.class}, (proxy, method, arguments) -> {
                try {
                    Object result = method.invoke(pooled, arguments);
                    if (result instanceof ByteBuf buffer) {
                        allocated.add(buffer);
                    }
                    return result;
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    private void assertEveryBufferReleased() {
        synchronized (allocated) {
            assertFalse(allocated.isEmpty(), "the backend allocated through the tracking allocator");
            int live = 0;
            for (ByteBuf buffer : allocated) {
                live += buffer.refCnt() > 0 ? 1 : 0;
            }
            assertEquals(0, live, "buffers still referenced of " + allocated.size() + " allocated");
        }
    }

    private DatagramSocket peer() throws IOException {
        DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        peer.setSoTimeout(10_000);
        peers.add(peer);
        return peer;
    }

    private void send(DatagramSocket peer, int count, int length) throws IOException {
        for (int i = 0; i < count; i++) {
            byte[] payload = ConformanceFrames.udpPayload(ConformanceFrames.inbound(
                new Endpoints(LOCAL_MAC, PEER_MAC, LOOPBACK, LOOPBACK, backend.boundPort(), peer.getLocalPort()), i,
                length));
            peer.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), backend.boundPort()));
        }
    }

    private int drainOnce(PacketIo io, PacketBatch batch) {
        batch.clear();
        int received = io.receive(batch, 0, pool);
        for (int slot = 0; slot < received; slot++) {
            pool.release(batch.frame[slot]);
        }
        return received;
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }

    @Test
    void shouldDefaultToTheWorkerDrivenEventLoop() {
        UdpPacketIoBackend configured = UdpPacketIoBackend.builder().bindAddress("127.0.0.1").build();

        assertEquals(UdpEventLoopMode.WORKER, configured.eventLoop());
    }

    @Test
    void shouldRunTheSocketsEventLoopOnTheCallingThreadInWorkerMode() throws IOException {
        PacketIo io = backend(UdpEventLoopMode.WORKER).open(0, 1, pool);

        drainOnce(io, new PacketBatch(memory, 4));

        assertInstanceOf(WorkerDrivenUdpPacketIo.class, io);
        assertTrue(((UdpQueue) io).channel().eventLoop().inEventLoop(), "the receiving thread owns the loop");
    }

    @Test
    void shouldRunTheSocketsEventLoopOnANettyThreadInSeparateMode() throws IOException {
        PacketIo io = backend(UdpEventLoopMode.SEPARATE).open(0, 1, pool);

        drainOnce(io, new PacketBatch(memory, 4));

        assertInstanceOf(UdpPacketIo.class, io);
        assertFalse(((UdpQueue) io).channel().eventLoop().inEventLoop(), "a Netty thread owns the loop");
    }

    @Test
    void shouldReadAtMostTwoRecvmmsgBatchesPerReceiveCall() throws IOException, InterruptedException {
        PacketIo io = backend(UdpEventLoopMode.WORKER).open(0, 1, pool);
        WorkerDrivenUdpPacketIo queue = (WorkerDrivenUdpPacketIo) io;
        PacketBatch batch = new PacketBatch(memory, 4);
        drainOnce(io, batch);
        int sent = 100;
        send(peer(), sent, 80);
        // Lets loopback deliver them all into the socket's receive buffer (not a timing assertion).
        Thread.sleep(200);

        int received = 0;
        int mostHeld = 0;
        long deadline = System.currentTimeMillis() + 10_000;
        while (received < sent && System.currentTimeMillis() < deadline) {
            received += drainOnce(io, batch);
            mostHeld = Math.max(mostHeld, queue.heldCount());
        }

        assertEquals(sent, received);
        assertEquals(0, io.counters().totalDrops(), () -> io.counters().toString());
        // One readiness pass and one continuation task per call: at most 2 x 8 read, 4 of them fit.
        assertTrue(mostHeld > 0 && mostHeld <= 2 * DATAGRAMS_PER_READ - batch.capacity(),
            "most datagrams held over between calls: " + mostHeld);
    }

    @Test
    void shouldReleaseEverythingWhenClosedFromTheControlThreadAfterTheWorkerStopped() throws Exception {
        backend(UdpEventLoopMode.WORKER).open(0, 1, pool).close();
        DatagramSocket peer = peer();
        long descriptorsBefore = openFileDescriptors();
        PacketIo io = backend.open(0, 1, pool);
        send(peer, 64, 120);
        Thread.sleep(200);
        AtomicInteger echoed = new AtomicInteger();
        AtomicInteger heldAtStop = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();

        Thread worker = new Thread(() -> {
            try {
                PacketBatch batch = new PacketBatch(memory, 4);
                StageVector slots = new StageVector(4);
                for (int round = 0; round < 3; round++) {
                    batch.clear();
                    slots.clear();
                    int received = io.receive(batch, 0, pool);
                    for (int slot = 0; slot < received; slot++) {
                        byte[] reply = ConformanceFrames.outbound(new Endpoints(LOCAL_MAC, PEER_MAC, LOOPBACK, LOOPBACK,
                            backend.boundPort(), peer.getLocalPort()), slot, 100);
                        memory.buffer().putBytes(batch.offset[slot], reply);
                        batch.length[slot] = reply.length;
                        slots.add(slot);
                    }
                    echoed.addAndGet(io.transmit(batch, slots, pool));
                }
                heldAtStop.set(((WorkerDrivenUdpPacketIo) io).heldCount());
                io.onWorkerClose();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "udp-test-worker");
        worker.start();
        worker.join(30_000);

        assertFalse(worker.isAlive());
        assertEquals(null, failure.get());
        assertTrue(echoed.get() > 0, "the worker echoed datagrams");
        assertTrue(heldAtStop.get() > 0, "datagrams were still held when the worker stopped");
        io.close();
        backend.close();
        assertEquals(FRAMES, pool.available(), "frames back in the pool");
        assertEveryBufferReleased();
        assertTrue(openFileDescriptors() <= descriptorsBefore,
            "file descriptors before: " + descriptorsBefore + ", after: " + openFileDescriptors());
    }

    @Test
    void shouldReleaseEverythingWhenClosingAQueueNoWorkerEverUsed() throws Exception {
        backend(UdpEventLoopMode.WORKER).open(0, 1, pool).close();
        DatagramSocket peer = peer();
        long descriptorsBefore = openFileDescriptors();
        PacketIo io = backend.open(0, 1, pool);
        send(peer, 16, 120);
        Thread.sleep(200);

        io.close();
        backend.close();

        assertEquals(FRAMES, pool.available());
        assertTrue(openFileDescriptors() <= descriptorsBefore,
            "file descriptors before: " + descriptorsBefore + ", after: " + openFileDescriptors());
        synchronized (allocated) {
            for (ByteBuf buffer : allocated) {
                assertEquals(0, buffer.refCnt(), "buffer released");
            }
        }
    }
}
