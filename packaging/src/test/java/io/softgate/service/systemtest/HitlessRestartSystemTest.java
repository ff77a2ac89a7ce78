package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.FeatureTopology.SERVER_A;
import static io.softgate.service.systemtest.NatSystemTest.BLUE1;
import static io.softgate.service.systemtest.NatSystemTest.BLUE2;
import static io.softgate.service.systemtest.NatSystemTest.ONE_TO_ONE;
import static io.softgate.service.systemtest.NatSystemTest.PORT_FORWARD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 9, "Done when" 1: long-lived TCP connections through SNAT, a 1:1 address (both ways), a
 * port forward and a load-balancer VIP, plus UDP flows, all moving data; the softgate is killed
 * with SIGKILL and started again on the same state directory; every flow must keep moving data
 * afterwards with no reset. The restarted softgate's VIP has a second backend that Maglev gives
 * about half of the connections to: they stay on their first backend only because the LB
 * connection table was persisted (the second backend has no such connections and would reset them).
 *
 * <p>Prints the time from the kill to the new process (the test's own part), from there to the
 * data plane forwarding again (the softgate's start-up, from its {@code startup} log lines), the
 * outage (kill to the first echo after it, on any flow), and per kind of flow the longest gap and
 * the range of outages.
 */
@Tag("system")
class HitlessRestartSystemTest {
    private static final int SNAT_TCP = 20;
    private static final int ONE_TO_ONE_OUT_TCP = 10;
    private static final int PORT_FORWARD_TCP = 10;
    private static final int ONE_TO_ONE_IN_TCP = 10;
    private static final int LOAD_BALANCED_TCP = 10;
    private static final int SNAT_UDP = 5;
    private static final int ONE_TO_ONE_OUT_UDP = 3;
    static final String VIP = "198.51.100.80";
    /** The VIP before the restart: one backend (blue1's echo server), so every connection lands there. */
    private static final String LB_ONE_BACKEND = """
        , "loadBalancer": {"maxConnections": 65536, "services": [
          {"name": "echo", "protocol": "tcp", "vip": "%s", "port": 80, "vpc": "blue",
           "backends": [{"address": "%s", "port": 8000}], "healthCheck": {"type": "none"}}]}
        """.formatted(VIP, BLUE1);
    /** After the restart: a second backend (blue2's echo server, which knows none of the connections). */
    private static final String LB_TWO_BACKENDS = """
        , "loadBalancer": {"maxConnections": 65536, "services": [
          {"name": "echo", "protocol": "tcp", "vip": "%s", "port": 80, "vpc": "blue",
           "backends": [{"address": "%s", "port": 8000}, {"address": "%s", "port": 9001}],
           "healthCheck": {"type": "none"}}]}
        """.formatted(VIP, BLUE1, BLUE2);
    private static final Duration BEFORE_KILL = Duration.ofSeconds(5);

    @Test
    void shouldKeepEveryFlowMovingAcrossAKillAndRestart(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ss", FeatureLab.PYTHON);
        Path output = SystemTestSupport.outputDirectory(test);
        Path probe = output.resolve("flow_probe.py");
        try (InputStream script = getClass().getResourceAsStream("flow_probe.py")) {
            Files.copy(script, probe);
        }
        Path stopFile = output.resolve("stop");
        List<ManagedProcess> processes = new ArrayList<>();
        ManagedProcess softgate = null;
        try (FeatureLab lab = FeatureLab.build("hitless", output, Map.of("blue1", BLUE1, "blue2", BLUE2), Map.of())) {
            try {
                Path config = lab.topology.writeSoftgateConfig(output.resolve("etc"),
                    NatSystemTest.NAT_SECTION + LB_ONE_BACKEND);
                softgate = startSoftgate(lab, config, output.resolve("softgate-1.log"));
                processes.add(server(probe, lab.topology.internet(), "tcp-server", SERVER_A, 9000, output));
                processes.add(server(probe, lab.topology.internet(), "udp-server", SERVER_A, 9002, output));
                processes.add(server(probe, lab.topology.vm("blue1"), "tcp-server", BLUE1, 8000, output));
                processes.add(server(probe, lab.topology.vm("blue2"), "tcp-server", BLUE2, 9001, output));
                FeatureLab.awaitListening(lab.topology.internet(), SERVER_A, 9000);
                FeatureLab.awaitListening(lab.topology.vm("blue1"), BLUE1, 8000);
                FeatureLab.awaitListening(lab.topology.vm("blue2"), BLUE2, 9001);

                List<ManagedProcess> clients = List.of(
                    client(probe, lab.topology.vm("blue1"), "blue1", stopFile, output,
                        "tcp:" + SERVER_A + ":9000:" + SNAT_TCP, "udp:" + SERVER_A + ":9002:" + SNAT_UDP),
                    client(probe, lab.topology.vm("blue2"), "blue2", stopFile, output,
                        "tcp:" + SERVER_A + ":9000:" + ONE_TO_ONE_OUT_TCP,
                        "udp:" + SERVER_A + ":9002:" + ONE_TO_ONE_OUT_UDP),
                    client(probe, lab.topology.internet(), "internet", stopFile, output,
                        "tcp:" + PORT_FORWARD + ":8080:" + PORT_FORWARD_TCP,
                        "tcp:" + ONE_TO_ONE + ":9001:" + ONE_TO_ONE_IN_TCP,
                        "tcp:" + VIP + ":80:" + LOAD_BALANCED_TCP));
                processes.addAll(clients);
                for (ManagedProcess client : clients) {
                    client.awaitOutput("READY", Duration.ofSeconds(60));
                }
                Thread.sleep(BEFORE_KILL.toMillis());

                // The restarted node's VIP gets a second backend (same state directory, same file name).
                lab.topology.writeSoftgateConfig(output.resolve("etc"), NatSystemTest.NAT_SECTION + LB_TWO_BACKENDS);
                // SIGKILL to the softgate's own PID (the JVM: the launcher execs it), then start it again.
                long killedAtNs = System.nanoTime();
                long killedAtMs = System.currentTimeMillis();
                ProcessHandle.of(softgate.pid()).ifPresent(ProcessHandle::destroyForcibly);
                softgate.awaitExit(Duration.ofSeconds(30));
                long relaunchAtMs = System.currentTimeMillis();
                softgate = startSoftgate(lab, config, output.resolve("softgate-2.log"));
                double restartSeconds = (System.nanoTime() - killedAtNs) / 1e9;
                long restartedAtMs = System.currentTimeMillis();
                String reloadLine = softgate.output().lines().filter(line -> line.contains("session store"))
                    .findFirst().orElse("<no session store line>");
                // TCP retransmits with exponential backoff (RFC 6298 §5.5): after an outage of T seconds
                // the next retransmission may come up to about T seconds later still.
                Thread.sleep(Math.max(10_000, (long) (restartSeconds * 1200) + 5_000));
                Files.writeString(stopFile, "stop\n");

                List<JsonNode> flows = new ArrayList<>();
                Map<JsonNode, String> kinds = new java.util.IdentityHashMap<>();
                ObjectMapper json = new ObjectMapper();
                List<String> clientNames = List.of("blue1", "blue2", "internet");
                for (int c = 0; c < clients.size(); c++) {
                    ManagedProcess client = clients.get(c);
                    client.awaitOutput("DONE", Duration.ofSeconds(90));
                    for (String line : client.output().lines().toList()) {
                        if (line.startsWith("RESULT ")) {
                            JsonNode flow = json.readTree(line.substring("RESULT ".length()));
                            flows.add(flow);
                            kinds.put(flow, kindOf(clientNames.get(c), flow));
                        }
                    }
                }
                assertEquals(SNAT_TCP + ONE_TO_ONE_OUT_TCP + PORT_FORWARD_TCP + ONE_TO_ONE_IN_TCP + LOAD_BALANCED_TCP
                    + SNAT_UDP + ONE_TO_ONE_OUT_UDP, flows.size());
                report(flows, restartSeconds, reloadLine);
                reportTimeline(flows, kinds, killedAtMs, relaunchAtMs, softgate.output());
                List<String> failed = new ArrayList<>();
                for (JsonNode flow : flows) {
                    boolean tcp = flow.get("kind").asText().equals("tcp");
                    boolean movedAfterRestart = !flow.get("lastEcho").isNull()
                        && flow.get("lastEcho").asDouble() * 1000 > restartedAtMs + 2000;
                    if ((tcp && !flow.get("error").isNull()) || !movedAfterRestart) {
                        failed.add(flow.toString());
                    }
                }
                assertTrue(failed.isEmpty(), failed.size() + " flow(s) did not survive the restart:\n"
                    + String.join("\n", failed) + "\n" + softgate.output());
            } finally {
                Files.writeString(stopFile, "stop\n");
                for (int i = processes.size() - 1; i >= 0; i--) {
                    processes.get(i).close();
                }
                if (softgate != null) {
                    softgate.close();
                }
            }
        }
    }

    private static void report(List<JsonNode> flows, double restartSeconds, String reloadLine) {
        double longest = 0;
        String longestFlow = "";
        int survived = 0;
        for (JsonNode flow : flows) {
            double gap = flow.get("longestGap").asDouble();
            if (gap > longest) {
                longest = gap;
                longestFlow = flow.get("kind").asText() + " " + flow.get("local").asText() + " -> "
                    + flow.get("target").asText();
            }
            if (flow.get("error").isNull() || flow.get("kind").asText().equals("udp")) {
                survived++;
            }
        }
        System.out.printf("hitless restart: kill -9 to running again in %.2f s; %d/%d flows without error; "
            + "longest gap %.2f s (%s)%n  %s%n", restartSeconds, survived, flows.size(), longest, longestFlow,
            reloadLine);
    }

    /** What a flow goes through, from its client and target. */
    private static String kindOf(String client, JsonNode flow) {
        String target = flow.get("target").asText();
        String kind = flow.get("kind").asText().toUpperCase(java.util.Locale.ROOT);
        if (client.equals("blue1")) {
            return "SNAT " + kind;
        }
        if (client.equals("blue2")) {
            return "1:1 outbound " + kind;
        }
        if (target.startsWith(PORT_FORWARD + ":")) {
            return "port forward " + kind;
        }
        if (target.startsWith(VIP + ":")) {
            return "load balancer " + kind;
        }
        return "1:1 inbound " + kind;
    }

    /**
     * Where the outage went: kill -> new process (this test's part: the kill, reaping, the exec
     * through ip netns and the launcher), the new process -> data plane forwarding (the softgate's
     * start-up, its own log), and kill -> first echo on any flow (the outage), then per kind of flow
     * the longest gap and the outage range (kill to that flow's first echo after the kill).
     */
    private static void reportTimeline(List<JsonNode> flows, Map<JsonNode, String> kinds, long killedAtMs,
                                       long relaunchAtMs, String log) {
        long processStartMs = -1;
        String forwardingLine = "<no 'data plane forwarding' line>";
        for (String line : log.lines().toList()) {
            int at = line.indexOf("process started at ");
            if (processStartMs < 0 && at >= 0) {
                processStartMs = Long.parseLong(line.substring(at + "process started at ".length()).trim());
            }
            if (line.contains("startup - data plane forwarding")) {
                forwardingLine = line.substring(line.indexOf("data plane forwarding"));
            }
        }
        double kill = killedAtMs / 1000.0;
        double firstEcho = Double.MAX_VALUE;
        Map<String, double[]> byKind = new java.util.TreeMap<>(); // longest gap, min outage, max outage, flows
        for (JsonNode flow : flows) {
            double gap = flow.get("longestGap").asDouble();
            double outage = Double.NaN;
            // An echo already on its way may still pass the dying process: the gap may start just after the kill.
            if (!flow.get("gapEnd").isNull() && flow.get("gapStart").asDouble() <= kill + 0.5
                && flow.get("gapEnd").asDouble() >= kill) {
                outage = flow.get("gapEnd").asDouble() - kill;
                firstEcho = Math.min(firstEcho, outage);
            }
            double[] figures = byKind.computeIfAbsent(kinds.get(flow), k -> new double[] {0, Double.MAX_VALUE, 0, 0});
            figures[0] = Math.max(figures[0], gap);
            if (!Double.isNaN(outage)) {
                figures[1] = Math.min(figures[1], outage);
                figures[2] = Math.max(figures[2], outage);
            }
            figures[3]++;
        }
        StringBuilder text = new StringBuilder();
        text.append(String.format("hitless restart timeline: kill -> reaped and relaunched %d ms; kill -> new process "
                + "started %s ms; new process: %s%n", relaunchAtMs - killedAtMs,
            processStartMs < 0 ? "?" : Long.toString(processStartMs - killedAtMs), forwardingLine));
        text.append(String.format("  outage (kill -> first echo on any flow): %.2f s%n",
            firstEcho == Double.MAX_VALUE ? Double.NaN : firstEcho));
        for (Map.Entry<String, double[]> kind : byKind.entrySet()) {
            double[] figures = kind.getValue();
            text.append(String.format("  %-22s %3d flows: longest gap %6.2f s, outage %6.2f .. %6.2f s%n", kind.getKey(),
                (int) figures[3], figures[0], figures[1] == Double.MAX_VALUE ? Double.NaN : figures[1], figures[2]));
        }
        System.out.print(text);
    }

    /** Starts the distribution's softgate in the lab's softgate namespace; waits until its workers run. */
    private static ManagedProcess startSoftgate(FeatureLab lab, Path config, Path log) throws InterruptedException {
        ManagedProcess softgate = SoftgateDistribution.built().start(lab.topology.softgate(), config, log);
        try {
            softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);
        } catch (RuntimeException | InterruptedException e) {
            softgate.close();
            throw e;
        }
        return softgate;
    }

    private static ManagedProcess server(Path probe, NetworkNamespace namespace, String mode, String address,
                                         int port, Path output) {
        return ManagedProcess.start(mode + "-" + address + "-" + port, namespace,
            List.of(FeatureLab.PYTHON, "-u", probe.toString(), mode, address, Integer.toString(port)),
            output.resolve(mode + "-" + address + "-" + port + ".log"));
    }

    private static ManagedProcess client(Path probe, NetworkNamespace namespace, String name, Path stopFile,
                                         Path output, String... specs) throws IOException {
        List<String> command = new ArrayList<>(List.of(FeatureLab.PYTHON, "-u", probe.toString(), "client",
            stopFile.toString()));
        command.addAll(List.of(specs));
        return ManagedProcess.start("client-" + name, namespace, command, output.resolve("client-" + name + ".log"));
    }
}
