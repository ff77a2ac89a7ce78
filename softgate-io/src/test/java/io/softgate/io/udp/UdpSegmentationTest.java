package io.softgate.io.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.ConformanceFrames;
import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * UDP GSO on transmit ({@link GsoCoalescer} in the worker-driven queue), over loopback: whatever
 * the batch holds, each peer receives exactly the datagrams sent to it, in order and intact (the
 * receiving kernel cuts a segmented send back into datagrams); equal-sized runs to one peer go as
 * one send, and a change of peer or size, a shorter datagram or a payload above the segment limit
 * ends a run. The route refusing GSO is covered by {@code UdpSegmentationFallbackTest}.
 */
class UdpSegmentationTest {
    private static final long LOCAL_MAC = 0x02_00_00_00_0D_01L;
    private static final long PEER_MAC = 0x02_00_00_00_0D_02L;
    private static final int LOOPBACK = 0x7F000001;

    private final FrameMemory memory = new FrameMemory(512);
    private final FramePool pool = new FramePool(memory);
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

    private WorkerDrivenUdpPacketIo open(boolean segmentation) throws IOException {
        backend = UdpPacketIoBackend.builder().bindAddress("127.0.0.1").port(0).localMac(LOCAL_MAC).peerMac(PEER_MAC)
            .maxFrameBytes(1920).transport(UdpTransport.EPOLL).segmentation(segmentation).build();
        Assumptions.assumeTrue(backend.isAvailable(), () -> "epoll unavailable: " + backend.unavailabilityCause());
        if (segmentation) {
            Assumptions.assumeTrue(backend.segmentation(), "kernel without UDP_SEGMENT");
        }
        return (WorkerDrivenUdpPacketIo) backend.open(0, 1, pool);
    }

    private DatagramSocket peer() throws IOException {
        DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        peer.setSoTimeout(5_000);
        peer.setReceiveBufferSize(1 << 20);
        peers.add(peer);
        return peer;
    }

    /** One frame to send: its peer and length (the datagram carries all but its 42 bytes of outer headers). */
    private record Outgoing(DatagramSocket peer, int frameLength) {
    }

    /** Transmits the frames as one batch; returns each frame's expected UDP payload, in batch order. */
    private List<byte[]> transmit(PacketIo io, List<Outgoing> frames) {
        PacketBatch batch = new PacketBatch(memory, frames.size());
        StageVector slots = new StageVector(frames.size());
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            Outgoing outgoing = frames.get(i);
            byte[] frame = ConformanceFrames.outbound(new Endpoints(LOCAL_MAC, PEER_MAC, LOOPBACK, LOOPBACK,
                backend.boundPort(), outgoing.peer().getLocalPort()), i, outgoing.frameLength());
            int buffer = pool.allocate();
            int start = memory.packetStart(buffer);
            memory.buffer().putBytes(start, frame);
            slots.add(batch.add(buffer, start, frame.length, 0));
            payloads.add(ConformanceFrames.udpPayload(frame));
        }
        assertEquals(frames.size(), io.transmit(batch, slots, pool));
        return payloads;
    }

    private static List<byte[]> receive(DatagramSocket peer, int count) throws IOException {
        List<byte[]> received = new ArrayList<>();
        byte[] buffer = new byte[65_536];
        for (int i = 0; i < count; i++) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            peer.receive(packet);
            received.add(Arrays.copyOf(packet.getData(), packet.getLength()));
        }
        return received;
    }

    private static void assertNothingMore(DatagramSocket peer) throws IOException {
        peer.setSoTimeout(200);
        try {
            peer.receive(new DatagramPacket(new byte[65_536], 65_536));
            throw new AssertionError("a datagram more than was sent");
        } catch (SocketTimeoutException expected) {
            // Nothing else arrived.
        }
    }

    private static List<byte[]> to(List<byte[]> payloads, List<Outgoing> frames, DatagramSocket peer) {
        List<byte[]> selected = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).peer() == peer) {
                selected.add(payloads.get(i));
            }
        }
        return selected;
    }

    private static void assertSameDatagrams(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "datagram " + i);
        }
    }

    @Test
    void shouldSendARunOfEqualSizedDatagramsToOnePeerAsOneSendThatArrivesAsSeparateDatagrams() throws IOException {
        WorkerDrivenUdpPacketIo io = open(true);
        DatagramSocket peer = peer();
        List<Outgoing> frames = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            frames.add(new Outgoing(peer, 64));
        }

        List<byte[]> payloads = transmit(io, frames);

        assertSameDatagrams(payloads, receive(peer, 40));
        assertNothingMore(peer);
        assertEquals(1, io.sends(), "one send for the whole run");
        assertEquals(40, io.counters().transmittedPackets());
        assertEquals(0, io.counters().totalDrops(), () -> io.counters().toString());
    }

    @Test
    void shouldEndARunAtAnotherPeerAnotherSizeAShorterDatagramOrAPayloadAboveTheSegmentLimit() throws IOException {
        WorkerDrivenUdpPacketIo io = open(true);
        DatagramSocket first = peer();
        DatagramSocket second = peer();
        int aboveLimit = GsoCoalescer.MAX_SEGMENT_BYTES + 1 + 42;
        List<Outgoing> frames = List.of(
            new Outgoing(first, 100), new Outgoing(first, 100), new Outgoing(first, 60),    // run 1 ends short
            new Outgoing(first, 100), new Outgoing(first, 100),                             // run 2
            new Outgoing(second, 100), new Outgoing(second, 100), new Outgoing(second, 100), // run 3: peer
            new Outgoing(second, 200),                                                      // run 4: larger
            new Outgoing(first, aboveLimit), new Outgoing(first, aboveLimit),               // runs 5, 6: alone
            new Outgoing(first, 100));                                                      // run 7

        List<byte[]> payloads = transmit(io, frames);

        assertSameDatagrams(to(payloads, frames, first), receive(first, 8));
        assertSameDatagrams(to(payloads, frames, second), receive(second, 4));
        assertNothingMore(first);
        assertNothingMore(second);
        assertEquals(7, io.sends());
        assertEquals(0, io.counters().totalDrops(), () -> io.counters().toString());
    }

    @Test
    void shouldSplitARunLongerThanTheKernelsSegmentLimit() throws IOException {
        WorkerDrivenUdpPacketIo io = open(true);
        DatagramSocket peer = peer();
        List<Outgoing> frames = new ArrayList<>();
        for (int i = 0; i < GsoCoalescer.MAX_SEGMENTS + 10; i++) {
            frames.add(new Outgoing(peer, 64));
        }

        List<byte[]> payloads = transmit(io, frames);

        assertSameDatagrams(payloads, receive(peer, frames.size()));
        assertEquals(2, io.sends());
    }

    @Test
    void shouldSendEveryDatagramOnItsOwnWithSegmentationOff() throws IOException {
        WorkerDrivenUdpPacketIo io = open(false);
        DatagramSocket peer = peer();
        List<Outgoing> frames = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            frames.add(new Outgoing(peer, 64));
        }

        List<byte[]> payloads = transmit(io, frames);

        assertFalse(io.segmentation());
        assertSameDatagrams(payloads, receive(peer, 10));
        assertEquals(10, io.sends());
    }

    @Test
    void shouldCountAMalformedFrameAndStillJoinTheOthers() throws IOException {
        WorkerDrivenUdpPacketIo io = open(true);
        DatagramSocket peer = peer();
        PacketBatch batch = new PacketBatch(memory, 3);
        StageVector slots = new StageVector(3);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] frame = ConformanceFrames.outbound(new Endpoints(LOCAL_MAC, PEER_MAC, LOOPBACK, LOOPBACK,
                backend.boundPort(), peer.getLocalPort()), i, 64);
            int buffer = pool.allocate();
            int start = memory.packetStart(buffer);
            memory.buffer().putBytes(start, frame);
            if (i == 1) {
                // A lying IPv4 total length: larger than the frame.
                Ipv4Flyweight.totalLength(memory.buffer(), start + 14, 9_000);
            } else {
                payloads.add(ConformanceFrames.udpPayload(frame));
            }
            slots.add(batch.add(buffer, start, frame.length, 0));
        }

        assertEquals(2, io.transmit(batch, slots, pool));

        assertSameDatagrams(payloads, receive(peer, 2));
        assertEquals(1, io.sends());
        assertEquals(1, io.counters().drops(IoDropReason.TX_MALFORMED));
        assertTrue(io.segmentation());
        assertEquals(512, pool.available(), "every frame back in the pool");
    }
}
