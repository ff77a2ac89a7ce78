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

import io.softgate.service.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 2, "Done when" 1: two kernel-VXLAN hypervisors, a VM behind each in different subnets,
 * and the softgate started from the built distribution in its own namespace with the UDP backend.
 * vm1 pings vm2 and sends it 10 MB over TCP, all through the softgate, and a capture on the
 * softgate's link shows the VXLAN packets with the L3VNI and the symmetric-IRB MACs of RFC 9135
 * in both directions.
 */
@Tag("system")
class FoundationSystemTest {
    private static final int TRANSFER_BYTES = 10 * 1024 * 1024;
    private static final int TCP_PORT = 5201;

    private FoundationTopology topology;
    private ManagedProcess tcpdump;
    private ManagedProcess softgate;
    private ManagedProcess receiver;

    @AfterEach
    void cleanUp() {
        for (ManagedProcess process : new ManagedProcess[] {receiver, softgate, tcpdump}) {
            if (process != null) {
                process.close();
            }
        }
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void shouldRouteVmToVmThroughTheSoftgateWithTheL3vniAndRouterMacs(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ping", "tcpdump", "nc", "ss");
        Path output = SystemTestSupport.outputDirectory(test);
        SoftgateDistribution distribution = SoftgateDistribution.built();

        topology = FoundationTopology.build(test.getDisplayName());
        Path pcap = output.resolve("softgate-uplink.pcap");
        tcpdump = SystemTestSupport.captureVxlan(topology.softgate(), FoundationTopology.SOFTGATE_UPLINK, pcap,
            output.resolve("tcpdump.log"));
        Path config = topology.writeSoftgateConfig(output.resolve("etc"));
        softgate = distribution.start(topology.softgate(), config, output.resolve("softgate.log"));
        softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);

        Commands.Result ping = SystemTestSupport.ping(topology.vm1(), VM2_ADDRESS, 5);
        assertTrue(ping.ok(), "vm1 cannot ping vm2 through the softgate:\n" + ping.output() + "\nsoftgate log:\n"
            + softgate.output());

        byte[] sent = new byte[TRANSFER_BYTES];
        new Random(20261126L).nextBytes(sent);
        Path source = output.resolve("sent.bin");
        Path received = output.resolve("received.bin");
        Files.write(source, sent);
        receiver = ManagedProcess.start("nc-receiver", topology.vm2(),
            List.of("sh", "-c", "exec nc -l " + TCP_PORT + " > " + received), output.resolve("nc-receiver.log"));
        awaitListening(topology.vm2(), TCP_PORT);
        Commands.Result send = topology.vm1().exec(Duration.ofSeconds(120), "sh", "-c",
            "nc -N -w 30 " + VM2_ADDRESS + " " + TCP_PORT + " < " + source);
        assertEquals(0, send.exitCode(), "sending 10 MB failed: " + send.output());
        assertEquals(0, receiver.awaitExit(Duration.ofSeconds(60)), receiver.output());
        byte[] got = Files.readAllBytes(received);
        assertEquals(TRANSFER_BYTES, got.length, "bytes received by vm2");
        assertArrayEquals(sha256(sent), sha256(got), "vm2 received other bytes than vm1 sent");

        tcpdump.stop();
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

        assertEquals(ExitCodes.OK, softgate.stop(), "softgate must exit 0 on SIGTERM:\n" + softgate.output());
        assertTrue(softgate.output().contains("stopped; counters"), softgate.output());
    }

    private static void assertSeen(List<VxlanCapture.VxlanPacket> packets, VxlanCapture.VxlanPacket expected, String what) {
        assertTrue(packets.contains(expected), what + ": no packet " + expected + " among " + packets.size()
            + " captured, e.g. " + packets.subList(0, Math.min(6, packets.size())));
    }

    private static void awaitListening(NetworkNamespace namespace, int port) throws InterruptedException {
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
