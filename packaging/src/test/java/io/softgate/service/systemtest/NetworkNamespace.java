package io.softgate.service.systemtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux network namespace created for one test, named uniquely from the test name, this JVM's
 * PID and a counter ({@code sgt-<pid>-<n>-<role>}), and deleted by {@link #close()}. Commands run
 * inside it with {@code ip netns exec}.
 *
 * <p>Threading: confined to the test thread that created it.
 */
public final class NetworkNamespace implements AutoCloseable {
    /** Every namespace this harness creates starts with this prefix. */
    public static final String PREFIX = "sgt-";
    private static final Pattern OWN_NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-\\d+-.*");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private boolean deleted;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    /**
     * Creates a namespace for {@code role} (e.g. {@code hv1}) of test {@code testName}; loopback is
     * brought up and bridge netfilter switched off.
     */
    public static NetworkNamespace create(String testName, String role) {
        String slug = testName.replaceAll("[^A-Za-z0-9]", "");
        slug = slug.substring(0, Math.min(12, slug.length()));
        String name = PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-" + slug + "-" + role;
        Commands.runOk("ip", "netns", "add", name);
        NetworkNamespace namespace = new NetworkNamespace(name);
        try {
            namespace.execOk("ip", "link", "set", "lo", "up");
            namespace.disableBridgeNetfilter();
        } catch (RuntimeException e) {
            namespace.close();
            throw e;
        }
        return namespace;
    }

    /**
     * Deletes namespaces left by earlier runs of this harness whose JVM is gone (a crashed run
     * cannot clean up after itself); namespaces of live processes are never touched.
     */
    public static void deleteStaleNamespaces() {
        for (String line : Commands.runOk("ip", "netns", "list").split("\n")) {
            String candidate = line.trim().split(" ")[0];
            Matcher matcher = OWN_NAME.matcher(candidate);
            if (matcher.matches() && ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty()) {
                Commands.run(List.of("ip", "netns", "del", candidate), Commands.DEFAULT_TIMEOUT);
            }
        }
    }

    public String name() {
        return name;
    }

    /** The argument prefix that runs a command inside this namespace. */
    public List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", name));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Runs a command inside the namespace and returns its result whatever the exit code. */
    public Commands.Result exec(String... command) {
        return Commands.run(wrap(List.of(command)), Commands.DEFAULT_TIMEOUT);
    }

    /** Runs a command inside the namespace with a timeout. */
    public Commands.Result exec(Duration timeout, String... command) {
        return Commands.run(wrap(List.of(command)), timeout);
    }

    /** Runs a command inside the namespace and fails unless it exits with 0; returns its output. */
    public String execOk(String... command) {
        return exec(command).orThrow().output();
    }

    /**
     * Creates a veth pair with {@code localName} here and {@code peerName} in {@code peer}; both
     * ends are brought up.
     */
    public void addVethPair(String localName, NetworkNamespace peer, String peerName) {
        execOk("ip", "link", "add", localName, "type", "veth", "peer", "name", peerName, "netns", peer.name);
        execOk("ip", "link", "set", localName, "up");
        peer.execOk("ip", "link", "set", peerName, "up");
    }

    public void addAddress(String device, String cidr) {
        execOk("ip", "addr", "add", cidr, "dev", device);
    }

    public void setMtu(String device, int mtu) {
        execOk("ip", "link", "set", device, "mtu", Integer.toString(mtu));
    }

    /** Adds a route, e.g. {@code addRoute("10.1.2.0/24", "via", "172.16.1.1")}. */
    public void addRoute(String destination, String... rest) {
        List<String> command = new ArrayList<>(List.of("ip", "route", "add", destination));
        command.addAll(List.of(rest));
        execOk(command.toArray(new String[0]));
    }

    public void sysctl(String key, String value) {
        execOk("sysctl", "-q", "-w", key + "=" + value);
    }

    /** Routes between interfaces, with reverse-path filtering off (asymmetric lab paths). */
    public void enableForwarding() {
        sysctl("net.ipv4.ip_forward", "1");
        sysctl("net.ipv4.conf.all.rp_filter", "0");
        sysctl("net.ipv4.conf.default.rp_filter", "0");
    }

    /**
     * LAB.md: bridge netfilter is on by default in new namespaces; switch it off. The keys exist
     * only while br_netfilter is loaded, so a missing key is fine.
     */
    public void disableBridgeNetfilter() {
        for (String key : List.of("net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables",
            "net.bridge.bridge-nf-call-arptables")) {
            exec("sysctl", "-q", "-w", key + "=0");
        }
    }

    /** Deletes the namespace (and with it every interface inside). Idempotent. */
    @Override
    public void close() {
        if (!deleted) {
            deleted = true;
            Commands.run(List.of("ip", "netns", "del", name), Commands.DEFAULT_TIMEOUT);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
