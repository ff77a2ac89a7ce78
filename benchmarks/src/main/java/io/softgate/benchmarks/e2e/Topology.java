package io.softgate.benchmarks.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The harness's three namespaces and two veth links, built with iproute2 and deleted in
 * {@link #close()}: generator {@code gen0} (10.253.1.2) - {@code gw0} (10.253.1.1, the softgate's
 * VTEP) | gateway | {@code gw1} (10.253.2.1) - {@code sink0} (10.253.2.2). Fixed MACs, IPv6 off,
 * one queue per veth end. Traffic never leaves these namespaces.
 *
 * <p>Threading: the harness's main thread only.
 */
final class Topology implements AutoCloseable {
    static final String GENERATOR_IP = "10.253.1.2";
    static final String GATEWAY_IN_IP = "10.253.1.1";
    static final String GATEWAY_OUT_IP = "10.253.2.1";
    static final String SINK_IP = "10.253.2.2";
    static final long GENERATOR_MAC = 0x02_53_00_00_01_02L;
    static final long GATEWAY_IN_MAC = 0x02_53_00_00_01_01L;
    static final long GATEWAY_OUT_MAC = 0x02_53_00_00_02_01L;
    static final long SINK_MAC = 0x02_53_00_00_02_02L;

    final String generator;
    final String gateway;
    final String sink;

    Topology() throws IOException {
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 24), 36);
        generator = "sgbg" + suffix;
        gateway = "sgbw" + suffix;
        sink = "sgbs" + suffix;
        try {
            for (String namespace : new String[] {generator, gateway, sink}) {
                run("ip", "netns", "add", namespace);
                ip(namespace, "link", "set", "lo", "up");
            }
            link(generator, "gen0", GENERATOR_MAC, gateway, "gw0", GATEWAY_IN_MAC);
            link(gateway, "gw1", GATEWAY_OUT_MAC, sink, "sink0", SINK_MAC);
            address(generator, "gen0", GENERATOR_IP);
            address(gateway, "gw0", GATEWAY_IN_IP);
            address(gateway, "gw1", GATEWAY_OUT_IP);
            address(sink, "sink0", SINK_IP);
            ip(generator, "route", "add", "10.253.2.0/24", "via", GATEWAY_IN_IP);
            sysctl(gateway, "net.ipv4.conf.all.rp_filter", "0");
            // Static neighbours: no ARP in the measured path.
            ip(gateway, "neigh", "replace", SINK_IP, "lladdr", mac(SINK_MAC), "dev", "gw1", "nud", "permanent");
            ip(generator, "neigh", "replace", GATEWAY_IN_IP, "lladdr", mac(GATEWAY_IN_MAC), "dev", "gen0", "nud", "permanent");
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Turns the gateway kernel's forwarding on or off. On, gw0's receive processing is steered to
     * CPU 1 with RPS, so the kernel forwards on the core the softgate's worker uses in the other run
     * (the generator keeps CPU 0).
     */
    void kernelForwarding(boolean enabled) throws IOException {
        sysctl(gateway, "net.ipv4.ip_forward", enabled ? "1" : "0");
        run("ip", "netns", "exec", gateway, "sh", "-c",
            "echo " + (enabled ? "2" : "0") + " > /sys/class/net/gw0/queues/rx-0/rps_cpus");
    }

    /** Packets received by {@code sink0} so far (the kernel's device counter). */
    long sinkReceivedPackets() throws IOException {
        String json = run("ip", "-n", sink, "-s", "-j", "link", "show", "sink0");
        Matcher matcher = Pattern.compile("\"rx\":\\{\"bytes\":\\d+,\"packets\":(\\d+)").matcher(json);
        if (!matcher.find()) {
            throw new IOException("cannot read sink0 counters: " + json);
        }
        return Long.parseLong(matcher.group(1));
    }

    private void link(String leftNamespace, String left, long leftMac, String rightNamespace, String right, long rightMac)
        throws IOException {
        ip(leftNamespace, "link", "add", left, "address", mac(leftMac), "numrxqueues", "1", "numtxqueues", "1",
            "type", "veth", "peer", "name", right, "address", mac(rightMac), "numrxqueues", "1", "numtxqueues", "1",
            "netns", rightNamespace);
        sysctl(leftNamespace, "net.ipv6.conf." + left + ".disable_ipv6", "1");
        sysctl(rightNamespace, "net.ipv6.conf." + right + ".disable_ipv6", "1");
        ip(leftNamespace, "link", "set", left, "up");
        ip(rightNamespace, "link", "set", right, "up");
    }

    private void address(String namespace, String device, String address) throws IOException {
        ip(namespace, "addr", "add", address + "/24", "dev", device);
    }

    static String mac(long mac) {
        StringBuilder text = new StringBuilder();
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (text.length() > 0) {
                text.append(':');
            }
            text.append(String.format("%02x", (mac >>> shift) & 0xFF));
        }
        return text.toString();
    }

    private static void ip(String namespace, String... arguments) throws IOException {
        String[] command = new String[arguments.length + 3];
        command[0] = "ip";
        command[1] = "-n";
        command[2] = namespace;
        System.arraycopy(arguments, 0, command, 3, arguments.length);
        run(command);
    }

    private static void sysctl(String namespace, String key, String value) throws IOException {
        run("ip", "netns", "exec", namespace, "sysctl", "-qw", key + "=" + value);
    }

    static String run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output.trim());
        }
        return output;
    }

    @Override
    public void close() {
        for (String namespace : new String[] {sink, gateway, generator}) {
            try {
                run("ip", "netns", "del", namespace);
            } catch (IOException e) {
                // Not created (setup failed early) or already gone.
            }
        }
    }
}
