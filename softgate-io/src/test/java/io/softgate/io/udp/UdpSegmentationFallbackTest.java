package io.softgate.io.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.ConformanceFrames;
import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.IoDropReason;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A route that refuses UDP GSO sends: a veth of MTU 1,000 between two namespaces created for the
 * test, and datagrams of 1,200 bytes, which the kernel fragments when sent one by one but refuses
 * (EMSGSIZE) as segments of a GSO send. The queue counts every datagram of the refused send as
 * lost (and none as sent), turns segmentation off for itself, and from the next batch on every
 * datagram arrives.
 */
@Tag("system")
class UdpSegmentationFallbackTest {
    private static final String GATEWAY = "10.252.7.1";
    private static final String REMOTE = "10.252.7.2";
    private static final long LOCAL_MAC = 0x02_00_00_00_0E_01L;
    private static final long PEER_MAC = 0x02_00_00_00_0E_02L;
    private static final int FRAME_BYTES = 42 + 1_200;
    private static final int BATCH = 8;

    private final TestNamespaces namespaces = new TestNamespaces();
    private final FrameMemory memory = new FrameMemory(64);
    private final FramePool pool = new FramePool(memory);
    private UdpPacketIoBackend backend;
    private DatagramSocket remoteSocket;

    @AfterEach
    void tearDown() {
        try {
            if (backend != null) {
                backend.close();
            }
            if (remoteSocket != null) {
                remoteSocket.close();
            }
        } finally {
            namespaces.close();
        }
    }

    private int transmitBatch(WorkerDrivenUdpPacketIo io, int firstSequence, List<byte[]> payloads) {
        PacketBatch batch = new PacketBatch(memory, BATCH);
        StageVector slots = new StageVector(BATCH);
        Endpoints endpoints = new Endpoints(LOCAL_MAC, PEER_MAC, Ipv4Flyweight.parse(GATEWAY), Ipv4Flyweight.parse(REMOTE),
            backend.boundPort(), remoteSocket.getLocalPort());
        for (int i = 0; i < BATCH; i++) {
            byte[] frame = ConformanceFrames.outbound(endpoints, firstSequence + i, FRAME_BYTES);
            int buffer = pool.allocate();
            int start = memory.packetStart(buffer);
            memory.buffer().putBytes(start, frame);
            slots.add(batch.add(buffer, start, frame.length, 0));
            payloads.add(ConformanceFrames.udpPayload(frame));
        }
        return io.transmit(batch, slots, pool);
    }

    @Test
    void shouldTurnSegmentationOffWhenTheRouteRefusesItAndSendEveryDatagramAfterwards() throws IOException {
        String unavailable = TestNamespaces.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, unavailable);
        String gateway = namespaces.create("sggg");
        String remote = namespaces.create("sggr");
        namespaces.ip(gateway, "link", "add", "sgg0", "mtu", "1000", "type", "veth", "peer", "name", "sgg1", "mtu", "1000",
            "netns", remote);
        namespaces.ip(gateway, "addr", "add", GATEWAY + "/24", "dev", "sgg0");
        namespaces.ip(remote, "addr", "add", REMOTE + "/24", "dev", "sgg1");
        namespaces.ip(gateway, "link", "set", "sgg0", "up");
        namespaces.ip(remote, "link", "set", "sgg1", "up");
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(remote)) {
            remoteSocket = new DatagramSocket(new InetSocketAddress(REMOTE, 0));
            remoteSocket.setSoTimeout(5_000);
        }
        WorkerDrivenUdpPacketIo io;
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(gateway)) {
            backend = UdpPacketIoBackend.builder().bindAddress(GATEWAY).port(0).localMac(LOCAL_MAC).peerMac(PEER_MAC)
                .maxFrameBytes(1920).transport(UdpTransport.EPOLL).build();
            Assumptions.assumeTrue(backend.isAvailable() && backend.segmentation(), "epoll with UDP_SEGMENT unavailable");
            io = (WorkerDrivenUdpPacketIo) backend.open(0, 1, pool);
        }

        transmitBatch(io, 0, new ArrayList<>());

        assertFalse(io.segmentation(), "turned off after the refused send");
        assertEquals(1, io.segmentationFallbacks());
        assertEquals(BATCH, io.counters().drops(IoDropReason.TX_ERROR), "every datagram of the refused run is lost");
        assertEquals(0, io.counters().transmittedPackets(), "the refused run is not counted as sent");

        List<byte[]> payloads = new ArrayList<>();
        assertEquals(BATCH, transmitBatch(io, BATCH, payloads));
        byte[] buffer = new byte[65_536];
        for (int i = 0; i < BATCH; i++) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            remoteSocket.receive(packet);
            assertArrayEquals(payloads.get(i), Arrays.copyOf(packet.getData(), packet.getLength()), "datagram " + i);
        }
        assertTrue(io.sends() >= BATCH + 1);
        assertEquals(BATCH, io.counters().transmittedPackets());
        assertEquals((long) BATCH * FRAME_BYTES, io.counters().transmittedBytes());
        assertEquals(BATCH, io.counters().drops(IoDropReason.TX_ERROR), "no more losses");
        assertEquals(64, pool.available(), "every frame back in the pool");
    }
}
