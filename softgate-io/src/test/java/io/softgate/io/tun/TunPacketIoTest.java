package io.softgate.io.tun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.ConformanceFrames;
import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.UdpFlyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageVector;
import io.softgate.io.jnr.NetworkNamespace;
import io.softgate.io.jnr.PacketSocket;
import io.softgate.io.jnr.PeerEchoAllocationCheck;
import io.softgate.io.jnr.TestNamespaces;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TUN (IP port) behaviour the Ethernet conformance suite cannot cover, in a namespace created per
 * test: the device has 10.251.0.1/24 and the kernel routes 10.251.0.2 (the "remote" side, which
 * is the queue) through it; traffic stays inside the namespace.
 */
@Tag("system")
class TunPacketIoTest {
    private static final String DEVICE = "sgtun0";
    private static final String LOCAL = "10.251.0.1";
    private static final String REMOTE = "10.251.0.2";

    private final FrameMemory memory = new FrameMemory(256);
    private final FramePool pool = new FramePool(memory);
    private final PacketBatch batch = new PacketBatch(memory, 32);
    private final TestNamespaces namespaces = new TestNamespaces();
    private TunPacketIoBackend backend;
    private DatagramSocket kernelSocket;
    private String namespace;

    private void setUp(TunMode mode) throws IOException {
        String unavailable = TestNamespaces.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, unavailable);
        namespace = namespaces.create("sgtun");
        namespaces.ip(namespace, "tuntap", "add", "dev", DEVICE, "mode", mode.name().toLowerCase(), "multi_queue");
        namespaces.sysctl(namespace, "net.ipv6.conf." + DEVICE + ".disable_ipv6", "1");
        namespaces.ip(namespace, "addr", "add", LOCAL + "/24", "dev", DEVICE);
        namespaces.ip(namespace, "link", "set", DEVICE, "up");
        backend = TunPacketIoBackend.builder().deviceName(DEVICE).mode(mode).maxFrameBytes(1500)
            .networkNamespace(namespace).build();
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(namespace)) {
            kernelSocket = new DatagramSocket(new InetSocketAddress(LOCAL, 0));
        }
    }

    @AfterEach
    void tearDown() {
        try {
            if (backend != null) {
                backend.close();
            }
            if (kernelSocket != null) {
                kernelSocket.close();
            }
        } finally {
            namespaces.close();
        }
    }

    @Test
    void shouldReceiveBareIpPacketFlaggedAsL3OnTunPort() throws Exception {
        setUp(TunMode.TUN);
        PacketIo io = backend.open(0, 1, pool);
        byte[] payload = "to the uplink".getBytes(StandardCharsets.US_ASCII);
        // The device's carrier comes up when the queue attaches; the kernel may need a moment.
        int received = 0;
        for (int attempt = 0; attempt < 200 && received == 0; attempt++) {
            kernelSocket.send(new DatagramPacket(payload, payload.length, InetAddress.getByName(REMOTE), 9999));
            Thread.sleep(10);
            batch.clear();
            received = io.receive(batch, 3, pool);
        }

        assertTrue(received >= 1, "nothing received: " + io.counters());
        int offset = batch.offset[0];
        assertEquals(4, memory.buffer().getByte(offset) >>> 4 & 0xF, "IPv4 header first, no Ethernet");
        assertEquals(Ipv4Flyweight.parse(REMOTE), Ipv4Flyweight.destination(memory.buffer(), offset));
        assertEquals(9999, UdpFlyweight.destinationPort(memory.buffer(), offset + 20));
        assertEquals(20 + 8 + payload.length, batch.length[0]);
        assertEquals(PacketFlags.L3_PACKET, batch.flags[0] & PacketFlags.L3_PACKET);
        assertEquals(3, batch.ingressPort[0]);
        assertEquals(0, backend.linkLayerHeaderBytes());
        releaseBatch();
    }

    @Test
    void shouldDeliverTransmittedIpPacketToTheKernel() throws Exception {
        setUp(TunMode.TUN);
        PacketIo io = backend.open(0, 1, pool);
        byte[] payload = "from the uplink".getBytes(StandardCharsets.US_ASCII);
        kernelSocket.setSoTimeout(200);
        byte[] got = null;
        for (int attempt = 0; attempt < 25 && got == null; attempt++) {
            batch.clear();
            int frame = pool.allocate();
            int start = memory.packetStart(frame);
            int length = writeUdp(start, Ipv4Flyweight.parse(REMOTE), Ipv4Flyweight.parse(LOCAL), 7777,
                kernelSocket.getLocalPort(), payload);
            StageVector slots = new StageVector(1);
            slots.add(batch.add(frame, start, length, 0));
            assertEquals(1, io.transmit(batch, slots, pool));
            DatagramPacket packet = new DatagramPacket(new byte[100], 100);
            try {
                kernelSocket.receive(packet);
                got = Arrays.copyOf(packet.getData(), packet.getLength());
                assertEquals(7777, packet.getPort());
            } catch (java.net.SocketTimeoutException e) {
                // carrier not up yet: try again
            }
        }

        assertArrayEquals(payload, got);
        assertEquals(256, pool.available());
    }

    @Test
    void shouldCountPacketTheKernelRejectsAsTransmitError() throws Exception {
        setUp(TunMode.TUN);
        PacketIo io = backend.open(0, 1, pool);
        batch.clear();
        int frame = pool.allocate();
        int start = memory.packetStart(frame);
        // Version nibble 0: neither IPv4 nor IPv6, tun refuses it with EINVAL.
        memory.buffer().setMemory(start, 40, (byte) 0);
        StageVector slots = new StageVector(1);
        slots.add(batch.add(frame, start, 40, 0));

        assertEquals(0, io.transmit(batch, slots, pool));

        assertEquals(1, io.counters().drops(IoDropReason.TX_ERROR));
        assertEquals(256, pool.available());
    }

    @Test
    void shouldGiveEachWorkerItsOwnQueueOfAMultiQueueDevice() throws Exception {
        setUp(TunMode.TUN);
        FramePool second = new FramePool(memory, 0, 1);
        PacketIo first = backend.open(0, 2, pool);
        PacketIo other = backend.open(1, 2, second);

        assertTrue(first.name().endsWith(":0") && other.name().endsWith(":1"));
        assertThrows(IllegalStateException.class, () -> backend.open(1, 2, second));
    }

    @Test
    void shouldCreateTheDeviceWhenMissingAndRemoveItWithTheLastQueue() throws Exception {
        String unavailable = TestNamespaces.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, unavailable);
        namespace = namespaces.create("sgtun");
        backend = TunPacketIoBackend.builder().deviceName("sgnew0").mode(TunMode.TUN).networkNamespace(namespace).build();

        PacketIo io = backend.open(0, 1, pool);
        String created = TestNamespaces.run("ip", "-n", namespace, "-d", "link", "show", "sgnew0");
        io.close();

        assertTrue(created.contains("tun type tun") && created.contains("multi_queue"), created);
        IOException gone = assertThrows(IOException.class,
            () -> TestNamespaces.run("ip", "-n", namespace, "link", "show", "sgnew0"));
        assertTrue(gone.getMessage().contains("does not exist"), gone.getMessage());
    }

    @Test
    void shouldRefuseSeveralWorkersOnASingleQueueDevice() {
        TunPacketIoBackend single = TunPacketIoBackend.builder().deviceName("sgnone0").multiQueue(false).build();
        Assumptions.assumeTrue(single.isAvailable(), () -> "tun unavailable: " + single.unavailabilityCause());

        assertThrows(IllegalArgumentException.class, () -> single.open(0, 2, pool));
    }

    @Test
    void shouldFailToOpenInAMissingNamespaceNamingIt() {
        TunPacketIoBackend lost = TunPacketIoBackend.builder().deviceName("sgnone0").networkNamespace("sg-no-such-ns")
            .build();
        Assumptions.assumeTrue(lost.isAvailable(), () -> "tun unavailable: " + lost.unavailabilityCause());

        IOException error = assertThrows(IOException.class, () -> lost.open(0, 1, pool));
        assertTrue(error.getMessage().contains("sg-no-such-ns"), error.getMessage());
    }

    @Test
    void shouldRejectDeviceNamesTheKernelCannotTake() {
        assertThrows(IllegalArgumentException.class, () -> TunPacketIoBackend.builder().build());
        assertThrows(IllegalArgumentException.class,
            () -> TunPacketIoBackend.builder().deviceName("a-name-too-long-for-linux").build());
        assertThrows(IllegalArgumentException.class, () -> TunPacketIoBackend.builder().deviceName("a/b").build());
    }

    @Test
    void shouldReceiveAndTransmitWithoutAllocatingOnceWarm() throws Exception {
        setUp(TunMode.TAP);
        PacketIo io = backend.open(0, 1, pool);
        PacketSocket peer = new PacketSocket(namespace, DEVICE);
        try {
            Endpoints endpoints = new Endpoints(0x02_00_00_00_0D_01L, 0x02_00_00_00_0D_02L, 0x0AFB0002, 0x0AFB0003,
                4789, 4789);
            byte[] frame = ConformanceFrames.inbound(endpoints, 1, 120);
            PeerEchoAllocationCheck.assertNoAllocationPerPacket(io, peer, frame, batch, pool, 200, 50);
            peer.drain();
        } finally {
            peer.close();
        }
    }

    private void releaseBatch() {
        for (int slot = 0; slot < batch.size(); slot++) {
            pool.release(batch.frame[slot]);
        }
        batch.clear();
    }

    private int writeUdp(int start, int source, int destination, int sourcePort, int destinationPort, byte[] payload) {
        var buffer = memory.buffer();
        int total = 20 + 8 + payload.length;
        buffer.setMemory(start, 28, (byte) 0);
        buffer.putByte(start, (byte) 0x45);
        Ipv4Flyweight.totalLength(buffer, start, total);
        Ipv4Flyweight.ttl(buffer, start, 64);
        buffer.putByte(start + Ipv4Flyweight.PROTOCOL_OFFSET, (byte) Ipv4Flyweight.PROTOCOL_UDP);
        Ipv4Flyweight.source(buffer, start, source);
        Ipv4Flyweight.destination(buffer, start, destination);
        Ipv4Flyweight.updateChecksum(buffer, start);
        UdpFlyweight.sourcePort(buffer, start + 20, sourcePort);
        UdpFlyweight.destinationPort(buffer, start + 20, destinationPort);
        UdpFlyweight.length(buffer, start + 20, 8 + payload.length);
        UdpFlyweight.checksum(buffer, start + 20, 0);
        buffer.putBytes(start + 28, payload);
        return total;
    }
}
