package io.softgate.service.cli;

import io.softgate.core.pipeline.NanoClock;
import io.softgate.service.ExitCodes;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.io.BackendUnavailableException;
import io.softgate.service.io.PacketIoBackends;
import io.softgate.service.state.SessionPersistence;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * {@code softgate cds-training} (hidden; run by {@code bin/softgate cds-archive}): starts and stops
 * a throw-away service three times — new session store, clean reopen, recovery after an unclean
 * stop — with NAT, load balancer and ACL sections, on the UDP backend bound to loopback, in a
 * temporary state directory. The launcher runs it under {@code -XX:ArchiveClassesAtExit}, so the
 * classes a real start loads end up in the distribution's AppCDS archive (issue 9: restart time).
 *
 * <p>Threading: runs on the main thread; each service runs on a thread of its own until stopped.
 */
@Command(name = "cds-training", hidden = true,
    description = "Start and stop a throw-away service to record the classes a start loads (for the CDS archive).")
public final class CdsTrainingCommand implements Callable<Integer> {
    private static final long START_TIMEOUT_MS = 120_000;

    @Override
    public Integer call() throws Exception {
        Path directory = Files.createTempDirectory("softgate-cds-training");
        try {
            Path config = directory.resolve("softgate.json");
            Files.writeString(config, configuration(freeLoopbackUdpPort()));
            Path store = directory.resolve("state").resolve(SessionPersistence.FILE_NAME);
            for (int round = 0; round < 3; round++) {
                if (round == 2) {
                    // Recovery path: as if the previous process had been killed (no clean-close marker).
                    Files.deleteIfExists(store.resolveSibling(store.getFileName() + ".closed"));
                }
                int code = startAndStop(config);
                if (code != ExitCodes.OK) {
                    return code;
                }
            }
            return ExitCodes.OK;
        } finally {
            deleteRecursively(directory);
        }
    }

    private static int startAndStop(Path file) throws InterruptedException {
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.load(file);
        } catch (ConfigException e) {
            System.err.println("softgate: cds-training: " + e.getMessage());
            return ExitCodes.CONFIGURATION_ERROR;
        }
        ServiceProcess service;
        try {
            service = new ServiceProcess(loaded, PacketIoBackends.forConfig(loaded), NanoClock.SYSTEM);
        } catch (BackendUnavailableException e) {
            System.err.println("softgate: cds-training: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        int[] exit = {ExitCodes.FAILURE};
        Thread thread = new Thread(() -> exit[0] = service.run(), "softgate-cds-training");
        thread.start();
        boolean running = service.awaitRunning(START_TIMEOUT_MS);
        service.requestStop();
        thread.join();
        return running ? exit[0] : ExitCodes.FAILURE;
    }

    private static int freeLoopbackUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A small node with every feature, so their classes (compilers, stages, tables) are recorded too. */
    static String configuration(int udpPort) {
        return """
            {
              "node": {"name": "cds-training", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1",
                       "publicVrf": "public"},
              "dataplane": {"workers": 1, "framesPerWorker": 1024, "statsIntervalSeconds": 0},
              "io": {"backend": "udp", "udp": {"bindAddress": "127.0.0.1", "port": %d}},
              "forwarding": {"vrfs": [
                {"name": "blue", "l3vni": 5001, "routes": [
                  {"prefix": "10.1.1.0/24", "nextHopVtep": "10.255.0.11", "nextHopRouterMac": "02:5f:00:00:0b:01"}]},
                {"name": "public", "l3vni": 5900, "gatewayIpv4": "198.51.100.254", "routes": [
                  {"prefix": "0.0.0.0/0", "nextHopVtep": "10.255.0.13", "nextHopRouterMac": "02:5f:00:00:0b:03"}]}]},
              "publicAddressRanges": ["198.51.100.0/24"],
              "stateDir": "state",
              "nat": {"maxSessions": 1024, "rules": [
                {"name": "snat", "vpc": "blue", "action": "SNAT", "protocol": "all", "sourceAddress": "10.1.1.0/24",
                 "snatToIP": "198.51.100.1"},
                {"name": "web", "vpc": "blue", "action": "DNAT", "protocol": "tcp", "destinationAddress": "198.51.100.10",
                 "destinationPort": "8080", "dnatToIP": "10.1.1.10", "dnatToPort": 8000}]},
              "loadBalancer": {"maxConnections": 1024, "services": [
                {"name": "web", "protocol": "tcp", "vip": "198.51.100.80", "port": 80, "vpc": "blue",
                 "backends": [{"address": "10.1.1.11", "port": 8000}], "healthCheck": {"type": "none"}}]},
              "acl": {"flowCapacity": 1024, "rules": [
                {"name": "no-telnet", "vpc": "blue", "priority": 10, "action": "deny", "proto": "tcp",
                 "dstPrefix": "10.1.1.0/24", "dstPortFrom": 23, "dstPortTo": 23}]}
            }
            """.formatted(udpPort);
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
