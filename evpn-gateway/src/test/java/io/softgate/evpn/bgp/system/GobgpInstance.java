package io.softgate.evpn.bgp.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One gobgpd inside a namespace, its gRPC API on the namespace's loopback; stopped by its own PID. */
final class GobgpInstance implements AutoCloseable {
    private final VethNamespace namespace;
    private final Path directory;
    private final String pid;

    GobgpInstance(VethNamespace namespace, String tomlConfig) throws IOException, InterruptedException {
        this.namespace = namespace;
        this.directory = Files.createTempDirectory("sggobgp-");
        Files.writeString(directory.resolve("gobgpd.toml"), tomlConfig, StandardCharsets.UTF_8);
        Shell.run("ip netns exec " + namespace.name + " sh -c 'gobgpd -f " + directory + "/gobgpd.toml --api-hosts 127.0.0.1:50051 -p > "
                + directory + "/gobgpd.log 2>&1 & echo $! > " + directory + "/gobgpd.pid'");
        this.pid = Files.readString(directory.resolve("gobgpd.pid")).trim();
        for (int i = 0; i < 100 && !Shell.run(cli("global"), false).contains("AS"); i++) {
            Thread.sleep(50);
        }
    }

    private String cli(String arguments) {
        return "ip netns exec " + namespace.name + " gobgp -u 127.0.0.1 -p 50051 " + arguments;
    }

    String gobgp(String arguments) {
        return Shell.run(cli(arguments), false);
    }

    String log() {
        return Shell.run("tail -30 " + directory + "/gobgpd.log", false);
    }

    @Override
    public void close() {
        if (pid.matches("\\d+")) {
            Shell.run("kill " + pid, false);
        }
        Shell.run("sleep 0.3; rm -rf " + directory, false);
    }
}
