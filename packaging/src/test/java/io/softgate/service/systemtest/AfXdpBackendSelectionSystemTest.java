package io.softgate.service.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * What the distribution does when its configuration names {@code io.backend: af_xdp} and the
 * process may not use it (started as an unprivileged user, so without CAP_NET_ADMIN/CAP_BPF):
 * it refuses to start with exit code 1 and the backend's reason, or, with {@code io.fallback:
 * udp}, runs on the UDP backend after one warning that says why.
 */
@Tag("system")
class AfXdpBackendSelectionSystemTest {
    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
        "--clear-groups", "--inh-caps=-all");

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
    void shouldRefuseToStartWithExitCodeOneAndTheReasonWhenAfXdpIsUnavailable(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "setpriv");
        Path config = writeConfig(test, "");
        softgate = SoftgateDistribution.built().start(namespace, AS_NOBODY, config,
            SystemTestSupport.outputDirectory(test).resolve("softgate.log"));
        assertEquals(ExitCodes.FAILURE, softgate.awaitExit(Duration.ofSeconds(60)), softgate.output());
        assertTrue(softgate.output().contains("packet I/O backend 'af_xdp' is unavailable: the process lacks CAP_NET_ADMIN"),
            softgate.output());
        assertFalse(softgate.output().contains(SoftgateDistribution.RUNNING_MARKER), softgate.output());
    }

    @Test
    void shouldRunOnUdpAfterOneWarningWhenTheConfigurationAllowsTheFallback(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "setpriv");
        Path config = writeConfig(test, ", \"fallback\": \"udp\"");
        softgate = SoftgateDistribution.built().start(namespace, AS_NOBODY, config,
            SystemTestSupport.outputDirectory(test).resolve("softgate.log"));
        softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);
        String log = softgate.output();
        assertTrue(log.contains("io.backend af_xdp is unavailable here (the process lacks CAP_NET_ADMIN"), log);
        assertTrue(log.contains("io.fallback is udp: using the udp backend on 127.0.0.1:14789"), log);
        assertTrue(log.contains(", io udp ("), log);
        assertEquals(ExitCodes.OK, softgate.stop(), softgate.output());
    }

    /** A configuration in a directory the unprivileged user may write (its stateDir goes there). */
    private Path writeConfig(TestInfo test, String extraIoFields) throws Exception {
        namespace = NetworkNamespace.create(test.getDisplayName(), "sel");
        home = Files.createTempDirectory("softgate-xdp-selection");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path config = home.resolve("softgate.json");
        Files.writeString(config, """
            {
              "node": {"name": "sg-selection", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1"},
              "io": {"backend": "af_xdp", "af_xdp": {"interfaceName": "lo"},
                     "udp": {"bindAddress": "127.0.0.1", "port": 14789}%s},
              "stateDir": "state"
            }
            """.formatted(extraIoFields));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        return config;
    }
}
