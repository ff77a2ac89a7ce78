package io.softgate.io.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.ConformanceFrames;
import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.UdpFlyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.io.jnr.NetworkNamespace;
import io.softgate.io.jnr.PacketSocket;
import io.softgate.io.jnr.PeerEchoAllocationCheck;
import io.softgate.io.jnr.TestNamespaces;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * AF_XDP behaviour beyond the conformance suite, on a veth pair between two namespaces created per
 * test (gateway 10.252.0.1 = VTEP, remote 10.252.0.2): what the steering program takes and what
 * it leaves to the kernel, mode selection, several queues, detaching, and zero allocation.
 */
@Tag("system")
class XdpPacketIoTest {
    private static final String VTEP = "10.252.0.1";
    private static final String REMOTE = "10.252.0.2";

    private final FrameMemory memory = new FrameMemory(1024);
    private final FramePool pool = new FramePool(memory);
    private final PacketBatch batch = new PacketBatch(memory, 32);
    private final TestNamespaces namespaces = new TestNamespaces();
    private String gateway;
    private String remote;
    private XdpPacketIoBackend backend;
    private DatagramSocket remoteSocket;
    private DatagramSocket gatewaySocket;

    private void setUp(int queues) throws IOException {
        String unavailable = TestNamespaces.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, unavailable);
        gateway = namespaces.create("sgxg");
        remote = namespaces.create("sgxr");
        XdpVethPair.create(namespaces, gateway, remote, queues);
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(remote)) {
            remoteSocket = new DatagramSocket(new InetSocketAddress(REMOTE, 0));
        }
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(gateway)) {
            gatewaySocket = new DatagramSocket(new InetSocketAddress(VTEP, 4790));
        }
    }

    private XdpPacketIoBackend.Builder builder() {
        return XdpPacketIoBackend.builder().interfaceName(XdpVethPair.GATEWAY_END).networkNamespace(gateway)
            .vtepAddress(VTEP).ringSize(256).maxWorkers(2);
    }

    @AfterEach
    void tearDown() {
        try {
            if (backend != null) {
                backend.close();
            }
            if (remoteSocket != null) {
                remoteSocket.close();
            }
            if (gatewaySocket != null) {
                gatewaySocket.close();
            }
        } finally {
            namespaces.close();
        }
    }

    @Test
    void shouldSteerVxlanForTheVtepToTheSocketAndLeaveOtherUdpToTheKernel() throws Exception {
        setUp(1);
        backend = builder().build();
        PacketIo io = backend.open(0, 1, pool);
        byte[] vxlan = {0x08, 0, 0, 0, 0, 0x12, 0x34, 0, 1, 2, 3, 4};
        byte[] other = {9, 9, 9};

        send(vxlan, VTEP, 4789);
        send(other, VTEP, 4790);

        DatagramPacket kernelGot = new DatagramPacket(new byte[64], 64);
        gatewaySocket.setSoTimeout(5000);
        gatewaySocket.receive(kernelGot);
        assertEquals(3, kernelGot.getLength(), "port 4790 reached the kernel's socket");
        int received = receiveAtLeast(io, 1);
        assertEquals(1, received, "only the VXLAN datagram reached the queue");
        int ip = batch.offset[0] + 14;
        assertEquals(Ipv4Flyweight.parse(VTEP), Ipv4Flyweight.destination(memory.buffer(), ip));
        assertEquals(4789, UdpFlyweight.destinationPort(memory.buffer(), ip + 20));
        assertEquals(14 + 20 + 8 + vxlan.length, batch.length[0]);
        assertTrue(batch.offset[0] - memory.frameOffset(batch.frame[0]) >= FrameMemory.DEFAULT_HEADROOM,
            "received packet leaves at least the pipeline's headroom in front of it");
        releaseBatch();
    }

    @Test
    void shouldReceiveWithBusyPollingEnabled() throws Exception {
        setUp(1);
        backend = builder().busyPoll(BusyPoll.recommended()).build();
        PacketIo io = backend.open(0, 1, pool);

        send(new byte[] {0x08, 0, 0, 0, 0, 0, 0x01, 0, 7, 7}, VTEP, 4789);

        assertEquals(1, receiveAtLeast(io, 1));
        assertTrue(backend.describeModes().endsWith("busy polling 20 us budget 64"), backend.describeModes());
        releaseBatch();
    }

    @Test
    void shouldLeaveFragmentsAndHeadersWithOptionsToTheKernel() throws Exception {
        setUp(1);
        backend = builder().build();
        PacketIo io = backend.open(0, 1, pool);
        PacketSocket peer = new PacketSocket(remote, XdpVethPair.REMOTE_END);
        try {
            Endpoints endpoints = new Endpoints(0x02_00_00_00_0F_01L, 0x02_00_00_00_0F_02L, Ipv4Flyweight.parse(VTEP),
                Ipv4Flyweight.parse(REMOTE), 4789, 4789);
            byte[] moreFragments = ConformanceFrames.inbound(endpoints, 1, 100);
            moreFragments[20] = 0x20;
            byte[] laterFragment = ConformanceFrames.inbound(endpoints, 2, 100);
            laterFragment[21] = 0x10;
            byte[] withOptions = ConformanceFrames.inbound(endpoints, 3, 100);
            withOptions[14] = 0x46;
            byte[] dontFragment = ConformanceFrames.inbound(endpoints, 4, 100);
            dontFragment[20] = 0x40;
            // Checksums are left stale on purpose: the kernel drops these, and the queue must not see them.
            peer.send(moreFragments);
            peer.send(laterFragment);
            peer.send(withOptions);
            peer.send(dontFragment);

            assertEquals(1, receiveAtLeast(io, 1), "only the unfragmented datagram (DF set) reached the queue");
            assertEquals(4, ConformanceFrames.sequence(copyOf(0)));
            releaseBatch();
        } finally {
            peer.close();
        }
    }

    private byte[] copyOf(int slot) {
        byte[] copy = new byte[batch.length[slot]];
        memory.buffer().getBytes(batch.offset[slot], copy);
        return copy;
    }

    @Test
    void shouldLetTheKernelKeepAnsweringArpAndEchoWhileTheSocketIsOpen() throws Exception {
        setUp(1);
        backend = builder().build();
        backend.open(0, 1, pool);

        boolean answered;
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(remote)) {
            // As root the JDK sends an ICMP echo; the kernel must first resolve the VTEP with ARP.
            answered = InetAddress.getByName(VTEP).isReachable(3000);
        }

        assertTrue(answered, "the gateway's kernel answered ARP and the echo request");
    }

    @Test
    void shouldNotStealVxlanAddressedToAnotherVtep() throws Exception {
        setUp(1);
        backend = builder().vtepAddress("10.252.0.99").build();
        PacketIo io = backend.open(0, 1, pool);
        try (DatagramSocket kernelVxlan = openInGateway(4789)) {
            send(new byte[] {1, 2, 3, 4}, VTEP, 4789);

            DatagramPacket got = new DatagramPacket(new byte[64], 64);
            kernelVxlan.setSoTimeout(5000);
            kernelVxlan.receive(got);
            assertEquals(4, got.getLength());
            batch.clear();
            assertEquals(0, io.receive(batch, 0, pool));
        }
    }

    @Test
    void shouldChooseNativeProgramAndCopyModeOnVethAndSayWhy() throws Exception {
        setUp(1);
        backend = builder().build();
        XdpPacketIo io = (XdpPacketIo) backend.open(0, 1, pool);

        assertFalse(io.zeroCopy());
        assertTrue(backend.describeModes().startsWith("program native, sockets copy (zero-copy refused"),
            backend.describeModes());
        assertTrue(linkShow().contains("xdp"), "program attached: " + linkShow());
    }

    @Test
    void shouldRefuseForcedZeroCopyWhereTheDriverCannotDoItAndDetach() throws Exception {
        setUp(1);
        backend = builder().copyMode(XdpCopyMode.ZERO_COPY).build();

        IOException error = assertThrows(IOException.class, () -> backend.open(0, 1, pool));
        assertTrue(error.getMessage().contains("bind(AF_XDP)"), error.getMessage());
        backend.close();
        assertFalse(linkShow().contains("xdp"), "program detached on close: " + linkShow());
        assertEquals(1024, pool.available());
    }

    @Test
    void shouldNeverReplaceAnXdpProgramAlreadyOnTheInterface() throws Exception {
        setUp(1);
        backend = builder().build();
        backend.open(0, 1, pool);
        XdpPacketIoBackend second = builder().build();
        try {
            FramePool other = new FramePool(new FrameMemory(64));

            IOException refusal = assertThrows(IOException.class, () -> second.open(0, 1, other));

            assertTrue(refusal.getMessage().contains("another XDP program is attached"), refusal.getMessage());
            assertEquals(64, other.available());
        } finally {
            second.close();
        }
        assertTrue(linkShow().contains("xdp"), "the first backend's program is still attached: " + linkShow());
    }

    @Test
    void shouldOpenOneSocketPerWorkerQueueAndDetachOnClose() throws Exception {
        setUp(2);
        backend = builder().build();
        FramePool first = new FramePool(memory, 0, 512);
        FramePool second = new FramePool(memory, 512, 512);
        PacketIo zero = backend.open(0, 2, first);
        PacketIo one = backend.open(1, 2, second);

        assertTrue(zero.name().endsWith(":0") && one.name().endsWith(":1"), zero.name() + " " + one.name());
        assertThrows(IllegalStateException.class, () -> backend.open(1, 2, second));
        backend.close();
        assertFalse(linkShow().contains("xdp"), "program detached: " + linkShow());
        assertEquals(512, first.available());
        assertEquals(512, second.available());
    }

    @Test
    void shouldReceiveAndTransmitWithoutAllocatingOnceWarm() throws Exception {
        setUp(1);
        backend = builder().build();
        PacketIo io = backend.open(0, 1, pool);
        PacketSocket peer = new PacketSocket(remote, XdpVethPair.REMOTE_END);
        try {
            Endpoints endpoints = new Endpoints(0x02_00_00_00_0F_01L, 0x02_00_00_00_0F_02L, Ipv4Flyweight.parse(VTEP),
                Ipv4Flyweight.parse(REMOTE), 4789, 4789);
            byte[] frame = ConformanceFrames.inbound(endpoints, 1, 120);
            PeerEchoAllocationCheck.assertNoAllocationPerPacket(io, peer, frame, batch, pool, 300, 100);
        } finally {
            peer.close();
        }
    }

    @Test
    void shouldRejectBadSettingsNamingThem() {
        assertThrows(IllegalArgumentException.class, () -> XdpPacketIoBackend.builder().vtepAddress(VTEP).build());
        assertThrows(IllegalArgumentException.class, () -> XdpPacketIoBackend.builder().interfaceName("eth0").build());
        IllegalArgumentException ring = assertThrows(IllegalArgumentException.class,
            () -> XdpPacketIoBackend.builder().interfaceName("eth0").vtepAddress(VTEP).ringSize(100).build());
        assertTrue(ring.getMessage().contains("ringSize"), ring.getMessage());
    }

    @Test
    void shouldRefuseFramesThatAreNotAUmemChunk() throws Exception {
        setUp(1);
        backend = builder().build();
        FrameMemory large = new FrameMemory(16, 8192, 128);

        assertThrows(IllegalArgumentException.class, () -> backend.open(0, 1, new FramePool(large)));
    }

    private int receiveAtLeast(PacketIo io, int count) throws InterruptedException {
        batch.clear();
        long deadline = System.currentTimeMillis() + 5000;
        while (batch.size() < count && System.currentTimeMillis() < deadline) {
            io.receive(batch, 0, pool);
            Thread.sleep(1);
        }
        Thread.sleep(50);
        io.receive(batch, 0, pool);
        return batch.size();
    }

    private void releaseBatch() {
        for (int slot = 0; slot < batch.size(); slot++) {
            pool.release(batch.frame[slot]);
        }
        batch.clear();
    }

    private void send(byte[] payload, String address, int port) throws IOException {
        remoteSocket.send(new DatagramPacket(payload, payload.length, InetAddress.getByName(address), port));
    }

    private DatagramSocket openInGateway(int port) throws IOException {
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(gateway)) {
            return new DatagramSocket(new InetSocketAddress(VTEP, port));
        }
    }

    private String linkShow() throws IOException {
        return TestNamespaces.run("ip", "-n", gateway, "link", "show", XdpVethPair.GATEWAY_END);
    }
}
