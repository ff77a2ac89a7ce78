package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.FeatureTopology.SERVER_A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 6, "Done when" 2: stateful ACLs through real kernels. Two blue VMs are reachable from the
 * internet namespace through NAT port forwards (198.51.100.10:8080 -> blue1:8000,
 * 198.51.100.11:8080 -> blue2:8000) and reach the internet through SNAT; the blue VPC's ACL is
 * changed at run time by rewriting the configuration file and sending SIGHUP to the softgate.
 */
@Tag("system")
class AclSystemTest {
    static final String BLUE1 = "10.1.1.10";
    static final String BLUE2 = "10.1.1.11";
    static final String FORWARD1 = "198.51.100.10";
    static final String FORWARD2 = "198.51.100.11";

    static final String NAT_SECTION = """
        "nat": {"rules": [
          {"name": "blue-snat", "vpc": "blue", "action": "SNAT", "sourceAddress": "10.1.1.0/24", "snatToIP": "198.51.100.1"},
          {"name": "blue1-web", "vpc": "blue", "action": "DNAT", "protocol": "tcp", "destinationAddress": "%s",
           "destinationPort": "8080", "dnatToIP": "%s", "dnatToPort": 8000},
          {"name": "blue2-web", "vpc": "blue", "action": "DNAT", "protocol": "tcp", "destinationAddress": "%s",
           "destinationPort": "8080", "dnatToIP": "%s", "dnatToPort": 8000}]}
        """.formatted(FORWARD1, BLUE1, FORWARD2, BLUE2);

    /** The internet may open TCP port 8000 of {@code vms} (replies pass: established). */
    static String webPermitted(String defaultAction, String... vms) {
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < vms.length; i++) {
            rules.append(i == 0 ? "" : ",").append("""
                {"name": "web-%d", "vpc": "blue", "priority": 10, "action": "permit", "proto": "tcp",
                 "dstPrefix": "%s/32", "dstPortFrom": 8000, "dstPortTo": 8000, "established": true}
                """.formatted(i, vms[i]));
        }
        return NAT_SECTION + ", \"acl\": {\"flowCapacity\": 65536, \"defaultActions\": {\"blue\": \"" + defaultAction
            + "\"}, \"rules\": [" + rules + "]}";
    }

    private FeatureLab lab;

    @AfterEach
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    private void startLab(TestInfo test, String featureSections) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ss", "curl", FeatureLab.PYTHON);
        Path output = SystemTestSupport.outputDirectory(test);
        lab = FeatureLab.build(test.getTestMethod().orElseThrow().getName(), output,
            Map.of("blue1", BLUE1, "blue2", BLUE2), Map.of());
        lab.startHttpServer("blue1", lab.topology.vm("blue1"), BLUE1, 8000, 1_000_000);
        lab.startHttpServer("blue2", lab.topology.vm("blue2"), BLUE2, 8000, 1_000_000);
        lab.startSoftgate(featureSections);
    }

    @Test
    void shouldStopConnectionsToAPortForwardedVmWithADenyRuleAndAllowThemWithAPermitRule(TestInfo test)
        throws Exception {
        String deny = NAT_SECTION + """
            , "acl": {"flowCapacity": 65536, "rules": [
              {"name": "no-web", "vpc": "blue", "priority": 10, "action": "deny", "proto": "tcp",
               "dstPrefix": "10.1.1.10/32", "dstPortFrom": 8000, "dstPortTo": 8000}]}
            """;
        startLab(test, deny);

        assertNull(FeatureLab.get(lab.topology.internet(), "http://" + FORWARD1 + ":8080/id", 3),
            "the deny rule must stop connections from the internet to blue1");
        assertEquals("blue2", FeatureLab.get(lab.topology.internet(), "http://" + FORWARD2 + ":8080/id", 5),
            "blue2 is not denied (default permit)\n" + lab.softgateLog());
        awaitCounter("acl-ingress.drop.rule-denied");

        lab.reloadSoftgate(webPermitted("deny", BLUE1, BLUE2));
        assertEquals("blue1", FeatureLab.get(lab.topology.internet(), "http://" + FORWARD1 + ":8080/id", 5),
            "the permit rule must let the internet reach blue1\n" + lab.softgateLog());
    }

    @Test
    void shouldLetOnlyReturnTrafficOfVmInitiatedTcpInWithEstablished(TestInfo test) throws Exception {
        String established = NAT_SECTION + """
            , "acl": {"flowCapacity": 65536, "defaultActions": {"blue": "deny"}, "rules": [
              {"name": "out-tcp", "vpc": "blue", "priority": 10, "action": "permit", "proto": "tcp",
               "srcPrefix": "10.1.1.0/24", "established": true}]}
            """;
        startLab(test, established);
        ManagedProcess server = lab.startHttpServer("server-a", lab.topology.internet(), SERVER_A, 8000, 0);

        assertEquals("server-a", FeatureLab.get(lab.topology.vm("blue1"), "http://" + SERVER_A + ":8000/id", 5),
            "the replies of blue1's own TCP connection must come in\n" + lab.softgateLog());
        assertNull(FeatureLab.get(lab.topology.internet(), "http://" + FORWARD1 + ":8080/id", 3),
            "a connection opened from the internet must not come in");
        Commands.Result ping = lab.topology.vm("blue1").exec(Duration.ofSeconds(20), "ping", "-c", "2", "-W", "1",
            SERVER_A);
        assertNotEquals(0, ping.exitCode(), "ICMP is not TCP: no rule lets it out or its replies in: " + ping.output());
        assertTrue(server.output().contains("198.51.100.1 - - "), server.output());
    }

    @Test
    void shouldCutAFlowTheReplacedRulesDenyAndKeepOneTheyPermit(TestInfo test) throws Exception {
        startLab(test, webPermitted("deny", BLUE1, BLUE2));
        // Two slow downloads (1 MB at ~100 kB/s) through the two port forwards; a stalled one gives up
        // after 3 s. The reader paces itself with a 4 KiB receive buffer, so the server cannot push the
        // file ahead into the client's kernel (curl's --limit-rate only paces its reads, and with
        // autotuned buffers the whole megabyte could arrive before the rules change).
        ManagedProcess denied = ManagedProcess.start("download-blue1", lab.topology.internet(),
            slowDownload(FORWARD1, 8080), lab.output.resolve("download-blue1.log"));
        ManagedProcess kept = ManagedProcess.start("download-blue2", lab.topology.internet(),
            slowDownload(FORWARD2, 8080), lab.output.resolve("download-blue2.log"));
        Thread.sleep(2000);
        assertTrue(denied.isAlive() && kept.isAlive(), "both downloads must be running before the change: "
            + denied.output() + " / " + kept.output());

        lab.reloadSoftgate(webPermitted("deny", BLUE2));

        int deniedExit = denied.awaitExit(Duration.ofSeconds(30));
        assertNotEquals(0, deniedExit, "the download from blue1 must be cut by the new rules: " + denied.output());
        assertEquals(0, kept.awaitExit(Duration.ofSeconds(60)), "the download from blue2 must go on: " + kept.output());
        assertEquals("1000000", kept.output().trim(), "bytes from blue2");
        assertTrue(Long.parseLong(denied.output().trim().isEmpty() ? "0" : denied.output().trim()) < 1_000_000,
            "blue1's download must not complete: " + denied.output());
    }

    private void awaitCounter(String counter) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!lab.softgateLog().contains(counter)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the softgate never counted " + counter + ":\n" + lab.softgateLog());
            }
            Thread.sleep(100);
        }
    }

    /**
     * A paced HTTP/1.0 GET of {@code /big}: SO_RCVBUF 4 KiB set before connecting (so the advertised
     * window stays small), 1 KiB read every 10 ms, 3 s without data ends it with exit 1. Prints the
     * body bytes received; exits 0 only when the body is complete.
     */
    private static List<String> slowDownload(String address, int port) {
        String script = String.join("\n",
            "import socket, sys, time",
            "s = socket.socket()",
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)",
            "s.settimeout(3)",
            "s.connect((sys.argv[1], int(sys.argv[2])))",
            "s.sendall(b'GET /big HTTP/1.0\\r\\nHost: softgate\\r\\n\\r\\n')",
            "data = bytearray()",
            "ok = True",
            "try:",
            "    while True:",
            "        chunk = s.recv(1024)",
            "        if not chunk:",
            "            break",
            "        data += chunk",
            "        time.sleep(0.01)",
            "except OSError:",
            "    ok = False",
            "head, _, body = data.partition(b'\\r\\n\\r\\n')",
            "length = [l for l in head.split(b'\\r\\n') if l.lower().startswith(b'content-length:')]",
            "complete = ok and bool(length) and int(length[0].split(b':')[1]) == len(body)",
            "print(len(body))",
            "sys.exit(0 if complete else 1)");
        return List.of(FeatureLab.PYTHON, "-c", script, address, Integer.toString(port));
    }
}
