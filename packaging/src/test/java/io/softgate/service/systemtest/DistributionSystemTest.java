package io.softgate.service.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.service.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The built distribution as an operator meets it: the bundled default configuration starts
 * without root, SIGTERM stops it with exit code 0, and a broken configuration stops start-up
 * with exit code 2 and the field path.
 */
@Tag("system")
class DistributionSystemTest {
    private NetworkNamespace namespace;
    private ManagedProcess softgate;
    private Path home;

    @AfterEach
    void cleanUp() throws java.io.IOException {
        if (softgate != null) {
            softgate.close();
        }
        if (namespace != null) {
            namespace.close();
        }
        if (home != null) {
            try (var walk = Files.walk(home)) {
                for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    @Test
    void shouldStartTheBundledConfigurationAsAnUnprivilegedUserAndStopCleanlyOnSigterm(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "setpriv");
        SoftgateDistribution distribution = SoftgateDistribution.built();
        Path output = SystemTestSupport.outputDirectory(test);
        // A copy of the bundled file in a directory the unprivileged user may write, so that its
        // relative stateDir ("../var") lands there and not in the build tree.
        home = Files.createTempDirectory("softgate-nobody");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path etc = Files.createDirectories(home.resolve("etc"));
        Files.setPosixFilePermissions(etc, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = Files.copy(distribution.bundledConfig(), etc.resolve("softgate.json"));
        // A fresh namespace: its loopback is ours alone, so the bundled port cannot collide.
        namespace = NetworkNamespace.create(test.getDisplayName(), "dist");

        softgate = distribution.start(namespace, List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            "--inh-caps=-all"), config, output.resolve("softgate.log"));
        softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);
        assertHugePagesRequested(softgate.pid());
        assertEquals(ExitCodes.OK, softgate.stop(), softgate.output());
        assertTrue(softgate.output().contains("stopped; counters"), softgate.output());
        assertTrue(Files.isDirectory(home.resolve("var")), "stateDir ../var was not created");
    }

    /**
     * The launcher exec'd the JVM with glibc's huge-page tunable; where the kernel offers
     * transparent huge pages at all, the direct buffers got some.
     */
    private static void assertHugePagesRequested(long pid) throws java.io.IOException {
        String environment = Files.readString(Path.of("/proc", Long.toString(pid), "environ")).replace('\0', '\n');
        assertTrue(environment.contains("GLIBC_TUNABLES=glibc.malloc.hugetlb=1"), environment);
        String mode = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        if (!mode.contains("[never]")) {
            String rollup = Files.readString(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
            long hugeKb = rollup.lines().filter(line -> line.startsWith("AnonHugePages:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).sum();
            assertTrue(hugeKb > 0, "THP " + mode.trim() + " but no AnonHugePages:\n" + rollup);
        }
    }

    @Test
    void shouldRefuseToStartWithExitCodeTwoNamingTheBadField(TestInfo test) throws Exception {
        SoftgateDistribution distribution = SoftgateDistribution.built();
        Path output = SystemTestSupport.outputDirectory(test);
        String bundled = Files.readString(distribution.bundledConfig());
        Path config = output.resolve("broken.json");
        Files.writeString(config, bundled.replace("\"l3vni\": 5001", "\"l3vni\": 16777216"));
        softgate = distribution.start(null, config, output.resolve("softgate.log"));
        assertEquals(ExitCodes.CONFIGURATION_ERROR, softgate.awaitExit(Duration.ofSeconds(60)), softgate.output());
        assertTrue(softgate.output().contains("forwarding.vrfs[1].l3vni: must be 1..16777215"), softgate.output());
    }

    @Test
    void shouldPrintTheBuiltVersionThroughTheLauncher(TestInfo test) throws Exception {
        SoftgateDistribution distribution = SoftgateDistribution.built();
        Path output = SystemTestSupport.outputDirectory(test);
        Commands.Result result = Commands.run(List.of(distribution.launcher().toString(), "--version"),
            Duration.ofSeconds(60));
        assertEquals(0, result.exitCode(), result.output());
        String version = distribution.home().getFileName().toString().substring("softgate-".length());
        assertEquals("softgate " + version, result.output().trim());
        Files.writeString(output.resolve("version.txt"), result.output());
    }

    @Test
    void shouldExplainWhenNoJavaRuntimeIsFound(TestInfo test) throws Exception {
        SoftgateDistribution distribution = SoftgateDistribution.built();
        Path output = SystemTestSupport.outputDirectory(test);
        // A PATH with the few tools the launcher needs, and no java.
        Path bin = Files.createDirectories(output.resolve("bin"));
        for (String tool : List.of("dirname", "readlink")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of(Commands.runOk("sh", "-c", "command -v " + tool).trim()));
        }
        Commands.Result result = Commands.run(List.of("env", "-i", "PATH=" + bin, "/bin/sh",
            distribution.launcher().toString(), "--version"), Duration.ofSeconds(30));
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("no Java runtime found"), result.output());
    }
}
