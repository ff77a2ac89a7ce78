package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.FoundationTopology.HV1_ROUTER_MAC;
import static io.softgate.service.systemtest.FoundationTopology.HV1_VTEP;
import static io.softgate.service.systemtest.FoundationTopology.HV2_ROUTER_MAC;
import static io.softgate.service.systemtest.FoundationTopology.HV2_VTEP;
import static io.softgate.service.systemtest.FoundationTopology.L3VNI;
import static io.softgate.service.systemtest.FoundationTopology.SOFTGATE_ROUTER_MAC;
import static io.softgate.service.systemtest.FoundationTopology.SOFTGATE_VTEP;
import static io.softgate.service.systemtest.FoundationTopology.VM1_ADDRESS;
import static io.softgate.service.systemtest.FoundationTopology.VM2_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * The traffic checks of the foundation system test, shared by its backend variants: vm1 pings
 * vm2, sends it 10 MB over TCP (compared by SHA-256), and the captured VXLAN shows the L3VNI and
 * the symmetric-IRB MACs of RFC 9135 in both directions.
 *
 * <p>Threading: test thread only.
 */
final class FoundationTraffic {
    static final int TRANSFER_BYTES = 10 * 1024 * 1024;
    static final int TCP_PORT = 5201;

    private FoundationTraffic() {
    }

    /** Pings vm2 from vm1 through the softgate; the failure message carries the softgate's log. */
    static void assertVm1PingsVm2(FoundationTopology topology, ManagedProcess softgate) {
        Commands.Result ping = SystemTestSupport.ping(topology.vm1(), VM2_ADDRESS, 5);
        assertTrue(ping.ok(), "vm1 cannot ping vm2 through the softgate:\n" + ping.output() + "\nsoftgate log:\n"
            + softgate.output());
    }

    /**
     * Sends 10 MB of random bytes from vm1 to vm2 over TCP and checks they arrived unchanged; the
     * receiver is returned so the caller's clean-up stops it even when this fails.
     */
    static void assertTenMegabytesArrive(FoundationTopology topology, Path output, ManagedProcess[] receiverHolder)
        throws Exception {
        byte[] sent = new byte[TRANSFER_BYTES];
        new Random(20261126L).nextBytes(sent);
        Path source = output.resolve("sent.bin");
        Path received = output.resolve("received.bin");
        Files.write(source, sent);
        ManagedProcess receiver = ManagedProcess.start("nc-receiver", topology.vm2(),
            List.of("sh", "-c", "exec nc -l " + TCP_PORT + " > " + received), output.resolve("nc-receiver.log"));
        receiverHolder[0] = receiver;
        awaitListening(topology.vm2(), TCP_PORT);
        Commands.Result send = topology.vm1().exec(Duration.ofSeconds(120), "sh", "-c",
            "nc -N -w 30 " + VM2_ADDRESS + " " + TCP_PORT + " < " + source);
        assertEquals(0, send.exitCode(), "sending 10 MB failed: " + send.output());
        assertEquals(0, receiver.awaitExit(Duration.ofSeconds(60)), receiver.output());
        byte[] got = Files.readAllBytes(received);
        assertEquals(TRANSFER_BYTES, got.length, "bytes received by vm2");
        assertArrayEquals(sha256(sent), sha256(got), "vm2 received other bytes than vm1 sent");
    }

    /** The four VXLAN flows of the exchange, and only the L3VNI and our router MAC from the softgate. */
    static void assertSymmetricIrbCaptured(Path pcap) throws Exception {
        List<VxlanCapture.VxlanPacket> packets = VxlanCapture.read(pcap);
        assertSeen(packets, new VxlanCapture.VxlanPacket(HV1_VTEP, SOFTGATE_VTEP, L3VNI, 0x08, HV1_ROUTER_MAC,
            SOFTGATE_ROUTER_MAC, VM1_ADDRESS, VM2_ADDRESS), "hv1 -> softgate");
        assertSeen(packets, new VxlanCapture.VxlanPacket(SOFTGATE_VTEP, HV2_VTEP, L3VNI, 0x08, SOFTGATE_ROUTER_MAC,
            HV2_ROUTER_MAC, VM1_ADDRESS, VM2_ADDRESS), "softgate -> hv2");
        assertSeen(packets, new VxlanCapture.VxlanPacket(HV2_VTEP, SOFTGATE_VTEP, L3VNI, 0x08, HV2_ROUTER_MAC,
            SOFTGATE_ROUTER_MAC, VM2_ADDRESS, VM1_ADDRESS), "hv2 -> softgate (replies)");
        assertSeen(packets, new VxlanCapture.VxlanPacket(SOFTGATE_VTEP, HV1_VTEP, L3VNI, 0x08, SOFTGATE_ROUTER_MAC,
            HV1_ROUTER_MAC, VM2_ADDRESS, VM1_ADDRESS), "softgate -> hv1 (replies)");
        for (VxlanCapture.VxlanPacket packet : packets) {
            if (packet.outerSource().equals(SOFTGATE_VTEP)) {
                assertEquals(L3VNI, packet.vni(), "the softgate sent a VNI other than the L3VNI: " + packet);
                assertEquals(SOFTGATE_ROUTER_MAC, packet.innerSourceMac(), "inner source MAC must be our router MAC: " + packet);
            }
        }
    }

    private static void assertSeen(List<VxlanCapture.VxlanPacket> packets, VxlanCapture.VxlanPacket expected, String what) {
        assertTrue(packets.contains(expected), what + ": no packet " + expected + " among " + packets.size()
            + " captured, e.g. " + packets.subList(0, Math.min(6, packets.size())));
    }

    static void awaitListening(NetworkNamespace namespace, int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (namespace.execOk("ss", "-Hltn").contains(":" + port + " ")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("nothing listens on TCP port " + port + " in " + namespace);
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
