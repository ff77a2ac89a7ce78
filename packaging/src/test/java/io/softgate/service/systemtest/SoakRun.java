package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.FeatureTopology.SERVER_A;
import static io.softgate.service.systemtest.FeatureTopology.SERVER_B;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 9, "Done when" 3: the soak run (not part of CI: the class name matches none of surefire's
 * test patterns, so only {@code packaging/src/test/soak/soak.sh} runs it, by name). For
 * {@code SOAK_MINUTES} (default 30) it drives mixed traffic through the softgate of the
 * {@link FeatureTopology} lab — iperf3 TCP and UDP through SNAT, iperf3 TCP through a port forward
 * (DNAT), new HTTP connections every 100 ms alternately to a load-balancer VIP (two backends, HTTP
 * health checks) and through SNAT — and changes the intent through the controller's REST API every
 * second ({@link SoakApiClient}: in a VPC created through the API, a port forward nobody uses is
 * created one second with {@code POST /api/v2/nat} and deleted the next with {@code DELETE
 * /api/v2/nat/{id}}; each must answer 2xx with a new generation in its {@code ETag}). Every minute
 * it also reloads the configuration file (SIGHUP with alternating ACL and NAT rules that never
 * touch the traffic). It samples RSS, heap, Native Memory Tracking, file descriptors and counters,
 * and ends with a verdict.
 *
 * <p>BGP peer flaps: an FRR bgpd on the lab's leaf peers with the softgate's EVPN speaker over
 * their link (iBGP, l2vpn evpn; the lab's forwarding stays static, so no route of this session
 * carries the traffic); every minute the leaf's bgpd is killed (no NOTIFICATION: the softgate sees
 * the TCP reset or its hold timer) and started again, and the session must be Established again
 * within {@link #BGP_REESTABLISH_LIMIT}.
 *
 * <p>Threading: JUnit test thread plus one client thread it starts and joins.
 */
class SoakRun {
    static final String BLUE_SNAT = "198.51.100.1";
    static final String PORT_FORWARD = "198.51.100.10";
    static final String VIP = "198.51.100.100";
    static final String BLUE1 = "10.1.1.10";
    static final String BLUE2 = "10.1.1.11";

    private static final Pattern COUNTER = Pattern.compile("([a-z0-9.\\-]+)=(\\d+)");
    static final String SOFTGATE_LINK = FeatureTopology.SOFTGATE_LINK;
    static final Duration BGP_FLAP_PERIOD = Duration.ofMinutes(1);
    static final Duration BGP_REESTABLISH_LIMIT = Duration.ofSeconds(45);
    static final Duration RELOAD_PERIOD = Duration.ofMinutes(1);

    private FeatureLab lab;

    @AfterEach
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    /** The feature sections; {@code generation} alternates an ACL deny port and a port forward nobody uses. */
    static String sections(int generation) {
        int unusedPort = 9000 + (generation % 2);
        return """
            "nat": {"maxSessions": 65536, "rules": [
              {"name": "blue-snat", "vpc": "blue", "action": "SNAT", "protocol": "all", "sourceAddress": "10.1.1.0/24",
               "snatToIP": "%s"},
              {"name": "blue1-iperf", "vpc": "blue", "action": "DNAT", "protocol": "tcp", "destinationAddress": "%s",
               "destinationPort": "5201", "dnatToIP": "%s", "dnatToPort": 5201},
              {"name": "blue2-unused-%d", "vpc": "blue", "action": "DNAT", "protocol": "tcp",
               "destinationAddress": "%s", "destinationPort": "%d", "dnatToIP": "%s", "dnatToPort": 9000}]},
            "loadBalancer": {"maxConnections": 65536, "services": [
              {"name": "web", "protocol": "tcp", "vip": "%s", "port": 80, "vpc": "blue",
               "backends": [{"address": "%s", "port": 8000}, {"address": "%s", "port": 8000}],
               "healthCheck": {"type": "http", "requestPath": "/id", "timeoutMs": 500, "intervalMs": 1000,
                               "rise": 2, "fall": 3}}]},
            "acl": {"flowCapacity": 65536, "rules": [
              {"name": "deny-unused-%d", "vpc": "blue", "priority": 10, "action": "deny", "proto": "tcp",
               "dstPrefix": "10.1.1.0/24", "dstPortFrom": %d, "dstPortTo": %d}]}
            """.formatted(BLUE_SNAT, PORT_FORWARD, BLUE1, generation % 2, PORT_FORWARD, unusedPort, BLUE2,
            VIP, BLUE1, BLUE2, generation % 2, 9100 + generation % 2, 9100 + generation % 2);
    }

    @Test
    void soak(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ss", "curl", "iperf3", "jcmd",
            FeatureLab.PYTHON);
        String minutesText = System.getenv().getOrDefault("SOAK_MINUTES", "30");
        double minutes = Double.parseDouble(minutesText);
        assumeTrue(minutes > 0, "SOAK_MINUTES must be positive");
        long durationMs = (long) (minutes * 60_000);
        Path output = SystemTestSupport.outputDirectory(test);
        lab = FeatureLab.build("soak", output, Map.of("blue1", BLUE1, "blue2", BLUE2), Map.of());

        Path configDirectory = output.resolve("etc");
        boolean bgp = FrrInstance.available();
        String bgpSection = (bgp ? ", " + FeatureTopology.bgpSection() : "") + ", "
            + SoakApiClient.section(configDirectory);
        Path config = lab.topology.writeSoftgateConfig(configDirectory, sections(0) + bgpSection);
        ManagedProcess softgate = SoftgateDistribution.built().start(lab.topology.softgate(),
            List.of("env", "SOFTGATE_JAVA_OPTS=-XX:NativeMemoryTracking=summary -Xms256m -Xmx256m -XX:+AlwaysPreTouch"), config,
            output.resolve("softgate.log"));
        lab.track(softgate);
        softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);
        SoakApiClient api = new SoakApiClient(lab.topology.softgate());
        api.awaitReady(Duration.ofSeconds(30));
        api.setUp();
        FloodMemorySampler memory = new FloodMemorySampler(softgate.pid());
        FrrInstance leafBgp = null;
        if (bgp) {
            leafBgp = lab.startFrrLeaf();
        }
        List<String> flapResults = new ArrayList<>();
        int flapsFailed = 0;

        lab.startHttpServer("blue1", lab.topology.vm("blue1"), BLUE1, 8000, 0);
        lab.startHttpServer("blue2", lab.topology.vm("blue2"), BLUE2, 8000, 0);
        lab.startHttpServer("server-a", lab.topology.internet(), SERVER_A, 8000, 0);
        ManagedProcess iperfTcpServer = iperfServer("iperf-internet-tcp", lab.topology.internet(), SERVER_A, 5201);
        ManagedProcess iperfUdpServer = iperfServer("iperf-internet-udp", lab.topology.internet(), SERVER_B, 5202);
        ManagedProcess iperfVmServer = iperfServer("iperf-blue1", lab.topology.vm("blue1"), BLUE1, 5201);
        Thread.sleep(4000); // LB health checks: rise 2 at 1 s

        long seconds = Math.max(10, durationMs / 1000);
        List<ManagedProcess> iperfClients = new ArrayList<>();
        iperfClients.add(iperfClient("iperf-snat-tcp", lab.topology.vm("blue1"), SERVER_A, 5201, seconds, "-b", "20M"));
        iperfClients.add(iperfClient("iperf-snat-udp", lab.topology.vm("blue2"), SERVER_B, 5202, seconds, "-u", "-b",
            "5M"));
        iperfClients.add(iperfClient("iperf-dnat-tcp", lab.topology.internet(), PORT_FORWARD, 5201, seconds, "-b",
            "20M"));

        AtomicLong connectionsOk = new AtomicLong();
        AtomicLong connectionsFailed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + durationMs * 1_000_000L;
        Thread connector = new Thread(() -> {
            int i = 0;
            while (System.nanoTime() < end) {
                String url = (i++ % 2 == 0) ? "http://" + VIP + "/id" : "http://" + SERVER_A + ":8000/id";
                NetworkNamespace from = url.contains(VIP) ? lab.topology.internet() : lab.topology.vm("blue2");
                (FeatureLab.get(from, url, 5) != null ? connectionsOk : connectionsFailed).incrementAndGet();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "soak-connector");
        connector.start();

        int reloads = 0;
        int reloadsRefused = 0;
        int apiChanges = 0;
        int apiChangesFailed = 0;
        List<String> apiFailures = new ArrayList<>();
        long lastGeneration = -1;
        int portForwardId = -1;
        long nextReload = start + RELOAD_PERIOD.toNanos();
        long warmUntil = start + Math.min(60_000, durationMs / 5) * 1_000_000L;
        long nextFlap = start + BGP_FLAP_PERIOD.toNanos();
        long flappedAt = 0;
        FloodMemorySampler.Sample baseline = null;
        long nextSample = start;
        List<String> counterLines = new ArrayList<>();
        while (System.nanoTime() < end) {
            long tick = System.nanoTime();
            // The change of this second, through the API: the port forward appears or goes.
            apiChanges++;
            SoakApiClient.Answer answer = portForwardId < 0 ? api.addPortForward() : api.removePortForward(portForwardId);
            boolean accepted = answer.accepted() && answer.generation() > lastGeneration;
            if (accepted && portForwardId < 0) {
                JsonNode id = answer.data() == null ? null : answer.data().get("id");
                accepted = id != null && id.isInt();
                portForwardId = accepted ? id.asInt() : -1;
            } else if (accepted) {
                portForwardId = -1;
            }
            if (accepted) {
                lastGeneration = answer.generation();
            } else {
                apiChangesFailed++;
                if (apiFailures.size() < 5) {
                    apiFailures.add("t+" + (System.nanoTime() - start) / 1_000_000_000L + "s: " + answer.raw());
                }
            }
            if (leafBgp != null) {
                // A flap every minute: the previous one must have come back up by now (or within the limit).
                if (flappedAt != 0 && established(leafBgp)) {
                    flapResults.add(String.format("flap at t+%ds: Established again after %.1f s",
                        (flappedAt - start) / 1_000_000_000L, (System.nanoTime() - flappedAt) / 1e9));
                    flappedAt = 0;
                } else if (flappedAt != 0 && System.nanoTime() - flappedAt > BGP_REESTABLISH_LIMIT.toNanos()) {
                    flapResults.add(String.format("flap at t+%ds: NOT Established within %d s", (flappedAt - start)
                        / 1_000_000_000L, BGP_REESTABLISH_LIMIT.toSeconds()));
                    flapsFailed++;
                    flappedAt = 0;
                }
                if (System.nanoTime() > nextFlap && flappedAt == 0 && System.nanoTime() + BGP_REESTABLISH_LIMIT.toNanos() < end) {
                    leafBgp.killBgpd();
                    leafBgp.startBgpd();
                    flappedAt = System.nanoTime();
                    nextFlap = flappedAt + BGP_FLAP_PERIOD.toNanos();
                }
            }
            if (System.nanoTime() > nextReload) {
                nextReload += RELOAD_PERIOD.toNanos();
                lab.topology.writeSoftgateConfig(configDirectory, sections(++reloads) + bgpSection);
                long before = countLines(softgate.output(), "reload");
                Commands.runOk("kill", "-HUP", Long.toString(softgate.pid()));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (countLines(softgate.output(), "reload") == before && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                String last = softgate.output().lines().filter(l -> l.contains("reload")).reduce((a, b) -> b).orElse("");
                if (!last.contains("reloaded")) {
                    reloadsRefused++;
                }
            }
            if (baseline == null && System.nanoTime() > warmUntil) {
                baseline = memory.sample("baseline");
                nextSample = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            } else if (baseline != null && System.nanoTime() > nextSample) {
                memory.sample("t+" + (System.nanoTime() - start) / 1_000_000_000L + "s");
                counterLines.add(lastCountersLine(softgate.output()));
                nextSample = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            }
            long sleepMs = 1000 - (System.nanoTime() - tick) / 1_000_000;
            if (sleepMs > 0) {
                Thread.sleep(sleepMs);
            }
        }
        connector.join(30_000);
        List<String> iperfResults = new ArrayList<>();
        boolean iperfOk = true;
        for (ManagedProcess client : iperfClients) {
            int exit = client.awaitExit(Duration.ofSeconds(120));
            String summary = client.output().lines().filter(l -> l.contains("receiver") || l.contains("error"))
                .reduce((a, b) -> b).orElse("<no summary>");
            iperfResults.add(client + " exit " + exit + ": " + summary.trim());
            iperfOk &= exit == 0;
        }
        Thread.sleep(3000); // traffic stopped: one counters line with nothing in flight
        FloodMemorySampler.Sample last = memory.sample("end");
        Map<String, Long> counters = parseCounters(lastCountersLine(softgate.output()));

        List<String> failures = new ArrayList<>();
        if (baseline == null) {
            failures.add("the run was too short for a baseline sample");
        } else {
            for (FloodMemorySampler.Sample sample : memory.samples()) {
                check(failures, "RSS", baseline.rssKib(), sample.rssKib(), sample);
                check(failures, "NMT committed", baseline.nmtCommittedKib(), sample.nmtCommittedKib(), sample);
                check(failures, "heap committed", baseline.heapCommittedKib(), sample.heapCommittedKib(), sample);
                if (sample.fds() > baseline.fds() + 4) {
                    failures.add("file descriptors grew: " + baseline.fds() + " -> " + sample);
                }
            }
        }
        List<String> errors = softgate.output().lines()
            .filter(l -> l.contains(" ERROR ") || l.contains("Exception")).limit(20).toList();
        if (!errors.isEmpty()) {
            failures.add("errors in the softgate log: " + errors);
        }
        long rx = counters.getOrDefault("worker.rx-packets", 0L);
        long tx = counters.getOrDefault("worker.tx-packets", 0L);
        long dropped = counters.getOrDefault("worker.dropped-packets", 0L);
        if (rx == 0 || rx != tx + dropped) {
            failures.add("counters inconsistent: rx " + rx + " != tx " + tx + " + dropped " + dropped);
        }
        if (apiChangesFailed > 0) {
            failures.add(apiChangesFailed + " of " + apiChanges + " API changes not accepted with a new generation: "
                + apiFailures);
        }
        if (durationMs >= 60_000 && apiChanges < durationMs / 1000 * 9 / 10) {
            failures.add("only " + apiChanges + " API changes in " + durationMs / 1000 + " s (one a second expected)");
        }
        if (reloadsRefused > 0) {
            failures.add(reloadsRefused + " of " + reloads + " reloads refused or not logged");
        }
        if (!iperfOk) {
            failures.add("an iperf3 stream failed");
        }
        long totalConnections = connectionsOk.get() + connectionsFailed.get();
        if (connectionsFailed.get() * 100 > totalConnections) {
            failures.add("new connections failed: " + connectionsFailed.get() + " of " + totalConnections);
        }
        if (!softgate.isAlive()) {
            failures.add("the softgate died");
        }
        if (leafBgp != null && !established(leafBgp)) {
            failures.add("the BGP session is not Established at the end");
        }
        if (flapsFailed > 0) {
            failures.add(flapsFailed + " BGP flap(s) did not come back within " + BGP_REESTABLISH_LIMIT.toSeconds() + " s");
        }
        if (leafBgp != null && durationMs >= 2 * BGP_FLAP_PERIOD.toMillis() && flapResults.isEmpty()) {
            failures.add("no BGP flap was completed");
        }

        StringBuilder report = new StringBuilder("\n===== SOAK REPORT (" + minutesText + " min) =====\n");
        for (FloodMemorySampler.Sample sample : memory.samples()) {
            report.append(sample).append('\n');
        }
        report.append("counters samples:\n");
        counterLines.forEach(l -> report.append("  ").append(l).append('\n'));
        report.append("final counters: ").append(counters).append('\n');
        report.append("API changes (POST/DELETE /api/v2/nat, one a second): ").append(apiChanges).append(", accepted ")
            .append(apiChanges - apiChangesFailed).append(", failed ").append(apiChangesFailed).append(", last generation ")
            .append(lastGeneration).append('\n');
        apiFailures.forEach(l -> report.append("  ").append(l).append('\n'));
        report.append("SIGHUP reloads (one a minute): ").append(reloads).append(" (refused ").append(reloadsRefused)
            .append(")\n");
        report.append("new connections: ").append(connectionsOk.get()).append(" ok, ").append(connectionsFailed.get())
            .append(" failed\n");
        iperfResults.forEach(l -> report.append(l).append('\n'));
        if (leafBgp == null) {
            report.append("BGP peer flaps: not run (FRR is not installed)\n");
        } else {
            report.append("BGP peer flaps (leaf bgpd killed and restarted every ").append(BGP_FLAP_PERIOD.toSeconds())
                .append(" s): ").append(flapResults.size()).append('\n');
            flapResults.forEach(l -> report.append("  ").append(l).append('\n'));
        }
        report.append("bounds: RSS, NMT committed, heap committed <= baseline + 10 % + 8 MiB; fds <= baseline + 4;"
            + " no ERROR/Exception in the log; rx = tx + dropped; every API change 2xx with a new generation;"
            + " every reload applied; iperf3 exits 0;"
            + " <= 1 % new connections failed; every BGP flap Established again within "
            + BGP_REESTABLISH_LIMIT.toSeconds() + " s\n");
        report.append("VERDICT: ").append(failures.isEmpty() ? "PASS" : "FAIL " + failures).append('\n');
        System.out.println(report);
        Files.writeString(output.resolve("soak-report.txt"), report);
        assertTrue(failures.isEmpty(), report.toString());
        iperfTcpServer.close();
        iperfUdpServer.close();
        iperfVmServer.close();
    }

    /** True when the leaf's FRR reports the session with the softgate as Established. */
    private static boolean established(FrrInstance leaf) {
        String neighbor = leaf.vtysh("show bgp neighbors " + SOFTGATE_LINK + " json");
        return neighbor.contains("\"bgpState\":\"Established\"") || neighbor.contains("\"bgpState\": \"Established\"");
    }

    private ManagedProcess iperfServer(String name, NetworkNamespace namespace, String address, int port)
        throws InterruptedException {
        ManagedProcess server = ManagedProcess.start(name, namespace,
            List.of("iperf3", "-s", "-B", address, "-p", Integer.toString(port)), lab.output.resolve(name + ".log"));
        lab.track(server);
        FeatureLab.awaitListening(namespace, address, port); // iperf3 buffers its output when not on a terminal
        return server;
    }

    private ManagedProcess iperfClient(String name, NetworkNamespace namespace, String address, int port, long seconds,
                                       String... options) {
        List<String> command = new ArrayList<>(List.of("iperf3", "-c", address, "-p", Integer.toString(port), "-t",
            Long.toString(seconds), "-i", "30", "--connect-timeout", "5000"));
        command.addAll(List.of(options));
        ManagedProcess client = ManagedProcess.start(name, namespace, command, lab.output.resolve(name + ".log"));
        lab.track(client);
        return client;
    }

    private static void check(List<String> failures, String what, long baselineKib, long valueKib,
                              FloodMemorySampler.Sample sample) {
        if (baselineKib > 0 && valueKib > baselineKib + baselineKib / 10 + 8 * 1024) {
            failures.add(what + " grew beyond 10 % + 8 MiB of " + baselineKib + " KiB: " + sample);
        }
    }

    private static long countLines(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    private static String lastCountersLine(String log) {
        return log.lines().filter(l -> l.contains(" counters {")).reduce((a, b) -> b).orElse("");
    }

    private static Map<String, Long> parseCounters(String line) {
        Map<String, Long> counters = new LinkedHashMap<>();
        Matcher m = COUNTER.matcher(line.substring(Math.max(0, line.indexOf('{'))));
        while (m.find()) {
            counters.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return counters;
    }
}
