package io.softgate.io.tun;

import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.PacketIoConformanceSuite;
import io.softgate.io.jnr.PacketSocket;
import io.softgate.io.jnr.PeerSocketHarness;
import io.softgate.io.jnr.TestNamespaces;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;

/**
 * Runs the conformance suite against a TAP device in a network namespace created for the test:
 * the peer is an AF_PACKET socket on the device's kernel side, which sends frames out of the
 * device (they arrive on the queue's descriptor) and sees the frames the queue writes. IPv6 is
 * off on the device and it has no address, so the kernel itself puts nothing on the link and
 * drops what the queue sends (addressed to another MAC).
 */
@Tag("system")
class TapPacketIoConformanceTest extends PacketIoConformanceSuite {
    private static final String DEVICE = "sgtap0";
    private static final long LOCAL_MAC = 0x02_00_00_00_0C_01L;
    private static final long PEER_MAC = 0x02_00_00_00_0C_02L;
    private static final Endpoints ENDPOINTS = new Endpoints(LOCAL_MAC, PEER_MAC, 0x0AFA0001, 0x0AFA0002, 4789, 4789);

    @Override
    protected Harness createHarness(Path directory) throws Exception {
        String unavailable = TestNamespaces.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, unavailable);
        TestNamespaces namespaces = new TestNamespaces();
        PacketSocket peer = null;
        try {
            String namespace = namespaces.create("sgtap");
            namespaces.ip(namespace, "tuntap", "add", "dev", DEVICE, "mode", "tap", "multi_queue");
            namespaces.sysctl(namespace, "net.ipv6.conf." + DEVICE + ".disable_ipv6", "1");
            namespaces.ip(namespace, "link", "set", DEVICE, "up");
            peer = new PacketSocket(namespace, DEVICE);
            TunPacketIoBackend backend = TunPacketIoBackend.builder()
                .deviceName(DEVICE)
                .mode(TunMode.TAP)
                .maxFrameBytes(MAX_FRAME_BYTES)
                .networkNamespace(namespace)
                .build();
            return new PeerSocketHarness(backend, ENDPOINTS, peer, namespaces);
        } catch (Exception | Error e) {
            if (peer != null) {
                peer.close();
            }
            namespaces.close();
            throw e;
        }
    }
}
