package io.softgate.io.jnr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces a system test creates with {@code ip netns add} under unique names and
 * deletes again (with everything inside them) in {@link #close()}, even after a failure.
 *
 * <p>Threading: used by the test thread only.
 */
public final class TestNamespaces implements AutoCloseable {
    private final List<String> created = new ArrayList<>();

    /** True when this process can build namespaces: root, the ip tool and /var/run/netns writable. */
    public static String unavailableReason() {
        if (!Native.isAvailable()) {
            return "JNR-FFI unavailable: " + Native.unavailabilityCause();
        }
        if (!Capabilities.has(Capabilities.CAP_SYS_ADMIN) || !Capabilities.has(Capabilities.CAP_NET_ADMIN)) {
            return "needs CAP_SYS_ADMIN and CAP_NET_ADMIN (run as root) to create network namespaces";
        }
        try {
            run("ip", "-V");
        } catch (IOException e) {
            return "the ip tool (iproute2) is missing: " + e.getMessage();
        }
        return null;
    }

    /** Creates a namespace named {@code prefix} plus a random suffix, loopback up; returns the name. */
    public String create(String prefix) throws IOException {
        String name = prefix + Long.toString(ProcessHandle.current().pid() % 100_000, 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 24), 36);
        run("ip", "netns", "add", name);
        created.add(name);
        run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** Runs {@code ip -n namespace ARGS...}. */
    public void ip(String namespace, String... arguments) throws IOException {
        String[] command = new String[arguments.length + 3];
        command[0] = "ip";
        command[1] = "-n";
        command[2] = namespace;
        System.arraycopy(arguments, 0, command, 3, arguments.length);
        run(command);
    }

    /** Sets a sysctl inside {@code namespace} ({@code ip netns exec NS sysctl -qw KEY=VALUE}). */
    public void sysctl(String namespace, String key, String value) throws IOException {
        run("ip", "netns", "exec", namespace, "sysctl", "-qw", key + "=" + value);
    }

    /** Runs a command, waits up to 20 s and throws with its output when it fails. */
    public static String run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output.trim());
        }
        return output;
    }

    /** Deletes every namespace this instance created (and so their devices). */
    @Override
    public void close() {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                run("ip", "netns", "del", created.get(i));
            } catch (IOException e) {
                System.err.println("cannot delete test namespace " + created.get(i) + ": " + e.getMessage());
            }
        }
        created.clear();
    }
}
