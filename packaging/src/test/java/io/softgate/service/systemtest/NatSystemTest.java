package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.FeatureTopology.SERVER_A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
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
        startLab(test, NAT_SECTION);
    }

    private void startLab(TestInfo test, String natSection) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ping", "ss", "curl", FeatureLab.PYTHON);
        Path output = SystemTestSupport.outputDirectory(test);
        lab = FeatureLab.build(test.getTestMethod().orElseThrow().getName(), output,
            Map.of("blue1", BLUE1, "blue2", BLUE2), Map.of("green1", GREEN1));
        lab.startSoftgate(natSection);
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

        // The abuse-desk log names both mappings (VPC, inside and outside) and never the destination.
        Path eventLog = lab.output.resolve("etc-1/state/nat-events.log");
        String events = awaitLines(eventLog, 2);
        assertTrue(events.contains("MAPPING-CREATE proto=tcp vpc=blue inside=" + BLUE1 + ":")
            && events.contains("outside=" + BLUE_SNAT + ":"), events);
        assertTrue(events.contains("MAPPING-CREATE proto=tcp vpc=green inside=" + GREEN1 + ":")
            && events.contains("outside=" + GREEN_SNAT + ":"), events);
        assertTrue(!events.contains(SERVER_A), "the NAT event log must not record destinations:\n" + events);
    }

    /**
     * RFC 5382 REQ-4 through real kernels: a connect from the internet to a port of the SNAT address
     * that no mapping holds is not answered for 6 s, then refused by the NAT's ICMP port unreachable
     * (the client's SYN retransmissions give the softgate the batches it settles the hold in).
     */
    @Test
    void shouldRefuseAnUnsolicitedConnectionWithPortUnreachableOnlyAfterHoldingItsSynSixSeconds(TestInfo test)
        throws Exception {
        startLab(test);

        long startNs = System.nanoTime();
        Commands.Result connect = lab.topology.internet().exec(Duration.ofSeconds(40), "curl", "-s",
            "--connect-timeout", "20", "http://" + BLUE_SNAT + ":40000/");
        long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;

        assertEquals(7, connect.exitCode(), "curl must fail to connect (refused), not time out (28): "
            + connect.output() + "\n" + lab.softgateLog());
        assertTrue(elapsedMs >= 6000, "the NAT answered the unsolicited SYN after " + elapsedMs + " ms (< 6 s)");
        assertTrue(elapsedMs < 15_000, "the refusal took " + elapsedMs + " ms");
        lab.softgate().awaitOutput("nat44-out2in.held-syns-answered=", Duration.ofSeconds(10));
        System.out.println("NatSystemTest: unsolicited SYN refused by ICMP port unreachable after " + elapsedMs
            + " ms");
    }

    private static String awaitLines(Path file, int lines) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            String text = java.nio.file.Files.exists(file) ? java.nio.file.Files.readString(file) : "";
            if (text.lines().count() >= lines || System.nanoTime() > deadline) {
                return text;
            }
            Thread.sleep(100);
        }
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

    @Test
    void shouldKeepOneMappingPerVmPortAndLetAnyRemoteUseItWithEndpointIndependentFiltering(TestInfo test)
        throws Exception {
        startLab(test);
        EimOutcome outcome = runEimExchange();
        assertEquals(outcome.mappingSeenByA(), outcome.mappingSeenByB(),
            "RFC 4787 REQ-1: one VM port must keep one public address:port for every destination");
        assertTrue(outcome.mappingSeenByA().startsWith(BLUE_SNAT + ":"), outcome.mappingSeenByA());
        assertEquals("got unsolicited-b", outcome.vmReport(),
            "RFC 4787 REQ-8 (endpoint-independent filtering, the default): server B's packet to the mapping must "
                + "reach the VM\n" + lab.softgateLog());
    }

    @Test
    void shouldDropAnUnknownRemoteSendingToTheMappingWithAddressDependentFiltering(TestInfo test) throws Exception {
        startLab(test, NAT_SECTION.replace("\"nat\": {", "\"nat\": {\"filtering\": \"address-dependent\", "));
        EimOutcome outcome = runEimExchange();
        assertEquals(outcome.mappingSeenByA(), outcome.mappingSeenByB(), "RFC 4787 REQ-1 holds in every filtering mode");
        assertEquals("timeout", outcome.vmReport(),
            "address-dependent filtering: server B was never addressed, its packet must be dropped");
    }

    /** What the EIM exchange showed: the mapping each server saw, and what the VM received from B. */
    record EimOutcome(String mappingSeenByA, String mappingSeenByB, String vmReport) {
    }

    /**
     * blue1 sends UDP from port 40000 to server A; server B (another address) then sends to the
     * public address:port A saw; blue1 reports whether that arrived, then sends to B from the same
     * port, and B reports the mapping it sees.
     */
    private EimOutcome runEimExchange() throws Exception {
        String server = """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((sys.argv[1], 5000))
            data, peer = s.recvfrom(100)
            print("saw %s:%d" % peer, flush=True)
            s.sendto(b"ack", peer)
            """;
        String vm = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", 40000))
            s.settimeout(10)
            s.sendto(b"to-a", ("%s", 5000))
            print("ack from a: %%s" %% (s.recvfrom(100)[0],), flush=True)
            s.settimeout(8)
            try:
                data, peer = s.recvfrom(100)
                print("got " + data.decode(), flush=True)
            except socket.timeout:
                print("timeout", flush=True)
            s.settimeout(10)
            s.sendto(b"to-b", ("%s", 5000))
            print("ack from b: %%s" %% (s.recvfrom(100)[0],), flush=True)
            """.formatted(SERVER_A, FeatureTopology.SERVER_B);
        ManagedProcess serverA = startPython("udp-server-a", lab.topology.internet(), server, SERVER_A);
        ManagedProcess serverB = startPython("udp-server-b", lab.topology.internet(), server, FeatureTopology.SERVER_B);
        Thread.sleep(500);
        ManagedProcess client = startPython("udp-vm", lab.topology.vm("blue1"), vm);
        serverA.awaitOutput("saw ", Duration.ofSeconds(15));
        String mappingA = lineAfter(serverA.output(), "saw ");
        String[] mapping = mappingA.split(":");
        client.awaitOutput("ack from a", Duration.ofSeconds(15));
        Commands.Result unsolicited = lab.topology.internet().exec(FeatureLab.PYTHON, "-c",
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('%s', 5001)); "
                .formatted(FeatureTopology.SERVER_B)
                + "s.sendto(b'unsolicited-b', ('%s', %s))".formatted(mapping[0], mapping[1]));
        assertEquals(0, unsolicited.exitCode(), unsolicited.output());
        client.awaitOutput("ack from b", Duration.ofSeconds(30));
        String report = client.output().lines().filter(line -> line.startsWith("got ") || line.equals("timeout"))
            .findFirst().orElse("<none>");
        return new EimOutcome(mappingA, lineAfter(serverB.output(), "saw "), report);
    }

    private ManagedProcess startPython(String name, NetworkNamespace namespace, String script, String... args)
        throws java.io.IOException {
        Path file = lab.output.resolve(name + ".py");
        java.nio.file.Files.writeString(file, script);
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(FeatureLab.PYTHON, "-u",
            file.toString()));
        command.addAll(java.util.List.of(args));
        ManagedProcess process = ManagedProcess.start(name, namespace, command, lab.output.resolve(name + ".log"));
        lab.track(process);
        return process;
    }

    private static String lineAfter(String output, String prefix) {
        return output.lines().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length()))
            .findFirst().orElseThrow(() -> new AssertionError("no line starting with " + prefix + " in:\n" + output));
    }

    @Test
    void shouldTranslateTheEmbeddedHeaderOfAnIcmpErrorFromTheInternetBackToTheVm(TestInfo test) throws Exception {
        startLab(test);
        // TTL 1 expires at blue's hypervisor (10.1.1.1) and TTL 2 at the softgate itself (its
        // public-VRF gateway 198.51.100.254); a larger TTL expires at the border, on the internet
        // side, whose "time exceeded" (RFC 792) quotes the SNAT'ed echo request: the VM's ping
        // accepts it only if the quoted source and identifier are its own again (RFC 5508 REQ-4).
        String seen = null;
        StringBuilder pings = new StringBuilder();
        for (int ttl = 2; ttl <= 5 && seen == null; ttl++) {
            Commands.Result ping = lab.topology.vm("blue1").exec(Duration.ofSeconds(20), "ping", "-n", "-c", "1",
                "-W", "2", "-t", Integer.toString(ttl), SERVER_A);
            pings.append("ttl ").append(ttl).append(": ").append(ping.output());
            for (String line : ping.output().split("\n")) {
                if (line.contains("Time to live exceeded") && !line.contains(FeatureTopology.VPC_GATEWAY)
                    && !line.contains("198.51.100.254")) {
                    seen = line;
                }
            }
        }
        System.out.println("NatSystemTest ICMP error: " + seen);
        assertNotNull(seen, "no time-exceeded from the internet side reached blue1:\n" + pings + "\n" + lab.softgateLog());
        lab.stopSoftgate();
        assertTrue(lab.softgateLog().contains("nat44-out2in.icmp-errors-translated="),
            "the softgate must have translated the ICMP error: " + seen + "\n" + lab.softgateLog());
    }

    @Test
    void shouldHairpinAVmToAnotherVmsPublicAddressFromItsOwnPublicAddress(TestInfo test) throws Exception {
        startLab(test);
        ManagedProcess blue2 = lab.startHttpServer("blue2", lab.topology.vm("blue2"), BLUE2, 8000, 0);

        assertEquals("blue2", FeatureLab.get(lab.topology.vm("blue1"), "http://" + ONE_TO_ONE + ":8000/id", 10),
            "blue1 cannot reach blue2 through blue2's public address " + ONE_TO_ONE + "\n" + lab.softgateLog());
        assertTrue(blue2.output().contains(BLUE_SNAT + " - - "),
            "RFC 4787 REQ-9: blue2 must see blue1's public address, not its private one:\n" + blue2.output());
    }
}
