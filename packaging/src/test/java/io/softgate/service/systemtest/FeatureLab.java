package io.softgate.service.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the feature system tests share: the {@link FeatureTopology}, the softgate started from the
 * built distribution in the lab, and the servers the tests start (plain HTTP servers of Python's
 * standard library, one per namespace and address, each serving a directory that names it). Every
 * process is stopped by its own PID and every namespace deleted in {@link #close()}.
 *
 * <p>Threading: confined to the test thread.
 */
final class FeatureLab implements AutoCloseable {
    /** python3 of the system (a pyenv shim would not exec, and its PID would not be the server's). */
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    final FeatureTopology topology;
    final Path output;
    private final List<ManagedProcess> processes = new ArrayList<>();
    private ManagedProcess softgate;
    private FrrInstance leafFrr;
    private int softgateStarts;

    private FeatureLab(FeatureTopology topology, Path output) {
        this.topology = topology;
        this.output = output;
    }

    static FeatureLab build(String testName, Path output, java.util.Map<String, String> blueVms,
                            java.util.Map<String, String> greenVms) {
        return build(testName, output, blueVms, greenVms, java.util.Map.of());
    }

    static FeatureLab build(String testName, Path output, java.util.Map<String, String> blueVms,
                            java.util.Map<String, String> greenVms, java.util.Map<String, String> secondBlueVms) {
        return new FeatureLab(FeatureTopology.build(testName, blueVms, greenVms, secondBlueVms), output);
    }

    /** Writes the configuration with {@code featureSections} and starts the softgate; waits until it runs. */
    ManagedProcess startSoftgate(String featureSections) throws IOException, InterruptedException {
        softgateStarts++;
        Path config = topology.writeSoftgateConfig(output.resolve("etc-" + softgateStarts), featureSections);
        softgate = SoftgateDistribution.built().start(topology.softgate(), config,
            output.resolve("softgate-" + softgateStarts + ".log"));
        processes.add(softgate);
        softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);
        return softgate;
    }

    /** Stops the running softgate (SIGTERM to its PID); fails unless it exits 0. */
    void stopSoftgate() throws InterruptedException {
        int exit = softgate.stop();
        if (exit != 0) {
            throw new IllegalStateException("softgate exited " + exit + ":\n" + softgate.output());
        }
    }

    /**
     * Rewrites the running softgate's configuration file with {@code featureSections} and sends
     * SIGHUP to its PID; waits until the softgate logs the outcome of this reload.
     */
    void reloadSoftgate(String featureSections) throws IOException, InterruptedException {
        topology.writeSoftgateConfig(output.resolve("etc-" + softgateStarts), featureSections);
        long before = softgate.output().lines().filter(line -> line.contains("reload")).count();
        Commands.runOk("kill", "-HUP", Long.toString(softgate.pid()));
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (softgate.output().lines().filter(line -> line.contains("reload")).count() == before) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the softgate did not log a reload:\n" + softgate.output());
            }
            Thread.sleep(50);
        }
        String last = softgate.output().lines().filter(line -> line.contains("reload")).reduce((a, b) -> b).orElse("");
        if (!last.contains("reloaded")) {
            throw new IllegalStateException("reload refused: " + last);
        }
    }

    /**
     * Starts FRR (zebra + bgpd) in the leaf namespace with one l2vpn evpn session to the softgate
     * (use {@link FeatureTopology#bgpSection()} in the softgate's configuration); stopped by
     * {@link #close()} before the namespaces go.
     */
    FrrInstance startFrrLeaf() throws InterruptedException {
        leafFrr = FrrInstance.start("leaf", topology.leaf(), "hostname leaf\n", FeatureTopology.leafBgpConf(),
            output.resolve("frr"));
        return leafFrr;
    }

    ManagedProcess softgate() {
        return softgate;
    }

    /**
     * Starts an HTTP server in {@code namespace} on {@code address:port} serving a directory with
     * {@code id} (its name, for telling servers apart) and {@code big} ({@code bigBytes} bytes).
     */
    ManagedProcess startHttpServer(String name, NetworkNamespace namespace, String address, int port, int bigBytes)
        throws IOException, InterruptedException {
        Path root = output.resolve("www-" + name);
        Files.createDirectories(root);
        Files.writeString(root.resolve("id"), name + "\n");
        if (bigBytes > 0) {
            Files.write(root.resolve("big"), new byte[bigBytes]);
        }
        ManagedProcess server = ManagedProcess.start("http-" + name, namespace,
            List.of(PYTHON, "-u", "-m", "http.server", Integer.toString(port), "--bind", address, "--directory",
                root.toString()), output.resolve("http-" + name + ".log"));
        processes.add(server);
        awaitListening(namespace, address, port);
        return server;
    }

    /** Stops {@code process} (by its PID) when the lab closes. */
    void track(ManagedProcess process) {
        processes.add(process);
    }

    /** One HTTP GET with curl from {@code namespace}; returns the body, or null when it failed. */
    static String get(NetworkNamespace namespace, String url, int timeoutSeconds) {
        Commands.Result result = namespace.exec(Duration.ofSeconds(timeoutSeconds + 10), "curl", "-s", "-f",
            "--max-time", Integer.toString(timeoutSeconds), "-H", "Connection: close", url);
        return result.ok() ? result.output().trim() : null;
    }

    /** Waits until something listens on TCP {@code address:port} in {@code namespace}. */
    static void awaitListening(NetworkNamespace namespace, String address, int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (namespace.execOk("ss", "-Hltn").contains(address + ":" + port + " ")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("nothing listens on " + address + ":" + port + " in " + namespace);
    }

    /** Pings (as many tries as given, 3 echoes each) until one round gets an answer. */
    static Commands.Result ping(NetworkNamespace from, String address, int attempts) {
        return SystemTestSupport.ping(from, address, attempts);
    }

    /** The softgate's output so far, for failure messages. */
    String softgateLog() {
        return softgate == null ? "<not started>" : softgate.output();
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        if (leafFrr != null) {
            leafFrr.close();
        }
        topology.close();
    }
}
