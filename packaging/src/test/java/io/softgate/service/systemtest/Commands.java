package io.softgate.service.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs short host commands (ip, sysctl, bridge, tcpdump -r ...) to completion and returns their
 * combined output; a command that hangs is killed (by its own PID) after a timeout.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class Commands {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Commands() {
    }

    /** The outcome of one command. */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Throws with the command and its output unless it exited with 0. */
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException("command failed (exit " + exitCode + "): " + String.join(" ", command)
                    + "\n" + output);
            }
            return this;
        }
    }

    /** Runs {@code command} and returns its result whatever the exit code. */
    public static Result run(List<String> command, Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("softgate-command", ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("command timed out after " + timeout + ": " + String.join(" ", command)
                    + "\n" + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(List.copyOf(command), process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    /** Runs {@code command} and fails unless it exits with 0. */
    public static String runOk(String... command) {
        return run(List.of(command), DEFAULT_TIMEOUT).orThrow().output();
    }

    /** True when {@code program} is on the PATH. */
    public static boolean available(String program) {
        return run(List.of("sh", "-c", "command -v " + program), DEFAULT_TIMEOUT).ok();
    }

    /** True when this JVM runs as root (namespaces, veths and tcpdump need it). */
    public static boolean isRoot() {
        return "0".equals(run(List.of("id", "-u"), DEFAULT_TIMEOUT).output().trim());
    }
}
