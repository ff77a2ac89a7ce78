package io.softgate.service.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One FRR instance (zebra + bgpd) inside a test namespace, as LAB.md describes: its own
 * directory (owned by user frr, mode 750) with the configuration files and a {@code run/}
 * directory for the pid files and the zserv and vty sockets, so several instances share the host.
 * The daemons run in the foreground as {@link ManagedProcess}es, so the test holds their own PIDs
 * and stops only those; {@link #vtysh} queries the instance through its vty socket.
 *
 * <p>Threading: confined to the test thread.
 */
public final class FrrInstance implements AutoCloseable {
    private static final String FRR_BIN = "/usr/lib/frr/";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** An EVPN type-5 route key in FRR's JSON: {@code [5]:[0]:[<length>]:[<prefix>]}. */
    private static final Pattern TYPE5_KEY = Pattern.compile("\\[5\\]:\\[0\\]:\\[(\\d+)\\]:\\[([^\\]]+)\\]");

    private final String role;
    private final NetworkNamespace namespace;
    private final Path directory;
    private final Path logs;
    private ManagedProcess zebra;
    private ManagedProcess bgpd;

    private FrrInstance(String role, NetworkNamespace namespace, Path directory, Path logs) {
        this.role = role;
        this.namespace = namespace;
        this.directory = directory;
        this.logs = logs;
    }

    /** True when FRR's daemons and vtysh are installed. */
    public static boolean available() {
        return Files.isExecutable(Path.of(FRR_BIN + "zebra")) && Files.isExecutable(Path.of(FRR_BIN + "bgpd"))
            && Commands.available("vtysh");
    }

    /**
     * Writes {@code zebraConf} and {@code bgpdConf} into a fresh directory and starts zebra, then
     * bgpd, in {@code namespace}; daemon logs go to {@code logs}.
     */
    public static FrrInstance start(String role, NetworkNamespace namespace, String zebraConf, String bgpdConf, Path logs)
        throws InterruptedException {
        Path directory;
        try {
            // Outside the build tree: user frr must be able to reach it (the workspace may be closed to it).
            directory = Files.createTempDirectory("sgt-frr-" + ProcessHandle.current().pid() + "-" + role + "-");
            Files.createDirectories(directory.resolve("run"));
            Files.writeString(directory.resolve("zebra.conf"), zebraConf);
            Files.writeString(directory.resolve("bgpd.conf"), bgpdConf);
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Commands.runOk("chown", "-R", "frr:frr", directory.toString());
        Commands.runOk("chmod", "-R", "750", directory.toString());
        FrrInstance instance = new FrrInstance(role, namespace, directory, logs);
        try {
            instance.zebra = instance.daemon("zebra");
            instance.awaitSocket("zebra.vty");
            instance.startBgpd();
        } catch (RuntimeException | InterruptedException e) {
            instance.close();
            throw e;
        }
        return instance;
    }

    /** Starts bgpd (again, after {@link #killBgpd()}). */
    public void startBgpd() throws InterruptedException {
        try {
            Files.deleteIfExists(directory.resolve("run/bgpd.vty"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bgpd = daemon("bgpd");
        awaitSocket("bgpd.vty");
    }

    /** SIGKILL to bgpd (our PID): a crash, no NOTIFICATION sent. */
    public void killBgpd() throws InterruptedException {
        Commands.runOk("kill", "-KILL", Long.toString(bgpd.pid()));
        bgpd.awaitExit(Duration.ofSeconds(10));
    }

    private ManagedProcess daemon(String name) {
        Path run = directory.resolve("run");
        List<String> command = new ArrayList<>(List.of(FRR_BIN + name, "-u", "frr", "-g", "frr",
            "-f", directory.resolve(name + ".conf").toString(),
            "-i", run.resolve(name + ".pid").toString(),
            "-z", run.resolve("zserv.api").toString(),
            "--vty_socket", run.toString(), "-A", "127.0.0.1", "-P", "0",
            "--log", "file:" + directory.resolve(name + ".log")));
        return ManagedProcess.start(role + "-" + name, namespace, command, logs.resolve(role + "-" + name + ".out"));
    }

    private void awaitSocket(String socket) throws InterruptedException {
        Path path = directory.resolve("run").resolve(socket);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.exists(path)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(role + ": no " + socket + " after 20 s; " + logTail());
            }
            Thread.sleep(50);
        }
    }

    /** Runs one vtysh command against this instance and returns its output (fails on a non-zero exit). */
    public String vtysh(String command) {
        return Commands.run(List.of("vtysh", "--vty_socket", directory.resolve("run").toString(), "-c", command),
            Commands.DEFAULT_TIMEOUT).orThrow().output();
    }

    /** Enters {@code lines} in vtysh's configuration mode, in order (fails on a non-zero exit). */
    public String configure(String... lines) {
        List<String> command = new ArrayList<>(List.of("vtysh", "--vty_socket", directory.resolve("run").toString(),
            "-c", "configure terminal"));
        for (String line : lines) {
            command.add("-c");
            command.add(line);
        }
        return Commands.run(command, Commands.DEFAULT_TIMEOUT).orThrow().output();
    }

    /**
     * The type-5 routes this instance holds under route distinguishers {@code <routerId>:n} of the
     * speaker with router id {@code routerId}: prefix ("198.51.100.7/32") -> the route's JSON.
     * Empty while bgpd does not answer (e.g. restarting).
     */
    public Map<String, String> type5Routes(String routerId) {
        Map<String, String> routes = new HashMap<>();
        try {
            JsonNode tree = JSON.readTree(vtysh("show bgp l2vpn evpn route json"));
            for (Iterator<Map.Entry<String, JsonNode>> rds = tree.fields(); rds.hasNext(); ) {
                Map.Entry<String, JsonNode> rd = rds.next();
                if (!rd.getKey().startsWith(routerId + ":") || !rd.getValue().isObject()) {
                    continue;
                }
                for (Iterator<Map.Entry<String, JsonNode>> entries = rd.getValue().fields(); entries.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = entries.next();
                    Matcher key = TYPE5_KEY.matcher(entry.getKey());
                    if (key.matches()) {
                        routes.put(key.group(2) + "/" + key.group(1), entry.getValue().toString());
                    }
                }
            }
        } catch (Exception e) {
            // bgpd restarting or not answering: nothing held
        }
        return routes;
    }

    /** The l2vpn evpn peers of this instance and their states (empty while bgpd does not answer). */
    public Map<String, String> evpnPeerStates() {
        Map<String, String> states = new HashMap<>();
        try {
            JsonNode peers = JSON.readTree(vtysh("show bgp l2vpn evpn summary json")).path("peers");
            for (Iterator<Map.Entry<String, JsonNode>> it = peers.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> peer = it.next();
                states.put(peer.getKey(), peer.getValue().path("state").asText());
            }
        } catch (Exception e) {
            // bgpd restarting: no states yet
        }
        return states;
    }

    public NetworkNamespace namespace() {
        return namespace;
    }

    /** The daemons' own logs, for failure messages. */
    public String logTail() {
        StringBuilder text = new StringBuilder();
        for (String name : List.of("zebra.log", "bgpd.log")) {
            try {
                Path log = directory.resolve(name);
                if (Files.exists(log)) {
                    String content = Files.readString(log);
                    text.append("--- ").append(role).append(' ').append(name).append('\n')
                        .append(content.substring(Math.max(0, content.length() - 3000)));
                }
            } catch (IOException e) {
                text.append(e);
            }
        }
        return text.toString();
    }

    /** Stops bgpd, then zebra (LAB.md order), keeps their logs next to the test's, deletes the directory. */
    @Override
    public void close() {
        if (bgpd != null) {
            bgpd.close();
        }
        if (zebra != null) {
            zebra.close();
        }
        for (String name : List.of("zebra.log", "bgpd.log", "zebra.conf", "bgpd.conf")) {
            try {
                Path file = directory.resolve(name);
                if (Files.exists(file)) {
                    Files.copy(file, logs.resolve(role + "-" + name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException ignored) {
                // a lost log is no reason to leave the lab running
            }
        }
        Commands.run(List.of("rm", "-rf", directory.toString()), Commands.DEFAULT_TIMEOUT);
    }
}
