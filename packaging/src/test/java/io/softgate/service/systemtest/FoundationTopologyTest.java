package io.softgate.service.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Checks the lab fixture itself, without a softgate: a VM's packet for the other subnet leaves its
 * hypervisor as VXLAN on the L3VNI toward the softgate's VTEP, with the hypervisor's router MAC as
 * inner source and the softgate's router MAC as inner destination (what a softgate must accept).
 */
@Tag("system")
class FoundationTopologyTest {
    private FoundationTopology topology;
    private ManagedProcess tcpdump;

    @AfterEach
    void cleanUp() {
        if (tcpdump != null) {
            tcpdump.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void shouldSendVmTrafficForTheOtherSubnetAsVxlanToTheSoftgateVtep(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ping", "tcpdump");
        Path output = SystemTestSupport.outputDirectory(test);
        topology = FoundationTopology.build(test.getDisplayName());
        Path pcap = output.resolve("softgate-uplink.pcap");
        tcpdump = SystemTestSupport.captureVxlan(topology.softgate(), FoundationTopology.SOFTGATE_UPLINK, pcap,
            output.resolve("tcpdump.log"));

        Commands.Result ping = topology.vm1().exec("ping", "-c", "2", "-i", "0.2", "-W", "1", FoundationTopology.VM2_ADDRESS);
        assertFalse(ping.ok(), "no softgate runs, so nothing may answer: " + ping.output());
        tcpdump.stop();

        List<VxlanCapture.VxlanPacket> packets = VxlanCapture.read(pcap);
        assertTrue(!packets.isEmpty(), "no VXLAN packet reached the softgate's link: " + tcpdump.output());
        VxlanCapture.VxlanPacket first = packets.get(0);
        assertEquals(new VxlanCapture.VxlanPacket(FoundationTopology.HV1_VTEP, FoundationTopology.SOFTGATE_VTEP,
            FoundationTopology.L3VNI, 0x08, FoundationTopology.HV1_ROUTER_MAC, FoundationTopology.SOFTGATE_ROUTER_MAC,
            FoundationTopology.VM1_ADDRESS, FoundationTopology.VM2_ADDRESS), first);
    }

    @Test
    void shouldDeleteEveryNamespaceOnClose(TestInfo test) {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool");
        topology = FoundationTopology.build(test.getDisplayName());
        List<String> names = List.of(topology.leaf().name(), topology.hypervisor1().name(), topology.softgate().name());
        topology.close();
        String remaining = Commands.runOk("ip", "netns", "list");
        for (String name : names) {
            assertFalse(remaining.contains(name), name + " survived close(): " + remaining);
        }
    }
}
