package io.softgate.benchmarks.e2e;

import io.softgate.io.jnr.LibC;
import io.softgate.io.jnr.Native;
import io.softgate.io.xdp.XdpStatistics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The softgate service from the built distribution ({@code bin/softgate run --config FILE}),
 * started in the gateway namespace under {@code taskset -c <cpu>} exactly as a user would, with a
 * configuration of the real service pipeline: VPC {@code blue} (L3VNI 5001, 10.1.1.0/24), the
 * public VRF (L3VNI 5900, default route to the border VTEP) and one NAT rule that SNATs the VPC's
 * subnet to 198.51.100.1 (no ACL, no load balancer: the kernel baseline has neither). The graph is
 * then vxlan-decap -> feature-direction -> nat44-in2out -> vrf-route -> vxlan-encap.
 *
 * <p>{@code taskset}, {@code ip netns exec} and {@code bin/softgate} each exec the next, so the
 * PID started is the JVM's; it is written to {@code softgate.pid} (for the launcher's trap) and
 * stopped by that PID only (SIGTERM, then SIGKILL).
 *
 * <p>Threading: the harness's main thread only.
 */
final class SoftgateProcess implements AutoCloseable {
    // Syscall numbers (the same on every Linux architecture) and socket options for xdpSocketNapiIds.
    private static final long PIDFD_OPEN = 434;
    private static final long PIDFD_GETFD = 438;
    private static final int SOL_SOCKET = 1;
    private static final int SO_DOMAIN = 39;
    private static final int SO_INCOMING_NAPI_ID = 56;
    private static final int AF_XDP = 44;

    private final Process process;
    private final Path log;
    private final Path pidFile;

    private SoftgateProcess(Process process, Path log, Path pidFile) {
        this.process = process;
        this.log = log;
        this.pidFile = pidFile;
    }

    /**
     * Starts the service with {@code backend} ("af_xdp", "udp" (the worker drives its socket),
     * "udp-separate" (a Netty event loop thread does), or "tun": AF_XDP on the fabric and the
     * public VRF's traffic out of a TUN uplink) and waits until it logs that it
     * runs; throws with the log's tail when it exits or does not come up in time.
     */
    static SoftgateProcess start(Path distribution, Topology topology, String backend, boolean busyPoll, int cpu,
                                 Path directory) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path config = directory.resolve("softgate.json");
        Files.writeString(config, config(backend, busyPoll));
        Path log = directory.resolve("softgate.log");
        Path pidFile = directory.getParent().resolve("softgate.pid");
        ProcessBuilder builder = new ProcessBuilder(List.of("taskset", "-c", Integer.toString(cpu), "ip", "netns",
            "exec", topology.gateway, distribution.resolve("bin/softgate").toString(), "run", "--config",
            config.toString()));
        builder.environment().put("SOFTGATE_JAVA_OPTS", "-Xms1g -Xmx1g -XX:+AlwaysPreTouch");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process process = builder.start();
        Files.writeString(pidFile, Long.toString(process.pid()));
        SoftgateProcess softgate = new SoftgateProcess(process, log, pidFile);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            String text = softgate.log();
            if (text.contains("running: VTEP")) {
                return softgate;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                softgate.close();
                throw new IOException("softgate (" + backend + ") did not start; log " + log + ":\n" + tail(softgate.log()));
            }
            Thread.sleep(200);
        }
    }

    static String config(String backend, boolean busyPoll) {
        boolean tun = backend.equals("tun");
        String xdp = "\"backend\": \"af_xdp\", \"af_xdp\": {\"interfaceName\": \"gw0\", \"xdpMode\": \"native\","
            + " \"copyMode\": \"auto\", \"ringSize\": 4096, \"busyPoll\": " + busyPoll + "}";
        String io = switch (backend) {
            case "af_xdp" -> "{" + xdp + "}";
            // AF_XDP on the fabric, the public VRF's default route out of the TUN uplink.
            case "tun" -> "{" + xdp + ", \"tun\": {\"interfaceName\": \"up0\"}}";
            default -> "{\"backend\": \"udp\", \"udp\": {\"bindAddress\": \"" + Topology.GATEWAY_IP + "\", \"port\": 4789"
                + ", \"eventLoop\": \"" + (backend.equals("udp-separate") ? "separate" : "worker") + "\""
                + (busyPoll ? ", \"busyPoll\": true" : "") + "}}";
        };
        String publicRoute = tun ? "{\"prefix\": \"0.0.0.0/0\", \"nextHopPort\": \"tun\"}"
            : "{\"prefix\": \"0.0.0.0/0\", \"nextHopVtep\": \"" + Topology.HV_IP + "\", \"nextHopRouterMac\": \""
                + Topology.BORDER_ROUTER_MAC + "\"}";
        // One worker; busy-spin when it has its core to itself (AF_XDP), back-off for UDP: with a
        // separate event loop it shares that core with it, and back-off keeps both UDP modes'
        // CPU per packet comparable (a spinning worker's idle CPU would count).
        String idle = backend.startsWith("udp") ? "backoff" : "busy-spin";
        return """
            {
              "node": {"name": "sg-e2e", "routerMac": "%s", "vtepAddress": "%s", "publicVrf": "public",
                       "underlayMac": "%s", "underlayNextHopMac": "%s"},
              "dataplane": {"workers": 1, "batchSize": 64, "framesPerWorker": 16384, "idleStrategy": "%s",
                            "statsIntervalSeconds": 0},
              "io": %s,
              "forwarding": {"vrfs": [
                {"name": "blue", "l3vni": %d, "routes": [
                  {"prefix": "%s", "nextHopVtep": "%s", "nextHopRouterMac": "%s"}]},
                {"name": "public", "l3vni": %d, "gatewayIpv4": "198.51.100.254", "routes": [
                  %s]}]},
              "publicAddressRanges": ["198.51.100.0/24"],
              "stateDir": "state",
              "nat": {"rules": [
                {"name": "blue-snat", "vpc": "blue", "action": "SNAT", "protocol": "all", "sourceAddress": "%s",
                 "snatToIP": "%s"}]}
            }
            """.formatted(Topology.ROUTER_MAC, Topology.GATEWAY_IP, Topology.mac(Topology.GATEWAY_MAC),
            Topology.mac(Topology.HV_MAC), idle, io, Topology.VPC_VNI, Topology.VPC_SUBNET, Topology.HV_IP,
            Topology.HV_ROUTER_MAC, Topology.PUBLIC_VNI, publicRoute,
            Topology.VPC_SUBNET, Topology.SNAT_ADDRESS);
    }

    long pid() {
        return process.pid();
    }

    /** CPU time of the process so far (all threads, /proc/PID/stat), ns. */
    long cpuNs() throws IOException {
        return CpuAccounting.processCpuNs(process.pid());
    }

    /** System (kernel) CPU time of the process so far, ns: its share of {@link #cpuNs()} spent in system calls. */
    long systemCpuNs() throws IOException {
        return CpuAccounting.processCpuSplitNs(process.pid())[1];
    }

    /**
     * CPU time so far of the JVM's JIT compiler threads ("C1/C2 CompilerThread*", from
     * /proc/PID/task/TID/stat), ns: they share the softgate's core, so a window where they still run
     * measures a JVM that is warming up.
     */
    long compilerCpuNs() throws IOException {
        long total = 0;
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        try (var threads = Files.list(tasks)) {
            for (Path thread : (Iterable<Path>) threads::iterator) {
                String name;
                try {
                    name = Files.readString(thread.resolve("comm")).trim();
                } catch (IOException e) {
                    continue; // the thread ended
                }
                if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                    total += CpuAccounting.threadCpuNs(thread.resolve("stat"));
                }
            }
        } catch (NoSuchFileException e) {
            return total;
        }
        return total;
    }

    /**
     * Waits until the JIT compiler threads stay quiet (under 5 ms CPU in each of two 500 ms periods) while traffic
     * flows, at least {@code minimumMs}, at most {@code maximumMs}; returns the milliseconds waited.
     */
    long awaitJitQuiet(long minimumMs, long maximumMs) throws IOException, InterruptedException {
        long startNs = System.nanoTime();
        Thread.sleep(minimumMs);
        long previous = compilerCpuNs();
        int quietPeriods = 0;
        // Two quiet periods in a row: on a busy machine a starved compiler thread looks quiet once.
        while (quietPeriods < 2 && (System.nanoTime() - startNs) / 1_000_000 < maximumMs) {
            Thread.sleep(500);
            long now = compilerCpuNs();
            quietPeriods = now - previous < 5_000_000 ? quietPeriods + 1 : 0;
            previous = now;
        }
        return (System.nanoTime() - startNs) / 1_000_000;
    }

    /**
     * The NAPI id the kernel recorded on each of the softgate's AF_XDP sockets
     * ({@code SO_INCOMING_NAPI_ID}, read on a copy of the descriptor taken with pidfd_getfd), as
     * "fd N: napi id M" entries; an id of 0 means the socket's busy polling (SO_BUSY_POLL,
     * SO_PREFER_BUSY_POLL) has no device queue to poll and does nothing. Empty when the process has
     * no AF_XDP socket or the kernel refuses (before 5.6, or without ptrace rights).
     */
    List<String> xdpSocketNapiIds() throws IOException {
        List<String> result = new ArrayList<>();
        forEachXdpSocket((name, libc, fd) -> result.add("fd " + name + ": napi id " + intOption(libc, fd, SO_INCOMING_NAPI_ID)));
        return result;
    }

    /**
     * The kernel's loss counters of the softgate's AF_XDP sockets (XDP_STATISTICS, summed):
     * rx_dropped, rx_ring_full (its RX ring full: the worker did not keep up) and
     * rx_fill_ring_empty; empty when it has none or the kernel refuses.
     */
    Map<String, Long> xdpSocketLosses() throws IOException {
        Map<String, Long> losses = new LinkedHashMap<>();
        forEachXdpSocket((name, libc, fd) -> {
            long[] statistics;
            try {
                statistics = XdpStatistics.read(fd);
            } catch (IOException e) {
                return;
            }
            losses.merge("softgate.xsk.rx_dropped", statistics[XdpStatistics.RX_DROPPED], Long::sum);
            losses.merge("softgate.xsk.rx_ring_full", statistics[XdpStatistics.RX_RING_FULL], Long::sum);
            losses.merge("softgate.xsk.fill_ring_empty", statistics[XdpStatistics.FILL_RING_EMPTY], Long::sum);
        });
        return losses;
    }

    /** What to do with one AF_XDP socket of the softgate, on a copy of its descriptor. */
    private interface XdpSocketVisitor {
        void visit(String name, LibC libc, int fd);
    }

    /** Calls {@code visitor} with a copy (pidfd_getfd, closed after) of each of the softgate's AF_XDP sockets. */
    private void forEachXdpSocket(XdpSocketVisitor visitor) throws IOException {
        LibC libc = Native.libc();
        int pidfd = (int) libc.syscall(PIDFD_OPEN, process.pid(), 0, 0);
        if (pidfd < 0) {
            return;
        }
        try (var entries = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(entry).toString();
                } catch (IOException e) {
                    continue;
                }
                if (!target.startsWith("socket:")) {
                    continue;
                }
                int fd = (int) libc.syscall(PIDFD_GETFD, pidfd, Integer.parseInt(entry.getFileName().toString()), 0);
                if (fd < 0) {
                    continue;
                }
                try {
                    if (intOption(libc, fd, SO_DOMAIN) == AF_XDP) {
                        visitor.visit(entry.getFileName().toString(), libc, fd);
                    }
                } finally {
                    libc.close(fd);
                }
            }
        } catch (NoSuchFileException e) {
            // The process ended.
        } finally {
            libc.close(pidfd);
        }
    }

    private static int intOption(LibC libc, int fd, int option) {
        UnsafeBuffer buffer = Native.scratch(8);
        buffer.putInt(4, 4);
        int result = libc.getsockopt(fd, SOL_SOCKET, option, buffer.addressOffset(), buffer.addressOffset() + 4);
        return result < 0 ? -1 : buffer.getInt(0);
    }

    String log() throws IOException {
        return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
    }

    /** The counters the service logs when it stops (its final line), or "" before. */
    String finalCounters() throws IOException {
        String text = log();
        int at = text.lastIndexOf("stopped; counters");
        if (at < 0) {
            return "";
        }
        int end = text.indexOf('\n', at);
        return text.substring(at, end < 0 ? text.length() : end);
    }

    static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    /** SIGTERM to our PID, SIGKILL after 15 s. */
    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(pidFile);
    }
}
