package io.softgate.service.systemtest;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.TestInfo;

/**
 * Shared checks and paths of the system tests: root and tools present, one output directory per
 * test under target/system-tests (logs and captures stay there for a post-mortem), and a capture
 * helper.
 *
 * <p>Threading: stateless.
 */
public final class SystemTestSupport {
    private SystemTestSupport() {
    }

    /** Skips (with the reason) unless we are root and every tool is installed; CI installs them all. */
    public static void assumeRootAndTools(String... tools) {
        assumeTrue(Commands.isRoot(), "system tests need root (network namespaces); CI runs them as root");
        for (String tool : tools) {
            assumeTrue(Commands.available(tool), tool + " is not installed (.ci/run installs it)");
        }
    }

    /** A fresh directory for the test's logs and captures. */
    public static Path outputDirectory(TestInfo test) throws IOException {
        String name = test.getTestClass().map(Class::getSimpleName).orElse("test") + "-"
            + test.getTestMethod().map(m -> m.getName()).orElse("unknown");
        Path directory = Path.of("target", "system-tests", name).toAbsolutePath();
        if (Files.exists(directory)) {
            try (var walk = Files.walk(directory)) {
                for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(directory);
        return directory;
    }

    /** Starts tcpdump on {@code device} in {@code namespace} writing VXLAN packets to {@code pcap}. */
    public static ManagedProcess captureVxlan(NetworkNamespace namespace, String device, Path pcap, Path log)
        throws InterruptedException {
        ManagedProcess tcpdump = ManagedProcess.start("tcpdump", namespace,
            List.of("tcpdump", "-i", device, "-n", "-U", "-s", "256", "-w", pcap.toString(), "udp", "port", "4789"), log);
        tcpdump.awaitOutput("listening on", Duration.ofSeconds(20));
        return tcpdump;
    }

    /** Pings until one round succeeds or {@code attempts} runs of {@code count} pings failed; returns the last result. */
    public static Commands.Result ping(NetworkNamespace from, String address, int attempts) {
        Commands.Result result = null;
        for (int i = 0; i < attempts; i++) {
            result = from.exec(Duration.ofSeconds(30), "ping", "-c", "3", "-i", "0.2", "-W", "2", address);
            if (result.ok()) {
                return result;
            }
        }
        return result;
    }
}
