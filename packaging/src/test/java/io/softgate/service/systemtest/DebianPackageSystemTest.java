package io.softgate.service.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.softgate.service.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The .deb as an operator meets it (issue 10, "Done when" 1): it declares its dependencies and
 * conffiles; it installs with dpkg (apt-get -f install fetching what is missing), creates the
 * {@code softgate} user and the state directory; its unit passes {@code systemd-analyze verify};
 * the unit's ExecStart line with the packaged default configuration starts the service as the
 * unit's user with no capability, it answers {@code /healthz} and {@code softgatectl status} with
 * the API token made at install, and SIGTERM stops it with exit code 0; purge leaves nothing.
 *
 * <p>systemd is not PID 1 on the CI machine, so the service is not started through systemctl: the
 * test reads the installed unit and runs its ExecStart line the way systemd would (User=/Group=,
 * the environment of EnvironmentFile=, WorkingDirectory=, an empty capability bounding set,
 * NoNewPrivileges), inside a fresh network namespace so the default port cannot collide. The
 * filesystem sandboxing of the unit (ProtectSystem=, PrivateTmp=, ...) is not emulated; the
 * native libraries landing in the unit's exec-capable state directory is checked.
 */
@Tag("system")
class DebianPackageSystemTest {
    private static final String PACKAGE = "softgate";
    private static final Path UNIT = Path.of("/lib/systemd/system/softgate.service");
    private static final Path STATE = Path.of("/var/lib/softgate");
    private static final Path CONFIG_DIRECTORY = Path.of("/etc/softgate");
    private static final Path API_TOKENS = CONFIG_DIRECTORY.resolve("api-tokens");
    /** systemd's PATH for system services. */
    private static final String SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";
    private static final Duration APT_TIMEOUT = Duration.ofMinutes(10);

    private boolean installedByUs;
    private ManagedProcess softgate;
    private NetworkNamespace namespace;
    private Path output;

    @AfterEach
    void cleanUp() throws IOException {
        try {
            if (softgate != null) {
                softgate.close();
            }
            if (namespace != null) {
                namespace.close();
            }
        } finally {
            if (installedByUs) {
                Commands.Result purge = Commands.run(List.of("dpkg", "--purge", PACKAGE), APT_TIMEOUT);
                Files.writeString(output.resolve("dpkg-purge.log"), purge.output());
            }
        }
    }

    @Test
    void shouldDeclareTheJreDependencyTheConffilesAndTheLayout(TestInfo test) throws Exception {
        assumeTrue(Commands.available("dpkg-deb"), "dpkg-deb is not installed");
        output = SystemTestSupport.outputDirectory(test);
        Path deb = builtPackage();

        String fields = Commands.runOk("dpkg-deb", "--field", deb.toString(), "Package", "Depends", "Architecture");
        assertTrue(fields.contains("Package: softgate"), fields);
        assertTrue(fields.matches("(?s).*Depends:.*\\bopenjdk-17-jre-headless\\b.*"), fields);
        assertTrue(fields.matches("(?s).*Depends:.*\\badduser\\b.*"), fields);

        Path control = Files.createDirectories(output.resolve("control"));
        Commands.runOk("dpkg-deb", "--control", deb.toString(), control.toString());
        assertEquals(List.of("/etc/softgate/softgate.json", "/etc/default/softgate"),
            Files.readAllLines(control.resolve("conffiles")).stream().map(String::strip).filter(l -> !l.isEmpty()).toList());

        String contents = Commands.runOk("dpkg-deb", "--contents", deb.toString());
        Files.writeString(output.resolve("contents.txt"), contents);
        for (String path : List.of("./usr/share/softgate/bin/softgate", "./usr/bin/softgate -> /usr/share/softgate/bin/softgate",
            "./usr/share/softgate/bin/softgatectl", "./usr/bin/softgatectl -> /usr/share/softgate/bin/softgatectl",
            "./lib/systemd/system/softgate.service", "./usr/share/doc/softgate/OPERATIONS.md")) {
            assertTrue(contents.contains(path), "missing " + path + " in\n" + contents);
        }
        assertTrue(contents.matches("(?s).*\\./usr/share/softgate/lib/softgate-packaging-[^ \\n]*\\.jar.*"), contents);
    }

    @Test
    void shouldInstallPassVerifyStartFromExecStartAsTheServiceUserAndPurgeCleanly(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("dpkg", "apt-get", "systemd-analyze", "setpriv", "ip", "getent", "curl");
        output = SystemTestSupport.outputDirectory(test);
        Path deb = builtPackage();
        // Never overwrite or purge an installation or a user this test did not make.
        Commands.Result before = Commands.run(List.of("dpkg-query", "-W", "-f=${Status}", PACKAGE), Commands.DEFAULT_TIMEOUT);
        assertTrue(!before.ok() || before.output().strip().endsWith(" not-installed"),
            "softgate is on this machine already (" + before.output().strip() + "): purge it before the system tests");
        assertFalse(Commands.run(List.of("getent", "passwd", "softgate"), Commands.DEFAULT_TIMEOUT).ok(),
            "a user 'softgate' exists already: the package would adopt it and purge would delete it");

        // Install: dpkg -i, then apt-get -f install for any dependency that is missing.
        installedByUs = true;
        Commands.Result dpkg = Commands.run(List.of("dpkg", "-i", deb.toString()), APT_TIMEOUT);
        Files.writeString(output.resolve("dpkg-install.log"), dpkg.output());
        if (!dpkg.ok()) {
            Commands.Result apt = Commands.run(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-f", "install", "-y"),
                APT_TIMEOUT);
            Files.writeString(output.resolve("apt-get-f-install.log"), apt.output());
            apt.orThrow();
        }
        assertEquals("install ok installed", Commands.runOk("dpkg-query", "-W", "-f=${Status}", PACKAGE).strip(), dpkg.output());
        assertOwnedBy(STATE, "softgate");
        assertOwnedBy(STATE.resolve("tmp"), "softgate");
        assertEquals("root:softgate 640", Commands.runOk("stat", "-c", "%U:%G %a", "/etc/softgate/softgate.json").strip());
        assertEquals("root:softgate 640", Commands.runOk("stat", "-c", "%U:%G %a", API_TOKENS.toString()).strip(),
            "the API token made at install must be readable by root and the service only");

        // The unit as installed passes systemd's own checks (offline: systemd need not be PID 1).
        Commands.Result verify = Commands.run(List.of("systemd-analyze", "verify", UNIT.toString()), Commands.DEFAULT_TIMEOUT);
        Files.writeString(output.resolve("systemd-analyze-verify.log"), verify.output());
        assertEquals(0, verify.exitCode(), verify.output());
        assertFalse(verify.output().contains("softgate"), "systemd-analyze verify warns about the unit:\n" + verify.output());
        // ... and its sandbox stays tight: systemd's exposure score at most 2.0 of 10 (1.5 when written).
        Commands.Result security = Commands.run(List.of("systemd-analyze", "security", "--offline=yes", "--threshold=20",
            UNIT.toString()), Commands.DEFAULT_TIMEOUT);
        Files.writeString(output.resolve("systemd-analyze-security.log"), security.output());
        assertEquals(0, security.exitCode(), "exposure above 2.0:\n" + security.output());

        // Start from the unit's ExecStart line, as its User=, with its environment and no capability.
        SystemdUnit unit = SystemdUnit.read(UNIT, "Service");
        assertEquals(List.of(), unit.values("CapabilityBoundingSet"), "the default unit grants capabilities");
        assertTrue(unit.has("CapabilityBoundingSet"), "the unit must empty the capability bounding set");
        assertEquals("yes", unit.value("NoNewPrivileges"));
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + unit.value("User"), "--regid=" + unit.value("Group"),
            "--init-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
            "env", "-i", "--chdir=" + unit.value("WorkingDirectory"), "PATH=" + SYSTEMD_PATH));
        for (Map.Entry<String, String> variable : unit.environment().entrySet()) {
            command.add(variable.getKey() + "=" + variable.getValue());
        }
        command.addAll(unit.execStart());
        Files.writeString(output.resolve("command.txt"), String.join("\n", command) + "\n");
        namespace = NetworkNamespace.create(test.getDisplayName(), "deb");
        softgate = ManagedProcess.start("softgate (ExecStart)", namespace, command, output.resolve("softgate.log"));
        softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);
        softgate.awaitOutput("API listening on http://127.0.0.1:8089", SoftgateDistribution.START_TIMEOUT);

        // It answers /healthz (no credentials), and softgatectl reaches it with the token made at install.
        Commands.Result health = namespace.exec(Duration.ofSeconds(30), "curl", "-sS", "--max-time", "10",
            "-w", "\nHTTP %{http_code}\n", "http://127.0.0.1:8089/healthz");
        Files.writeString(output.resolve("healthz.txt"), health.output());
        assertTrue(health.ok() && health.output().contains("HTTP 200"), health.output());
        Commands.Result ctlStatus = namespace.exec(Duration.ofSeconds(60), "softgatectl", "--token-file", API_TOKENS.toString(), "status");
        Files.writeString(output.resolve("softgatectl-status.txt"), ctlStatus.output());
        assertEquals(0, ctlStatus.exitCode(), ctlStatus.output());

        String status = Files.readString(Path.of("/proc", Long.toString(softgate.pid()), "status"));
        String uid = Commands.runOk("id", "-u", "softgate").strip();
        assertTrue(status.matches("(?s).*\\nUid:\\s+" + uid + "\\s+" + uid + "\\s.*"), status);
        assertTrue(status.matches("(?s).*\\nCapEff:\\s+0+\\n.*"), status);
        assertTrue(softgate.output().contains("state " + STATE), softgate.output());
        // Netty's epoll library was unpacked into (and runs from) the unit's exec-capable directory.
        String maps = Files.readString(Path.of("/proc", Long.toString(softgate.pid()), "maps"));
        assertTrue(maps.contains(STATE.resolve("tmp") + "/libnetty_transport_native"), "native library not under " + STATE + "/tmp");

        assertEquals(ExitCodes.OK, softgate.stop(), softgate.output());
        assertTrue(softgate.output().contains("stopped; counters"), softgate.output());

        // Installing again (an upgrade in place) keeps the operator's edit of the conffile and the token.
        Path config = CONFIG_DIRECTORY.resolve("softgate.json");
        String edited = Files.readString(config).replace("\"statsIntervalSeconds\": 10", "\"statsIntervalSeconds\": 5");
        assertTrue(edited.contains("\"statsIntervalSeconds\": 5"), "the packaged configuration changed: adapt this edit");
        Files.writeString(config, edited);
        String token = Files.readString(API_TOKENS);
        Commands.Result reinstall = Commands.run(List.of("dpkg", "-i", deb.toString()), APT_TIMEOUT);
        Files.writeString(output.resolve("dpkg-reinstall.log"), reinstall.output());
        reinstall.orThrow();
        assertEquals(edited, Files.readString(config), "the operator's configuration was replaced");
        assertEquals(token, Files.readString(API_TOKENS), "the API token changed on reinstall");

        // Purge: package, configuration, state, user and group are gone.
        softgate = null;
        installedByUs = false;
        Commands.Result purge = Commands.run(List.of("dpkg", "--purge", PACKAGE), APT_TIMEOUT);
        Files.writeString(output.resolve("dpkg-purge.log"), purge.output());
        purge.orThrow();
        assertFalse(Commands.run(List.of("getent", "passwd", "softgate"), Commands.DEFAULT_TIMEOUT).ok(), "user left behind");
        assertFalse(Commands.run(List.of("getent", "group", "softgate"), Commands.DEFAULT_TIMEOUT).ok(), "group left behind");
        for (Path path : List.of(STATE, CONFIG_DIRECTORY, API_TOKENS, UNIT, Path.of("/etc/default/softgate"), Path.of("/usr/share/softgate"))) {
            assertFalse(Files.exists(path), path + " left behind");
        }
    }

    /** The one .deb the package phase built in target/. */
    private static Path builtPackage() throws IOException {
        Path target = SoftgateDistribution.built().home().getParent();
        try (Stream<Path> files = Files.list(target)) {
            List<Path> debs = files.filter(p -> p.getFileName().toString().matches("softgate_.*_amd64\\.deb")).toList();
            if (debs.size() != 1) {
                fail("expected one softgate_*_amd64.deb in " + target + " (mvn package builds it), found " + debs);
            }
            return debs.get(0);
        }
    }

    private static void assertOwnedBy(Path path, String user) {
        assertEquals(user + ":" + user, Commands.runOk("stat", "-c", "%U:%G", path.toString()).strip(), path.toString());
    }
}
