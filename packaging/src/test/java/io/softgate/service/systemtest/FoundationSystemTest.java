package io.softgate.service.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.service.ExitCodes;
import java.nio.file.Path;
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

        FoundationTraffic.assertVm1PingsVm2(topology, softgate);
        ManagedProcess[] receiverHolder = new ManagedProcess[1];
        try {
            FoundationTraffic.assertTenMegabytesArrive(topology, output, receiverHolder);
        } finally {
            receiver = receiverHolder[0];
        }

        tcpdump.stop();
        FoundationTraffic.assertSymmetricIrbCaptured(pcap);

        assertEquals(ExitCodes.OK, softgate.stop(), "softgate must exit 0 on SIGTERM:\n" + softgate.output());
        assertTrue(softgate.output().contains("stopped; counters"), softgate.output());
    }
}
