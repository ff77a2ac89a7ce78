package io.softgate.service.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-running process started by a test (a softgate, tcpdump, an nc server), optionally inside
 * a network namespace, with its output captured to a file. It is stopped by its own PID only:
 * SIGTERM first, SIGKILL after a grace period; never by name.
 *
 * <p>{@code ip netns exec} enters the namespace and then executes the command in the same
 * process, so the PID we hold is the program's own.
 *
 * <p>Threading: confined to the test thread that started it.
 */
public final class ManagedProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} (inside {@code namespace} unless it is null), output to {@code log}. */
    public static ManagedProcess start(String name, NetworkNamespace namespace, List<String> command, Path log) {
        List<String> full = namespace == null ? new ArrayList<>(command) : namespace.wrap(command);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process process = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
            return new ManagedProcess(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", full), e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** Everything the process has written so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "<cannot read " + log + ": " + e + ">";
        }
    }

    /**
     * Waits until the output contains {@code text}; fails early if the process exits first, and
     * includes the output in the failure.
     */
    public void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before printing \""
                    + text + "\":\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not print \"" + text + "\" within " + timeout + ":\n" + output());
            }
            Thread.sleep(50);
        }
    }

    /** Waits for the process to exit by itself; returns its exit code, or fails after {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    /** SIGTERM to our PID, then SIGKILL after the grace period; returns the exit code. */
    public int stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        return process.exitValue();
    }

    /** Stops the process if it is still running. Idempotent. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
