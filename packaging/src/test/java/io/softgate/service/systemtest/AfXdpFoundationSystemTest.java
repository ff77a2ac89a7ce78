package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.FoundationTopology.SOFTGATE_UPLINK;
import static io.softgate.service.systemtest.FoundationTopology.SOFTGATE_VTEP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.service.ExitCodes;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 8, "Done when" 2 (AF_XDP): the foundation lab with the softgate started from the built
 * distribution with {@code io.backend: af_xdp} on its fabric link (a veth: the program runs where
 * the driver allows, the sockets in copy mode). vm1 pings vm2 and sends it 10 MB over TCP through
 * the softgate; the VXLAN on the leaf's side of that link shows the L3VNI and the RFC 9135 MACs
 * both ways (the capture is on the leaf, because frames AF_XDP takes or sends bypass the
 * softgate namespace's packet taps); and the softgate namespace's kernel still answers ARP and
 * ICMP for its own addresses, which the XDP program passes to it.
 */
@Tag("system")
class AfXdpFoundationSystemTest {
    /** The leaf's end of the softgate's link (FoundationTopology names it by the host's role). */
    private static final String LEAF_SIDE_OF_SOFTGATE_LINK = "sg";
    private static final String SOFTGATE_LINK_ADDRESS = "172.16.3.2";

    private FoundationTopology topology;
    private ManagedProcess tcpdump;
    private ManagedProcess softgate;
    private final ManagedProcess[] receiver = new ManagedProcess[1];

    @AfterEach
    void cleanUp() {
        for (ManagedProcess process : new ManagedProcess[] {receiver[0], softgate, tcpdump}) {
            if (process != null) {
                process.close();
            }
        }
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void shouldRouteVmToVmThroughTheSoftgateOnAfXdpWhileTheKernelKeepsArpAndIcmp(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ping", "tcpdump", "nc", "ss");
        Path output = SystemTestSupport.outputDirectory(test);
        SoftgateDistribution distribution = SoftgateDistribution.built();

        topology = FoundationTopology.build(test.getDisplayName());
        Path pcap = output.resolve("leaf-softgate-link.pcap");
        tcpdump = SystemTestSupport.captureVxlan(topology.leaf(), LEAF_SIDE_OF_SOFTGATE_LINK, pcap,
            output.resolve("tcpdump.log"));
        // Raw frames: the pipeline writes the outer Ethernet header itself, from our link's MAC
        // to the leaf's.
        String ownMac = FoundationTopology.macAddress(topology.softgate(), SOFTGATE_UPLINK);
        String leafMac = FoundationTopology.macAddress(topology.leaf(), LEAF_SIDE_OF_SOFTGATE_LINK);
        Path config = topology.writeSoftgateConfig(output.resolve("etc"),
            "{\"backend\": \"af_xdp\", \"af_xdp\": {\"interfaceName\": \"" + SOFTGATE_UPLINK + "\", \"ringSize\": 1024}}",
            ", \"underlayMac\": \"" + ownMac + "\", \"underlayNextHopMac\": \"" + leafMac + "\"");
        softgate = distribution.start(topology.softgate(), config, output.resolve("softgate.log"));
        softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);
        assertTrue(softgate.output().contains("io af_xdp"), "not running on AF_XDP:\n" + softgate.output());

        FoundationTraffic.assertVm1PingsVm2(topology, softgate);
        FoundationTraffic.assertTenMegabytesArrive(topology, output, receiver);

        // The steering program passes everything but VXLAN to our VTEP: the kernel resolves our
        // link address for the leaf (ARP) and answers pings to it and to the VTEP address.
        topology.leaf().execOk("ip", "neigh", "flush", "dev", LEAF_SIDE_OF_SOFTGATE_LINK);
        Commands.Result pingLink = SystemTestSupport.ping(topology.leaf(), SOFTGATE_LINK_ADDRESS, 3);
        assertTrue(pingLink.ok(), "the softgate namespace's kernel must answer ARP and ICMP on its link:\n"
            + pingLink.output());
        Commands.Result pingVtep = SystemTestSupport.ping(topology.leaf(), SOFTGATE_VTEP, 3);
        assertTrue(pingVtep.ok(), "the softgate namespace's kernel must answer ICMP to the VTEP address:\n"
            + pingVtep.output());
        String neighbour = topology.leaf().execOk("ip", "neigh", "show", SOFTGATE_LINK_ADDRESS, "dev",
            LEAF_SIDE_OF_SOFTGATE_LINK);
        assertTrue(neighbour.contains(FoundationTopology.macAddress(topology.softgate(), SOFTGATE_UPLINK)),
            "the leaf did not learn the softgate link's MAC by ARP: " + neighbour);

        tcpdump.stop();
        FoundationTraffic.assertSymmetricIrbCaptured(pcap);

        assertEquals(ExitCodes.OK, softgate.stop(), "softgate must exit 0 on SIGTERM:\n" + softgate.output());
        assertTrue(softgate.output().contains("stopped; counters"), softgate.output());
        assertTrue(softgate.output().contains("AF_XDP on " + SOFTGATE_UPLINK), "no AF_XDP mode line:\n"
            + softgate.output());
    }
}
