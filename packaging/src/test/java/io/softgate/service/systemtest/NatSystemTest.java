package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.FeatureTopology.SERVER_A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 4, "Done when" 2: NAT through real kernels. VMs in the blue and green VPCs (same private
 * subnet) behind kernel-VXLAN hypervisors, servers in an "internet" namespace behind the border
 * VTEP of the public VRF, the softgate from the built distribution in between.
 */
@Tag("system")
class NatSystemTest {
    static final String BLUE_SNAT = "198.51.100.1";
    static final String GREEN_SNAT = "198.51.100.2";
    static final String PORT_FORWARD = "198.51.100.10";
    static final String ONE_TO_ONE = "198.51.100.21";
    static final String BLUE1 = "10.1.1.10";
    static final String BLUE2 = "10.1.1.11";
    static final String GREEN1 = "10.1.1.10";

    /** SNAT per VPC, a port forward to blue1, and a 1:1 address for blue2. */
    static final String NAT_SECTION = """
        "nat": {"rules": [
          {"name": "blue-snat", "vpc": "blue", "action": "SNAT", "protocol": "all", "sourceAddress": "10.1.1.0/24",
           "snatToIP": "%s"},
          {"name": "green-snat", "vpc": "green", "action": "SNAT", "protocol": "all", "sourceAddress": "10.1.1.0/24",
           "snatToIP": "%s"},
          {"name": "blue1-web", "vpc": "blue", "action": "DNAT", "protocol": "tcp", "destinationAddress": "%s",
           "destinationPort": "8080", "dnatToIP": "%s", "dnatToPort": 8000},
          {"name": "blue2-eip", "vpc": "blue", "action": "DNAT", "protocol": "all", "destinationAddress": "%s",
           "dnatToIP": "%s"}]}
        """.formatted(BLUE_SNAT, GREEN_SNAT, PORT_FORWARD, BLUE1, ONE_TO_ONE, BLUE2);

    private FeatureLab lab;

    @AfterEach
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    private void startLab(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ping", "ss", "curl", FeatureLab.PYTHON);
        Path output = SystemTestSupport.outputDirectory(test);
        lab = FeatureLab.build(test.getTestMethod().orElseThrow().getName(), output,
            Map.of("blue1", BLUE1, "blue2", BLUE2), Map.of("green1", GREEN1));
        lab.startSoftgate(NAT_SECTION);
    }

    @Test
    void shouldGiveVmsWithTheSameAddressInTwoVpcsTheirOwnSnatAddress(TestInfo test) throws Exception {
        startLab(test);
        ManagedProcess server = lab.startHttpServer("server-a", lab.topology.internet(), SERVER_A, 8000, 0);

        String fromBlue = FeatureLab.get(lab.topology.vm("blue1"), "http://" + SERVER_A + ":8000/id", 10);
        String fromGreen = FeatureLab.get(lab.topology.vm("green1"), "http://" + SERVER_A + ":8000/id", 10);

        assertEquals("server-a", fromBlue, "blue1 cannot reach the internet server:\n" + lab.softgateLog());
        assertEquals("server-a", fromGreen, "green1 cannot reach the internet server:\n" + lab.softgateLog());
        String seen = server.output();
        assertTrue(seen.contains(BLUE_SNAT + " - - "), "the server did not see blue's SNAT address:\n" + seen);
        assertTrue(seen.contains(GREEN_SNAT + " - - "), "the server did not see green's SNAT address:\n" + seen);
        assertTrue(!seen.contains(BLUE1 + " - - "), "a private address reached the internet:\n" + seen);
    }

    @Test
    void shouldReachAVmThroughAPortForwardAndA1to1AddressWhoseVmLeavesFromIt(TestInfo test) throws Exception {
        startLab(test);
        lab.startHttpServer("blue1", lab.topology.vm("blue1"), BLUE1, 8000, 0);
        lab.startHttpServer("blue2", lab.topology.vm("blue2"), BLUE2, 8000, 0);
        ManagedProcess server = lab.startHttpServer("server-a", lab.topology.internet(), SERVER_A, 8000, 0);

        assertEquals("blue1", FeatureLab.get(lab.topology.internet(), "http://" + PORT_FORWARD + ":8080/id", 10),
            "port forward " + PORT_FORWARD + ":8080 -> blue1:8000 failed:\n" + lab.softgateLog());
        assertEquals("blue2", FeatureLab.get(lab.topology.internet(), "http://" + ONE_TO_ONE + ":8000/id", 10),
            "1:1 address " + ONE_TO_ONE + " -> blue2 failed:\n" + lab.softgateLog());
        assertNotNull(FeatureLab.get(lab.topology.vm("blue2"), "http://" + SERVER_A + ":8000/id", 10),
            "blue2 cannot reach the internet:\n" + lab.softgateLog());
        assertTrue(server.output().contains(ONE_TO_ONE + " - - "),
            "blue2's outbound traffic must leave from its 1:1 address:\n" + server.output());
    }
}
