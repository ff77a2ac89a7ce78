package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.FeatureTopology.SERVER_A;
import static io.softgate.service.systemtest.FeatureTopology.SERVER_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 9, "Done when" 2 and the "Overload" bullet: a SYN flood at many times the NAT's session
 * capacity while established TCP connections move data through SNAT and a port forward. None of
 * them is lost (each keeps echoing the same bytes, checked by hash, with no long stall), the
 * excess is counted (per-subscriber limit and full table), the ICMP "administratively prohibited"
 * errors the NAT answers with are rate-limited (counted where they arrive), and the softgate's
 * resident, heap and native memory stay flat.
 *
 * <p>Capacity is the smallest the service accepts ({@code nat.maxSessions} 1024) and a subscriber
 * may hold {@value #PORTS_PER_SUBSCRIBER} ports. The NAT sizes its flow table for twice
 * {@code maxSessions} (4 entries a session, 2 used), so it admits about 2,000 sessions before it is
 * full; the flood of 20 x 1024 SYNs is about 10 times that, on a 2-core box, at a paced rate the
 * single worker keeps up with (the point is the session table, not the socket buffers). Every
 * flood is hping3 with a packet count: it stops by itself.
 *
 * <p>Threading: JUnit test thread.
 */
@Tag("system")
class NatFloodSystemTest {
    static final String BLUE_SNAT = "198.51.100.1";
    static final String PORT_FORWARD = "198.51.100.10";
    static final String BLUE1 = "10.1.1.10";
    static final String BLUE2 = "10.1.1.11";
    static final int MAX_SESSIONS = 1024;
    static final int PORTS_PER_SUBSCRIBER = 100;
    static final int CAPACITY_FLOOD_PACKETS = 20 * MAX_SESSIONS;
    static final int SUBSCRIBER_FLOOD_PACKETS = 10 * PORTS_PER_SUBSCRIBER;
    /** Nat44Translator refills its ICMP tokens to this many per second per worker (NatSettings default). */
    static final int NAT_ICMP_ERRORS_PER_SECOND = 100;
    static final int CONNECTIONS_PER_PATH = 4;
    static final int CONNECTION_SECONDS = 40;

    /** SNAT for blue, a port forward with a live echo server (8080 -> blue1:8000) and one flooded (9090 -> blue1:9000). */
    static final String NAT_SECTION = """
        "nat": {"maxSessions": %d, "portsPerSubscriberLimit": %d, "rules": [
          {"name": "blue-snat", "vpc": "blue", "action": "SNAT", "protocol": "all", "sourceAddress": "10.1.1.0/24",
           "snatToIP": "%s"},
          {"name": "blue1-echo", "vpc": "blue", "action": "DNAT", "protocol": "tcp", "destinationAddress": "%s",
           "destinationPort": "8080", "dnatToIP": "%s", "dnatToPort": 8000},
          {"name": "blue1-flooded", "vpc": "blue", "action": "DNAT", "protocol": "tcp", "destinationAddress": "%s",
           "destinationPort": "9090", "dnatToIP": "%s", "dnatToPort": 9000}]}
        """.formatted(MAX_SESSIONS, PORTS_PER_SUBSCRIBER, BLUE_SNAT, PORT_FORWARD, BLUE1, PORT_FORWARD, BLUE1);

    private static final Pattern COUNTER = Pattern.compile("([a-z0-9.\\-]+)=(\\d+)");
    private static final Pattern CONNECTION_OK =
        Pattern.compile("conn=\\d+ ok bytes=(\\d+) sha256=([0-9a-f]+) expected=([0-9a-f]+) maxGapMs=(\\d+)");

    private FeatureLab lab;

    @AfterEach
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void shouldKeepEstablishedConnectionsAndFlatMemoryWhileASynFloodExceedsTheSessionTable(TestInfo test)
        throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ss", "hping3", "jcmd", FeatureLab.PYTHON);
        Path output = SystemTestSupport.outputDirectory(test);
        lab = FeatureLab.build("flood", output, Map.of("blue1", BLUE1, "blue2", BLUE2), Map.of());
        ManagedProcess softgate = startSoftgateWithNativeMemoryTracking(output);
        FloodMemorySampler memory = new FloodMemorySampler(softgate.pid());

        Path server = copyScript(output, "echo_server.py");
        Path clients = copyScript(output, "echo_clients.py");
        startEchoServer("echo-internet", lab.topology.internet(), server, SERVER_A, 7000);
        startEchoServer("echo-blue1", lab.topology.vm("blue1"), server, BLUE1, 8000);

        // Established: blue1 -> internet through SNAT, internet -> blue1 through the port forward.
        ManagedProcess outbound = startClients("clients-snat", lab.topology.vm("blue1"), clients, SERVER_A, 7000);
        ManagedProcess inbound = startClients("clients-dnat", lab.topology.internet(), clients, PORT_FORWARD, 8080);
        outbound.awaitOutput("established", Duration.ofSeconds(30));
        inbound.awaitOutput("established", Duration.ofSeconds(30));

        // Warm-up: the slow path (session creation, refusal) and the samplers run once before the baseline.
        flood(lab.topology.internet(), "warm-up", PORT_FORWARD, 9090, 30_000, 200, 2000);
        Thread.sleep(3000);
        memory.sample("warm");
        FloodMemorySampler.Sample baseline = memory.sample("baseline");
        long icmpAtVmBefore = icmpDestinationUnreachableReceived(lab.topology.vm("blue2"));
        long icmpAtInternetBefore = icmpDestinationUnreachableReceived(lab.topology.internet());

        // Per-subscriber limit: blue2 opens connections from many source ports (each needs a mapping).
        long subscriberStart = System.nanoTime();
        flood(lab.topology.vm("blue2"), "subscriber-flood", SERVER_B, 7001, 20_000, SUBSCRIBER_FLOOD_PACKETS, 1000);
        long subscriberSeconds = secondsSince(subscriberStart);
        memory.sample("subscriber");

        // Capacity: the internet floods the port forward from ever new source ports (each a new session).
        long capacityStart = System.nanoTime();
        flood(lab.topology.internet(), "capacity-flood", PORT_FORWARD, 9090, 40_000, CAPACITY_FLOOD_PACKETS, 400);
        long capacitySeconds = secondsSince(capacityStart);
        memory.sample("after-flood");
        Thread.sleep(2500);
        long icmpAtVm = icmpDestinationUnreachableReceived(lab.topology.vm("blue2")) - icmpAtVmBefore;
        long icmpAtInternet = icmpDestinationUnreachableReceived(lab.topology.internet()) - icmpAtInternetBefore;

        outbound.awaitExit(Duration.ofSeconds(CONNECTION_SECONDS + 60));
        inbound.awaitExit(Duration.ofSeconds(CONNECTION_SECONDS + 60));
        Thread.sleep(2500); // one more counters line
        FloodMemorySampler.Sample end = memory.sample("end");

        Map<String, Long> counters = lastCounters(softgate.output());
        System.out.println("[flood] counters at the end: " + counters);
        System.out.println("[flood] ICMP destination unreachable received: blue2 " + icmpAtVm + " in "
            + subscriberSeconds + " s of subscriber flood, internet " + icmpAtInternet + " in " + capacitySeconds
            + " s of capacity flood");
        System.out.println("[flood] established connections:\n" + outbound.output() + inbound.output());

        // 1. No established connection lost: each echoed all it sent, same bytes, no stall over 5 s.
        assertConnectionsSurvived("SNAT", outbound.output());
        assertConnectionsSurvived("port forward", inbound.output());

        // 2. The excess was counted.
        long subscriberRefused = counter(counters, "nat44-in2out.drop.subscriber-port-limit")
            + counter(counters, "nat44-in2out.refused-with-icmp.subscriber-port-limit");
        long tableFull = counter(counters, "nat44-out2in.drop.session-table-full");
        long refusedWithIcmp = counter(counters, "nat44-out2in.refused-with-icmp")
            + counter(counters, "nat44-in2out.refused-with-icmp");
        assertTrue(counter(counters, "nat44-in2out.drop.subscriber-port-limit") > 0,
            "blue2's SYNs beyond " + PORTS_PER_SUBSCRIBER + " ports must be refused and counted: " + counters);
        assertTrue(tableFull + refusedWithIcmp >= (CAPACITY_FLOOD_PACKETS - 2L * MAX_SESSIONS) / 2,
            "most of the " + CAPACITY_FLOOD_PACKETS + " flood SYNs beyond the " + MAX_SESSIONS
                + "-session table must be refused and counted (table full " + tableFull + ", with ICMP "
                + refusedWithIcmp + ", subscriber " + subscriberRefused + "): " + counters);

        // 3. ICMP errors under attack are rate-limited: at most the per-second budget, counted where they arrive.
        assertTrue(icmpAtInternet > 0, "the NAT answers refused SYNs with ICMP code 13 (within its rate)");
        long icmpBudget = NAT_ICMP_ERRORS_PER_SECOND * (capacitySeconds + 4);
        assertTrue(icmpAtInternet <= icmpBudget, "ICMP errors at the flooder: " + icmpAtInternet + " > budget "
            + icmpBudget + " for " + capacitySeconds + " s");
        assertTrue(icmpAtInternet < CAPACITY_FLOOD_PACKETS / 2, "most refusals must go unanswered");
        assertTrue(icmpAtVm <= NAT_ICMP_ERRORS_PER_SECOND * (subscriberSeconds + 4),
            "ICMP errors at blue2: " + icmpAtVm);

        // 4. Memory flat: resident and native memory within 10 % (+8 MiB of page-granular slack) of the
        //    post-warm-up baseline; the heap's committed size too; file descriptors unchanged.
        for (FloodMemorySampler.Sample sample : memory.samples()) {
            if (sample == baseline || sample.label().equals("warm")) {
                continue;
            }
            assertWithin("RSS", baseline.rssKib(), sample.rssKib(), sample);
            if (baseline.nmtCommittedKib() > 0) {
                assertWithin("NMT committed", baseline.nmtCommittedKib(), sample.nmtCommittedKib(), sample);
            }
            if (baseline.heapCommittedKib() > 0) {
                assertWithin("heap committed", baseline.heapCommittedKib(), sample.heapCommittedKib(), sample);
            }
        }
        assertTrue(end.fds() <= baseline.fds() + 4, "file descriptors grew: " + baseline + " -> " + end);
        assertTrue(softgate.isAlive(), "the softgate died:\n" + softgate.output());
        assertTrue(!softgate.output().contains(" ERROR "), "errors in the softgate log:\n" + softgate.output());
    }

    private ManagedProcess startSoftgateWithNativeMemoryTracking(Path output) throws IOException, InterruptedException {
        Path config = lab.topology.writeSoftgateConfig(output.resolve("etc"), NAT_SECTION);
        ManagedProcess softgate = SoftgateDistribution.built().start(lab.topology.softgate(),
            List.of("env", "SOFTGATE_JAVA_OPTS=-XX:NativeMemoryTracking=summary -Xms256m -Xmx256m -XX:+AlwaysPreTouch"), config,
            output.resolve("softgate.log"));
        lab.track(softgate);
        softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);
        return softgate;
    }

    private static Path copyScript(Path output, String name) throws IOException {
        Path target = output.resolve(name);
        try (InputStream in = NatFloodSystemTest.class.getResourceAsStream("/flood/" + name)) {
            Files.copy(in, target);
        }
        return target;
    }

    private void startEchoServer(String name, NetworkNamespace namespace, Path script, String address, int port)
        throws InterruptedException {
        ManagedProcess server = ManagedProcess.start(name, namespace,
            List.of(FeatureLab.PYTHON, "-u", script.toString(), address, Integer.toString(port)),
            lab.output.resolve(name + ".log"));
        lab.track(server);
        server.awaitOutput("listening", Duration.ofSeconds(15));
    }

    private ManagedProcess startClients(String name, NetworkNamespace namespace, Path script, String host, int port) {
        ManagedProcess clients = ManagedProcess.start(name, namespace,
            List.of(FeatureLab.PYTHON, "-u", script.toString(), host, Integer.toString(port),
                Integer.toString(CONNECTIONS_PER_PATH), Integer.toString(CONNECTION_SECONDS)),
            lab.output.resolve(name + ".log"));
        lab.track(clients);
        return clients;
    }

    /** hping3 SYNs to {@code address:port} from source ports counting up from {@code basePort}; stops after {@code packets}. */
    private void flood(NetworkNamespace from, String name, String address, int port, int basePort, int packets,
                       int intervalMicros) {
        Commands.Result result = from.exec(Duration.ofSeconds(packets * (long) intervalMicros / 1_000_000 + 60),
            "hping3", "-q", "-S", "-p", Integer.toString(port), "-s", Integer.toString(basePort),
            "-i", "u" + intervalMicros, "-c", Integer.toString(packets), address);
        System.out.println("[flood] " + name + ": " + result.output().lines()
            .filter(line -> line.contains("packets")).findFirst().orElse(result.output()));
    }

    /** Icmp InDestUnreachs of the namespace's kernel (/proc/net/snmp is per network namespace). */
    private static long icmpDestinationUnreachableReceived(NetworkNamespace namespace) {
        List<String> icmp = namespace.execOk("cat", "/proc/net/snmp").lines()
            .filter(line -> line.startsWith("Icmp:")).toList();
        List<String> names = List.of(icmp.get(0).split(" "));
        String[] values = icmp.get(1).split(" ");
        return Long.parseLong(values[names.indexOf("InDestUnreachs")]);
    }

    private static long secondsSince(long startNs) {
        return Math.max(1, (System.nanoTime() - startNs + 999_999_999L) / 1_000_000_000L);
    }

    private static Map<String, Long> lastCounters(String log) {
        String line = log.lines().filter(l -> l.contains(" counters {")).reduce((a, b) -> b).orElse("");
        Map<String, Long> counters = new LinkedHashMap<>();
        Matcher m = COUNTER.matcher(line.substring(Math.max(0, line.indexOf('{'))));
        while (m.find()) {
            counters.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return counters;
    }

    private static long counter(Map<String, Long> counters, String name) {
        return counters.getOrDefault(name, 0L);
    }

    private static void assertConnectionsSurvived(String path, String output) {
        List<String> lines = output.lines().filter(line -> line.startsWith("conn=")).toList();
        assertEquals(CONNECTIONS_PER_PATH, lines.size(), path + " clients did not report:\n" + output);
        for (String line : lines) {
            Matcher m = CONNECTION_OK.matcher(line);
            assertTrue(m.matches(), path + " connection lost: " + line);
            assertEquals(m.group(3), m.group(2), path + " echoed bytes differ: " + line);
            // 50 chunks a second at best; the flood must not starve a connection below a quarter of that.
            assertTrue(Long.parseLong(m.group(1)) >= 1024L * 12 * CONNECTION_SECONDS,
                path + " connection moved too little: " + line);
            assertTrue(Long.parseLong(m.group(4)) < 5000, path + " connection stalled: " + line);
        }
    }

    private static void assertWithin(String what, long baselineKib, long valueKib, FloodMemorySampler.Sample sample) {
        long bound = baselineKib + baselineKib / 10 + 8 * 1024;
        assertTrue(valueKib <= bound, what + " grew beyond 10 % + 8 MiB: baseline " + baselineKib + " KiB, "
            + sample);
    }
}
