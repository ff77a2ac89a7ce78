package io.softgate.io.xdp;

import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.PacketIoConformanceSuite;
import io.softgate.io.jnr.PacketSocket;
import io.softgate.io.jnr.PeerSocketHarness;
import io.softgate.io.jnr.TestNamespaces;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;

/**
 * Runs the conformance suite against the AF_XDP backend on a veth pair between two namespaces
 * created for the test: the queue's end is in one, an AF_PACKET peer on the other end in the
 * other. The suite's frames are UDP to the queue's VTEP address and port, so the steering
 * program hands them all to the socket. IPv6 is off on both ends so the kernel adds no frames.
 * The XDP mode is {@link #xdpMode()} (native here; the generic subclass re-runs it).
 */
@Tag("system")
class XdpPacketIoConformanceTest extends PacketIoConformanceSuite {
    private static final long LOCAL_MAC = 0x02_00_00_00_0E_01L;
    private static final long PEER_MAC = 0x02_00_00_00_0E_02L;
    private static final Endpoints ENDPOINTS = new Endpoints(LOCAL_MAC, PEER_MAC, 0x0AFC0001, 0x0AFC0002, 4789, 40000);

    protected XdpMode xdpMode() {
        return XdpMode.NATIVE;
    }

    @Override
    protected Harness createHarness(Path directory) throws Exception {
        String unavailable = TestNamespaces.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, unavailable);
        TestNamespaces namespaces = new TestNamespaces();
        PacketSocket peer = null;
        try {
            String gateway = namespaces.create("sgxg");
            String remote = namespaces.create("sgxr");
            XdpVethPair.create(namespaces, gateway, remote);
            peer = new PacketSocket(remote, XdpVethPair.REMOTE_END);
            XdpPacketIoBackend backend = XdpPacketIoBackend.builder()
                .interfaceName(XdpVethPair.GATEWAY_END)
                .networkNamespace(gateway)
                .vtepAddress("10.252.0.1")
                .udpPort(4789)
                .ringSize(QUEUE_CAPACITY)
                .maxFrameBytes(MAX_FRAME_BYTES)
                .maxWorkers(1)
                .xdpMode(xdpMode())
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
