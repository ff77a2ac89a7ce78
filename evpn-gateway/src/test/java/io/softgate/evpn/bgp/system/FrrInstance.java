package io.softgate.evpn.bgp.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One FRR instance (zebra + bgpd) inside a namespace, with its own directory, zserv socket
 * and vty socket, as LAB.md describes. Stops only the daemons it started, by their PID files.
 */
final class FrrInstance implements AutoCloseable {
    private final VethNamespace namespace;
    final Path directory;
    private final String bgpdExtraFlags;

    FrrInstance(VethNamespace namespace, String zebraConf, String bgpdConf) throws IOException {
        this(namespace, zebraConf, bgpdConf, "");
    }

    /** {@code bgpdExtraFlags} e.g. {@code -l ADDRESS} to listen on one address only. */
    FrrInstance(VethNamespace namespace, String zebraConf, String bgpdConf, String bgpdExtraFlags) throws IOException {
        this.namespace = namespace;
        this.bgpdExtraFlags = bgpdExtraFlags;
        this.directory = Files.createTempDirectory("sgfrr-");
        Files.createDirectories(directory.resolve("run"));
        Files.writeString(directory.resolve("zebra.conf"), zebraConf, StandardCharsets.UTF_8);
        Files.writeString(directory.resolve("bgpd.conf"), bgpdConf, StandardCharsets.UTF_8);
        Shell.run("chown -R frr:frr " + directory + " && chmod 750 " + directory);
        startDaemon("zebra");
        waitForFile(directory.resolve("run/zserv.api"));
        startBgpd();
    }

    private String flags(String daemon) {
        return " -d -u frr -g frr -f " + directory + "/" + daemon + ".conf -i " + directory + "/run/" + daemon
                + ".pid -z " + directory + "/run/zserv.api --vty_socket " + directory + "/run -A 127.0.0.1 -P 0 --log file:"
                + directory + "/" + daemon + ".log";
    }

    private void startDaemon(String daemon) {
        Shell.run("ip netns exec " + namespace.name + " /usr/lib/frr/" + daemon + flags(daemon));
    }

    void startBgpd() {
        Shell.run("ip netns exec " + namespace.name + " /usr/lib/frr/bgpd" + flags("bgpd") + " " + bgpdExtraFlags);
        waitForFile(directory.resolve("run/bgpd.vty"));
    }

    /** Kills bgpd with SIGKILL (no NOTIFICATION) and waits until it is gone. */
    void killBgpd() throws InterruptedException {
        String pid = readPid("bgpd");
        if (pid != null) {
            Shell.run("kill -9 " + pid, false);
            for (int i = 0; i < 100 && Files.exists(Path.of("/proc/" + pid + "/status"))
                    && !Shell.run("cat /proc/" + pid + "/status", false).contains("zombie"); i++) {
                Thread.sleep(50);
            }
            Shell.run("rm -f " + directory + "/run/bgpd.vty " + directory + "/run/bgpd.pid", false);
        }
    }

    String vtysh(String command) {
        return Shell.run("vtysh --vty_socket " + directory + "/run -c '" + command + "'", false);
    }

    private String readPid(String daemon) {
        try {
            Path file = directory.resolve("run/" + daemon + ".pid");
            return Files.exists(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void waitForFile(Path file) {
        for (int i = 0; i < 100 && !Files.exists(file); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    String log(String daemon) {
        return Shell.run("tail -50 " + directory + "/" + daemon + ".log", false);
    }

    @Override
    public void close() {
        for (String daemon : new String[] {"bgpd", "zebra"}) {
            String pid = readPid(daemon);
            if (pid != null && pid.matches("\\d+")) {
                Shell.run("kill " + pid, false);
            }
        }
        Shell.run("sleep 0.3; rm -rf " + directory, false);
    }
}
