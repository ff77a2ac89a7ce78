package io.softgate.io.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.softgate.core.io.ConformanceFrames;
import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoCounters;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.io.jnr.NetworkNamespace;
import io.softgate.io.jnr.TestNamespaces;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The separate event-loop mode's transmit counters when some writes fail: one batch interleaves
 * datagrams the kernel takes with datagrams it refuses, and every datagram handed to transmit must
 * end as exactly one of transmitted (the ones the peer received, with their frame bytes) or
 * {@code tx-error} (the refused ones). Refusals: over loopback, an outer UDP destination port 0
 * (EINVAL from sendmsg/sendmmsg; nothing leaves the host); in namespaces created for the test, a
 * destination behind an {@code unreachable} route (EHOSTUNREACH).
 */
class SeparateLoopTransmitCountingTest {
    private static final int LOOPBACK = 0x7F000001;
    private static final long LOCAL_MAC = 0x02_00_00_00_0F_01L;
    private static final long PEER_MAC = 0x02_00_00_00_0F_02L;
    private static final String GATEWAY = "10.252.9.1";
    private static final String REMOTE = "10.252.9.2";
    /** Inside the gateway namespace, behind a route of type unreachable. */
    private static final String UNREACHABLE = "10.252.10.2";
    private static final int BATCH = 8;
    /** Written and refused frames differ in size, so the byte count shows which ones were counted. */
    private static final int WRITTEN_FRAME_BYTES = 200;
    private static final int REFUSED_FRAME_BYTES = 300;
    private static final long TIMEOUT_MS = 10_000;

    private final FrameMemory memory = new FrameMemory(64);
    private final FramePool pool = new FramePool(memory);
    private final TestNamespaces namespaces = new TestNamespaces();
    private UdpPacketIoBackend backend;
    private DatagramSocket peer;

    @AfterEach
    void tearDown() {
        try {
            if (backend != null) {
                backend.close();
            }
            if (peer != null) {
                peer.close();
            }
        } finally {
            namespaces.close();
        }
    }

    @Test
    void shouldCountWritesRefusedOverLoopbackAsTxErrorOnlyOnEpoll() throws Exception {
        assertEveryDatagramCountedOnceOverLoopback(UdpTransport.EPOLL);
    }

    @Test
    void shouldCountWritesRefusedOverLoopbackAsTxErrorOnlyOnNio() throws Exception {
        assertEveryDatagramCountedOnceOverLoopback(UdpTransport.NIO);
    }

    @Test
    void shouldCountDatagramsTheSocketNeverTookAsTxErrorWhenTheQueueCloses() throws Exception {
        PacketIo io = open("127.0.0.1", UdpTransport.AUTO);
        peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Endpoints reachable = new Endpoints(LOCAL_MAC, PEER_MAC, LOOPBACK, LOOPBACK, backend.boundPort(), peer.getLocalPort());
        // The socket is gone before the event loop gets to write: the datagrams stay queued.
        ((UdpQueue) io).channel().close().awaitUninterruptibly();

        PacketBatch batch = new PacketBatch(memory, BATCH);
        StageVector slots = new StageVector(BATCH);
        for (int i = 0; i < BATCH; i++) {
            byte[] frame = ConformanceFrames.outbound(reachable, i, WRITTEN_FRAME_BYTES);
            add(batch, slots, frame);
        }
        assertEquals(BATCH, io.transmit(batch, slots, pool), "queued for the event loop");
        io.close();

        PacketIoCounters counters = io.counters();
        assertEquals(0, counters.transmittedPackets(), () -> "transmitted; counters " + counters);
        assertEquals(BATCH, counters.drops(IoDropReason.TX_ERROR), () -> "tx-error; counters " + counters);
        assertNull(receive(200), "nothing reached the peer");
    }

    @Test
    void shouldCountDatagramsQueuedAfterTheEventLoopEndedOnceAsTxError() throws Exception {
        PacketIo io = open("127.0.0.1", UdpTransport.AUTO);
        peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Endpoints reachable = new Endpoints(LOCAL_MAC, PEER_MAC, LOOPBACK, LOOPBACK, backend.boundPort(), peer.getLocalPort());
        // The backend's event loop is gone under a running worker: two batches can only queue.
        ((UdpQueue) io).channel().eventLoop().parent().shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
        for (int round = 0; round < 2; round++) {
            PacketBatch batch = new PacketBatch(memory, BATCH / 2);
            StageVector slots = new StageVector(BATCH / 2);
            for (int i = 0; i < BATCH / 2; i++) {
                add(batch, slots, ConformanceFrames.outbound(reachable, round * BATCH + i, WRITTEN_FRAME_BYTES));
            }
            io.transmit(batch, slots, pool);
        }
        io.close();

        PacketIoCounters counters = io.counters();
        assertEquals(0, counters.transmittedPackets(), () -> "transmitted; counters " + counters);
        assertEquals(BATCH, counters.drops(IoDropReason.TX_ERROR), () -> "each queued datagram once; counters " + counters);
        assertEquals(64, pool.available(), "every frame back in the pool");
    }

    @Test
    @Tag("system")
    void shouldCountDatagramsToAnUnreachableRouteAsTxErrorOnly() throws Exception {
        String unavailable = TestNamespaces.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, unavailable);
        String gateway = namespaces.create("sgeg");
        String remote = namespaces.create("sger");
        namespaces.ip(gateway, "link", "add", "sge0", "type", "veth", "peer", "name", "sge1", "netns", remote);
        namespaces.ip(gateway, "addr", "add", GATEWAY + "/24", "dev", "sge0");
        namespaces.ip(remote, "addr", "add", REMOTE + "/24", "dev", "sge1");
        namespaces.ip(gateway, "link", "set", "sge0", "up");
        namespaces.ip(remote, "link", "set", "sge1", "up");
        namespaces.ip(gateway, "route", "add", "unreachable", "10.252.10.0/24");
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(remote)) {
            peer = new DatagramSocket(new InetSocketAddress(REMOTE, 0));
        }
        PacketIo io;
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(gateway)) {
            io = open(GATEWAY, UdpTransport.AUTO);
        }
        int gatewayAddress = Ipv4Flyweight.parse(GATEWAY);
        Endpoints reachable = new Endpoints(LOCAL_MAC, PEER_MAC, gatewayAddress, Ipv4Flyweight.parse(REMOTE),
            backend.boundPort(), peer.getLocalPort());
        Endpoints refused = new Endpoints(LOCAL_MAC, PEER_MAC, gatewayAddress, Ipv4Flyweight.parse(UNREACHABLE),
            backend.boundPort(), peer.getLocalPort());

        assertEveryDatagramCountedOnce(io, reachable, refused);
    }

    private void assertEveryDatagramCountedOnceOverLoopback(UdpTransport transport) throws Exception {
        PacketIo io = open("127.0.0.1", transport);
        peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Endpoints reachable = new Endpoints(LOCAL_MAC, PEER_MAC, LOOPBACK, LOOPBACK, backend.boundPort(), peer.getLocalPort());
        Endpoints portZero = new Endpoints(LOCAL_MAC, PEER_MAC, LOOPBACK, LOOPBACK, backend.boundPort(), 0);

        assertEveryDatagramCountedOnce(io, reachable, portZero);
    }

    private PacketIo open(String bindAddress, UdpTransport transport) throws IOException {
        backend = UdpPacketIoBackend.builder().bindAddress(bindAddress).port(0).localMac(LOCAL_MAC).peerMac(PEER_MAC)
            .maxFrameBytes(1500).queueCapacity(64).transport(transport).eventLoop(UdpEventLoopMode.SEPARATE).build();
        Assumptions.assumeTrue(backend.isAvailable(), () -> "unavailable: " + backend.unavailabilityCause());
        return backend.open(0, 1, pool);
    }

    /**
     * Transmits one batch alternating a datagram to {@code reachable} with one to {@code refused}
     * (one sendmmsg on epoll), then checks what the peer received and every counter.
     */
    private void assertEveryDatagramCountedOnce(PacketIo io, Endpoints reachable, Endpoints refused) throws Exception {
        PacketBatch batch = new PacketBatch(memory, BATCH);
        StageVector slots = new StageVector(BATCH);
        byte[][] written = new byte[BATCH / 2][];
        for (int i = 0; i < BATCH; i++) {
            boolean refusedOne = i % 2 == 1;
            byte[] frame = refusedOne ? ConformanceFrames.outbound(refused, i, REFUSED_FRAME_BYTES)
                : ConformanceFrames.outbound(reachable, i, WRITTEN_FRAME_BYTES);
            if (!refusedOne) {
                written[i / 2] = ConformanceFrames.udpPayload(frame);
            }
            add(batch, slots, frame);
        }

        assertEquals(BATCH, io.transmit(batch, slots, pool), "queued for the event loop");

        PacketIoCounters counters = io.counters();
        for (byte[] payload : written) {
            assertEquals(Arrays.toString(payload), Arrays.toString(receive(TIMEOUT_MS)), () -> "counters " + counters);
        }
        awaitEveryDatagramCounted(counters, BATCH);
        long writtenCount = written.length;
        long refusedCount = BATCH - writtenCount;
        assertEquals(writtenCount, counters.transmittedPackets(), () -> "transmitted; counters " + counters);
        assertEquals(writtenCount * WRITTEN_FRAME_BYTES, counters.transmittedBytes(), "frame bytes of the written ones");
        assertEquals(refusedCount, counters.drops(IoDropReason.TX_ERROR), () -> "tx-error; counters " + counters);
        assertEquals(refusedCount, counters.totalDrops(), () -> "no other drops; counters " + counters);
        assertEquals(BATCH, counters.transmittedPackets() + counters.drops(IoDropReason.TX_ERROR),
            "every datagram handed to transmit counted exactly once");
        assertNull(receive(200), "nothing else reached the peer");
        assertEquals(64, pool.available(), "every frame back in the pool");
    }

    /** Copies {@code frame} into a frame of the pool and adds it to the batch and the slots to transmit. */
    private void add(PacketBatch batch, StageVector slots, byte[] frame) {
        int buffer = pool.allocate();
        int start = memory.packetStart(buffer);
        memory.buffer().putBytes(start, frame);
        slots.add(batch.add(buffer, start, frame.length, 0));
    }

    /** Waits (bounded) until the event loop has counted {@code handed} datagrams one way or the other. */
    private static void awaitEveryDatagramCounted(PacketIoCounters counters, long handed) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (counters.transmittedPackets() + counters.drops(IoDropReason.TX_ERROR) < handed
            && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
    }

    private byte[] receive(long timeoutMs) throws IOException {
        byte[] buffer = new byte[65_536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        peer.setSoTimeout((int) timeoutMs);
        try {
            peer.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buffer, packet.getLength());
    }
}
