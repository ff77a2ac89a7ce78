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
 * Issue 9, "Done when" 1: long-lived TCP connections through SNAT, a 1:1 address (both ways) and a
 * port forward, plus UDP flows, all moving data; the softgate is killed with SIGKILL and started
 * again on the same state directory; every flow must keep moving data afterwards with no reset.
 * Prints the restart time and the longest gap any flow saw.
 *
 * <p>The load balancer's connections are not part of this test: its connection table is not
 * persisted yet (see packaging/README.md, "Hitless restart").
 */
@Tag("system")
class HitlessRestartSystemTest {
    private static final int SNAT_TCP = 20;
    private static final int ONE_TO_ONE_OUT_TCP = 10;
    private static final int PORT_FORWARD_TCP = 10;
    private static final int ONE_TO_ONE_IN_TCP = 10;
    private static final int SNAT_UDP = 5;
    private static final int ONE_TO_ONE_OUT_UDP = 3;
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
                Path config = lab.topology.writeSoftgateConfig(output.resolve("etc"), NatSystemTest.NAT_SECTION);
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
                        "tcp:" + ONE_TO_ONE + ":9001:" + ONE_TO_ONE_IN_TCP));
                processes.addAll(clients);
                for (ManagedProcess client : clients) {
                    client.awaitOutput("READY", Duration.ofSeconds(60));
                }
                Thread.sleep(BEFORE_KILL.toMillis());

                // SIGKILL to the softgate's own PID (the JVM: the launcher execs it), then start it again.
                long killedAtNs = System.nanoTime();
                ProcessHandle.of(softgate.pid()).ifPresent(ProcessHandle::destroyForcibly);
                softgate.awaitExit(Duration.ofSeconds(30));
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
                ObjectMapper json = new ObjectMapper();
                for (ManagedProcess client : clients) {
                    client.awaitOutput("DONE", Duration.ofSeconds(90));
                    for (String line : client.output().lines().toList()) {
                        if (line.startsWith("RESULT ")) {
                            flows.add(json.readTree(line.substring("RESULT ".length())));
                        }
                    }
                }
                assertEquals(SNAT_TCP + ONE_TO_ONE_OUT_TCP + PORT_FORWARD_TCP + ONE_TO_ONE_IN_TCP + SNAT_UDP
                    + ONE_TO_ONE_OUT_UDP, flows.size());
                report(flows, restartSeconds, reloadLine);
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
