package io.softgate.benchmarks.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The harness's two namespaces and one veth link, built with iproute2 and deleted in
 * {@link #close()}: {@code <prefix>-hv} holds the traffic endpoint ({@code hv0}, 10.253.1.2: a
 * hypervisor VTEP that sends VPC traffic on VNI 5001 and is also the border VTEP that receives the
 * public VRF's traffic on VNI 5900) and {@code <prefix>-gw} holds the gateway ({@code gw0},
 * 10.253.1.1: the softgate's VTEP, or the kernel's vxlan devices). Fixed MACs, IPv6 off, one
 * queue per veth end, static neighbours (no ARP in the measured path). Traffic never leaves
 * these namespaces.
 *
 * <p>The kernel baseline ({@link #startKernelGateway}) is LAB.md's "kernel doing the softgate's
 * job": {@code vx5001} terminates the VPC's VXLAN (its MAC is the router MAC the hypervisor
 * sends to), the route to 203.0.113.0/24 leaves through {@code vx5900} toward the border VTEP,
 * and nftables SNATs 10.1.1.0/24 to 198.51.100.1 with conntrack, like the softgate's NAT rule.
 *
 * <p>Threading: the harness's main thread only.
 */
final class Topology implements AutoCloseable {
    static final String HV_IP = "10.253.1.2";
    static final String GATEWAY_IP = "10.253.1.1";
    static final long HV_MAC = 0x02_53_00_00_01_02L;
    static final long GATEWAY_MAC = 0x02_53_00_00_01_01L;
    static final String ROUTER_MAC = "02:5f:00:00:00:01";
    static final String HV_ROUTER_MAC = "02:20:00:00:00:01";
    static final String BORDER_ROUTER_MAC = "02:20:00:00:00:59";
    static final int VPC_VNI = 5001;
    static final int PUBLIC_VNI = 5900;
    static final String VPC_SUBNET = "10.1.1.0/24";
    static final String SNAT_ADDRESS = "198.51.100.1";
    static final String SERVER_IP = "203.0.113.10";

    final String hv;
    final String gateway;
    private boolean kernelGateway;

    Topology(String prefix) throws IOException {
        hv = prefix + "-hv";
        gateway = prefix + "-gw";
        try {
            for (String namespace : new String[] {hv, gateway}) {
                run("ip", "netns", "add", namespace);
                ip(namespace, "link", "set", "lo", "up");
            }
            ip(hv, "link", "add", "hv0", "address", mac(HV_MAC), "numrxqueues", "1", "numtxqueues", "1",
                "type", "veth", "peer", "name", "gw0", "address", mac(GATEWAY_MAC), "numrxqueues", "1",
                "numtxqueues", "1", "netns", gateway);
            sysctl(hv, "net.ipv6.conf.hv0.disable_ipv6", "1");
            sysctl(gateway, "net.ipv6.conf.gw0.disable_ipv6", "1");
            ip(hv, "link", "set", "hv0", "up");
            ip(gateway, "link", "set", "gw0", "up");
            ip(hv, "addr", "add", HV_IP + "/24", "dev", "hv0");
            ip(gateway, "addr", "add", GATEWAY_IP + "/24", "dev", "gw0");
            sysctl(gateway, "net.ipv4.conf.all.rp_filter", "0");
            sysctl(gateway, "net.ipv4.conf.default.rp_filter", "0");
            sysctl(gateway, "net.ipv4.conf.gw0.rp_filter", "0");
            ip(gateway, "neigh", "replace", HV_IP, "lladdr", mac(HV_MAC), "dev", "gw0", "nud", "permanent");
            ip(hv, "neigh", "replace", GATEWAY_IP, "lladdr", mac(GATEWAY_MAC), "dev", "hv0", "nud", "permanent");
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The kernel does the softgate's job in the gateway namespace: vxlan devices, forwarding,
     * nftables SNAT with conntrack; gw0's receive processing is steered to {@code gatewayCpu} with
     * RPS so the whole forwarding path runs on the core the softgate gets in its runs.
     */
    void startKernelGateway(int gatewayCpu) throws IOException {
        kernelGateway = true;
        ip(gateway, "link", "add", "vx5001", "type", "vxlan", "id", Integer.toString(VPC_VNI), "local", GATEWAY_IP,
            "dstport", "4789", "nolearning");
        ip(gateway, "link", "set", "vx5001", "address", ROUTER_MAC);
        ip(gateway, "link", "add", "vx5900", "type", "vxlan", "id", Integer.toString(PUBLIC_VNI), "local", GATEWAY_IP,
            "remote", HV_IP, "dstport", "4789", "nolearning");
        for (String device : new String[] {"vx5001", "vx5900"}) {
            sysctl(gateway, "net.ipv6.conf." + device + ".disable_ipv6", "1");
            ip(gateway, "link", "set", device, "up");
            sysctl(gateway, "net.ipv4.conf." + device + ".rp_filter", "0");
        }
        ip(gateway, "addr", "add", "10.1.1.1/24", "dev", "vx5001");
        ip(gateway, "addr", "add", "192.0.2.254/24", "dev", "vx5900");
        ip(gateway, "neigh", "replace", "192.0.2.1", "lladdr", BORDER_ROUTER_MAC, "dev", "vx5900", "nud", "permanent");
        ip(gateway, "route", "add", "203.0.113.0/24", "via", "192.0.2.1", "dev", "vx5900");
        runWithInput(nftRuleset(), "ip", "netns", "exec", gateway, "nft", "-f", "-");
        sysctl(gateway, "net.ipv4.ip_forward", "1");
        steerReceive(gatewayCpu);
    }

    /**
     * For the softgate with a TUN uplink: the kernel takes the bare IP packets the softgate writes
     * to its TUN device {@code up0} and routes them into {@code vx5900} toward the border VTEP (no
     * NAT: the softgate did it). {@link #tunUplinkUp()} once the softgate has created up0.
     */
    void startTunUplinkRouting() throws IOException {
        ip(gateway, "link", "add", "vx5900", "type", "vxlan", "id", Integer.toString(PUBLIC_VNI), "local", GATEWAY_IP,
            "remote", HV_IP, "dstport", "4789", "nolearning");
        sysctl(gateway, "net.ipv6.conf.vx5900.disable_ipv6", "1");
        ip(gateway, "link", "set", "vx5900", "up");
        ip(gateway, "addr", "add", "192.0.2.254/24", "dev", "vx5900");
        ip(gateway, "neigh", "replace", "192.0.2.1", "lladdr", BORDER_ROUTER_MAC, "dev", "vx5900", "nud", "permanent");
        ip(gateway, "route", "add", "203.0.113.0/24", "via", "192.0.2.1", "dev", "vx5900");
        sysctl(gateway, "net.ipv4.ip_forward", "1");
    }

    /** Brings the softgate's TUN device up (rp_filter off: its sources are public addresses). */
    void tunUplinkUp() throws IOException {
        sysctl(gateway, "net.ipv6.conf.up0.disable_ipv6", "1");
        sysctl(gateway, "net.ipv4.conf.up0.rp_filter", "0");
        ip(gateway, "link", "set", "up0", "up");
    }

    void stopTunUplinkRouting() throws IOException {
        sysctl(gateway, "net.ipv4.ip_forward", "0");
        ip(gateway, "link", "del", "vx5900");
    }

    /** Removes the kernel gateway again (its vxlan sockets hold UDP 4789, which the UDP backend needs). */
    void stopKernelGateway() throws IOException {
        if (!kernelGateway) {
            return;
        }
        kernelGateway = false;
        sysctl(gateway, "net.ipv4.ip_forward", "0");
        steerReceive(-1);
        run("ip", "netns", "exec", gateway, "nft", "flush", "ruleset");
        ip(gateway, "link", "del", "vx5001");
        ip(gateway, "link", "del", "vx5900");
    }

    /** RPS for gw0's receive queue: to {@code cpu}, or off (receive runs where the sender's softirq runs) with -1. */
    void steerReceive(int cpu) throws IOException {
        writeSysfs(gateway, "/sys/class/net/gw0/queues/rx-0/rps_cpus", cpu < 0 ? "0" : Integer.toHexString(1 << cpu));
    }

    /**
     * gw0's NAPI deferral for busy polling (BUILD-FACTS: napi_defer_hard_irqs 2, gro_flush_timeout
     * 200 µs), or back to 0. GRO on as well: without an XDP program a veth only receives through
     * NAPI (which busy polling drives) when GRO is on.
     */
    void busyPollDevice(boolean enabled, int deferHardIrqs, long groFlushTimeoutNs) throws IOException {
        writeSysfs(gateway, "/sys/class/net/gw0/napi_defer_hard_irqs", enabled ? Integer.toString(deferHardIrqs) : "0");
        writeSysfs(gateway, "/sys/class/net/gw0/gro_flush_timeout", enabled ? Long.toString(groFlushTimeoutNs) : "0");
        run("ip", "netns", "exec", gateway, "ethtool", "-K", "gw0", "gro", enabled ? "on" : "off");
    }

    /** The nftables ruleset of the kernel baseline, kept here so the report can quote it. */
    static String nftRuleset() {
        return "table ip softgate_baseline {\n"
            + "  chain postrouting {\n"
            + "    type nat hook postrouting priority srcnat; policy accept;\n"
            + "    ip saddr " + VPC_SUBNET + " oifname \"vx5900\" snat to " + SNAT_ADDRESS + "\n"
            + "  }\n"
            + "}\n";
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

    private static void writeSysfs(String namespace, String file, String value) throws IOException {
        run("ip", "netns", "exec", namespace, "sh", "-c", "echo " + value + " > " + file);
    }

    static String run(String... command) throws IOException {
        return runWithInput(null, command);
    }

    /** Runs {@code command} (with {@code input} on its standard input when given) and returns its output. */
    static String runWithInput(String input, String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (input != null) {
                process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
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
        for (String namespace : new String[] {gateway, hv}) {
            try {
                run("ip", "netns", "del", namespace);
            } catch (IOException e) {
                // Not created (setup failed early) or already gone.
            }
        }
    }
}
