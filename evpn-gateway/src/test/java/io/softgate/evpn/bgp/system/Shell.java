package io.softgate.evpn.bgp.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands for system tests and returns their whole output. */
final class Shell {
    private Shell() {
    }

    /** Runs {@code command} through sh, fails when it exits non-zero. */
    static String run(String command) {
        return run(command, true);
    }

    static String run(String command, boolean check) {
        try {
            Process process = new ProcessBuilder(List.of("sh", "-c", command)).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (check && process.exitValue() != 0) {
                throw new IllegalStateException("exit " + process.exitValue() + ": " + command + "\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException(command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(command, e);
        }
    }

    static boolean available(String executable) {
        return !run("command -v " + executable + " || true", false).isBlank();
    }
}
