package io.softgate.io.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.ConformanceFrames;
import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.UdpFlyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.core.testkit.AllocationProbe;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class UdpPacketIoTest {
    private static final long LOCAL_MAC = 0x02_00_00_00_0B_01L;
    private static final long PEER_MAC = 0x02_00_00_00_0B_02L;

    private final FrameMemory memory = new FrameMemory(512);
    private final FramePool pool = new FramePool(memory);
    private final PacketBatch batch = new PacketBatch(memory, 32);
    private final List<DatagramSocket> peers = new ArrayList<>();
    private UdpPacketIoBackend backend;

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
        for (DatagramSocket peer : peers) {
            peer.close();
        }
    }

    private UdpPacketIoBackend loopbackBackend(UdpTransport transport) {
        return loopbackBackend(transport, UdpEventLoopMode.WORKER);
    }

    private UdpPacketIoBackend loopbackBackend(UdpTransport transport, UdpEventLoopMode eventLoop) {
        backend = UdpPacketIoBackend.builder().bindAddress("127.0.0.1").port(0).localMac(LOCAL_MAC).peerMac(PEER_MAC)
            .maxFrameBytes(1500).queueCapacity(1024).transport(transport).eventLoop(eventLoop).build();
        Assumptions.assumeTrue(backend.isAvailable(), () -> "unavailable: " + backend.unavailabilityCause());
        return backend;
    }

    private DatagramSocket peer() throws IOException {
        DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        peer.setSoTimeout(10_000);
        peers.add(peer);
        return peer;
    }

    private static void send(DatagramSocket peer, byte[] payload, int port) throws IOException {
        peer.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
    }

    private int receiveUntil(PacketIo io, int expected) {
        int total = 0;
        long deadline = System.currentTimeMillis() + 10_000;
        while (total < expected && System.currentTimeMillis() < deadline) {
            batch.clear();
            int received = io.receive(batch, 0, pool);
            for (int slot = 0; slot < received; slot++) {
                pool.release(batch.frame[slot]);
            }
            total += received;
        }
        return total;
    }

    @Test
    void shouldSynthesiseOuterHeadersWithValidIpv4ChecksumAndSenderAddress() throws IOException {
        loopbackBackend(UdpTransport.AUTO);
        PacketIo io = backend.open(0, 1, pool);
        DatagramSocket peer = peer();
        byte[] payload = {0x08, 0, 0, 0, 0, 0x12, 0x34, 0, 1, 2, 3, 4, 5};
        send(peer, payload, backend.boundPort());

        long deadline = System.currentTimeMillis() + 10_000;
        while (io.receive(batch, 0, pool) == 0 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }

        UnsafeBuffer frames = memory.buffer();
        int frame = batch.offset[0];
        int ip = frame + EthernetFlyweight.HEADER_LENGTH;
        int udp = ip + Ipv4Flyweight.MIN_HEADER_LENGTH;
        assertEquals(UdpPacketIo.OUTER_HEADER_BYTES + payload.length, batch.length[0]);
        assertEquals(LOCAL_MAC, EthernetFlyweight.destinationMac(frames, frame));
        assertEquals(PEER_MAC, EthernetFlyweight.sourceMac(frames, frame));
        assertEquals(Ipv4Flyweight.MIN_HEADER_LENGTH, Ipv4Flyweight.validate(frames, ip, batch.length[0] - 14));
        assertEquals(0, Checksums.checksum(frames, ip, Ipv4Flyweight.MIN_HEADER_LENGTH), "IPv4 header checksum verifies");
        assertEquals(0x7F000001, Ipv4Flyweight.source(frames, ip));
        assertEquals(0x7F000001, Ipv4Flyweight.destination(frames, ip));
        assertEquals(peer.getLocalPort(), UdpFlyweight.sourcePort(frames, udp));
        assertEquals(backend.boundPort(), UdpFlyweight.destinationPort(frames, udp));
        assertEquals(8 + payload.length, UdpFlyweight.length(frames, udp));
    }

    @Test
    void shouldBindEveryWorkerSocketToOnePortAndSpreadFlowsOverThem() throws IOException {
        loopbackBackend(UdpTransport.EPOLL);
        PacketIo worker0 = backend.open(0, 2, pool);
        int port = backend.boundPort();
        PacketIo worker1 = backend.open(1, 2, pool);
        assertEquals(port, backend.boundPort(), "second worker shares the port (SO_REUSEPORT)");

        int flows = 64;
        for (int i = 0; i < flows; i++) {
            send(peer(), ConformanceFrames.udpPayload(ConformanceFrames.inbound(
                new Endpoints(LOCAL_MAC, PEER_MAC, 0x7F000001, 0x7F000001, port, 1), i, 100)), port);
        }
        int received0 = 0;
        int received1 = 0;
        long deadline = System.currentTimeMillis() + 10_000;
        while (received0 + received1 < flows && System.currentTimeMillis() < deadline) {
            received0 += receiveUntil(worker0, 0) + drainOnce(worker0);
            received1 += drainOnce(worker1);
        }

        assertEquals(flows, received0 + received1);
        assertTrue(received0 > 0 && received1 > 0,
            "the kernel spread " + flows + " flows as " + received0 + " + " + received1);
    }

    private int drainOnce(PacketIo io) {
        batch.clear();
        int received = io.receive(batch, 0, pool);
        for (int slot = 0; slot < received; slot++) {
            pool.release(batch.frame[slot]);
        }
        return received;
    }

    @Test
    void shouldCountTransmitOfFrameWithoutOuterIpv4UdpAsMalformedAndReleaseIt() throws IOException {
        loopbackBackend(UdpTransport.AUTO);
        PacketIo io = backend.open(0, 1, pool);
        int frame = pool.allocate();
        int start = memory.packetStart(frame);
        EthernetFlyweight.etherType(memory.buffer(), start, EthernetFlyweight.ETHER_TYPE_ARP);
        batch.add(frame, start, 60, 0);
        StageVector slots = new StageVector(1);
        slots.add(0);

        assertEquals(0, io.transmit(batch, slots, pool));

        assertEquals(1, io.counters().drops(IoDropReason.TX_MALFORMED));
        assertEquals(512, pool.available());
    }

    @Test
    void shouldAllocateNothingOnTheWorkerWhenReceivingFromASeparateEventLoop() throws IOException, InterruptedException {
        loopbackBackend(UdpTransport.AUTO, UdpEventLoopMode.SEPARATE);
        PacketIo io = backend.open(0, 1, pool);
        DatagramSocket peer = peer();
        byte[] payload = ConformanceFrames.udpPayload(ConformanceFrames.inbound(
            new Endpoints(LOCAL_MAC, PEER_MAC, 0x7F000001, 0x7F000001, backend.boundPort(), 1), 1, 200));
        for (int warm = 0; warm < 20; warm++) {
            sendAndAwait(peer, payload, io, 500);
            assertEquals(500, receiveUntil(io, 500));
        }
        // Best of three measured rounds: a one-off (a late JIT compilation, a class loaded on a rare
        // path) must not fail the test, a cost per datagram shows in every round.
        long allocated = Long.MAX_VALUE;
        int received = 0;
        for (int measured = 0; measured < 3; measured++) {
            sendAndAwait(peer, payload, io, 900);
            // The first reading initialises the MXBean; only the second counts.
            AllocationProbe.allocatedBytes();
            long before = AllocationProbe.allocatedBytes();
            received = 0;
            for (int round = 0; round < 900 / batch.capacity() + 1; round++) {
                received += drainOnce(io);
            }
            allocated = Math.min(allocated, AllocationProbe.allocatedBytes() - before);
            assertEquals(900, received);
        }

        // Per datagram, rounded down: the probe's own readings may cost a few dozen bytes once.
        assertEquals(0, allocated / received, "bytes allocated per datagram (" + allocated + " in total, best round)");
    }

    private void sendAndAwait(DatagramSocket peer, byte[] payload, PacketIo io, int count)
        throws IOException, InterruptedException {
        for (int i = 0; i < count; i++) {
            send(peer, payload, backend.boundPort());
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (((UdpPacketIo) io).pendingReceive() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(count, ((UdpPacketIo) io).pendingReceive(), () -> "queued; counters " + io.counters());
    }

    @Test
    void shouldRequireVtepAddressWhenBindingTheWildcard() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> UdpPacketIoBackend.builder().bindAddress("0.0.0.0").build());
        assertTrue(error.getMessage().contains("vtepAddress"), error.getMessage());
    }

    @Test
    void shouldNameTheBadFieldInBuilderErrors() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> UdpPacketIoBackend.builder().bindAddress("127.0.0.1").port(70000).build());
        assertTrue(error.getMessage().startsWith("port"), error.getMessage());
    }

    @Test
    void shouldReportBindFailureAsIoExceptionNamingTheAddress() throws IOException {
        loopbackBackend(UdpTransport.AUTO);
        UdpPacketIoBackend other = UdpPacketIoBackend.builder().bindAddress("192.0.2.1").port(0).build();
        try {
            IOException error = assertThrows(IOException.class, () -> other.open(0, 1, pool));
            assertTrue(error.getMessage().contains("192.0.2.1"), error.getMessage());
        } finally {
            other.close();
        }
    }
}
