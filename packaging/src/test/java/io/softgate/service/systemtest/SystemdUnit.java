package io.softgate.service.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of a systemd unit file and of an environment file it names, read the way systemd
 * reads the simple forms this project uses (one {@code Key=value} per line, {@code #} comments,
 * repeated keys accumulate, an empty assignment resets). Quoting, specifiers ({@code %}) and line
 * continuations are refused rather than misread, so a test that runs the unit's command line
 * without systemd runs exactly that line.
 *
 * <p>Threading: immutable after {@link #read}.
 */
public final class SystemdUnit {
    private final Map<String, List<String>> settings;

    private SystemdUnit(Map<String, List<String>> settings) {
        this.settings = settings;
    }

    /** Reads the {@code [section]} of {@code unitFile} (e.g. "Service"). */
    public static SystemdUnit read(Path unitFile, String section) throws IOException {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        String current = null;
        for (String raw : Files.readAllLines(unitFile)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.endsWith("\\")) {
                throw new IllegalArgumentException(unitFile + ": line continuations are not supported: " + line);
            }
            if (line.startsWith("[")) {
                current = line.substring(1, line.length() - 1);
                continue;
            }
            if (!section.equals(current)) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException(unitFile + ": not a setting: " + line);
            }
            String key = line.substring(0, equals).strip();
            String value = line.substring(equals + 1).strip();
            List<String> values = settings.computeIfAbsent(key, k -> new ArrayList<>());
            if (value.isEmpty()) {
                values.clear();
            } else {
                values.add(value);
            }
        }
        return new SystemdUnit(settings);
    }

    /** True when the unit sets {@code key} at all (also to the empty value). */
    public boolean has(String key) {
        return settings.containsKey(key);
    }

    /** Every value of {@code key} in order (empty after a reset or when absent). */
    public List<String> values(String key) {
        return List.copyOf(settings.getOrDefault(key, List.of()));
    }

    /** The single value of {@code key}; fails when absent or repeated. */
    public String value(String key) {
        List<String> values = values(key);
        if (values.size() != 1) {
            throw new IllegalStateException("expected exactly one " + key + "=, found " + values);
        }
        return values.get(0);
    }

    /**
     * The command line of {@code ExecStart=} as words. A leading {@code -}, {@code @}, {@code :},
     * {@code +} or {@code !} prefix, quotes, variables and specifiers are refused: this project's
     * unit uses none, and emulating them would be guessing.
     */
    public List<String> execStart() {
        String line = value("ExecStart");
        if (line.matches(".*[\"'%$\\\\].*") || "-@:+!".indexOf(line.charAt(0)) >= 0) {
            throw new IllegalStateException("ExecStart uses syntax this emulation does not support: " + line);
        }
        return List.of(line.split("\\s+"));
    }

    /**
     * The variables of {@code Environment=} and of the {@code EnvironmentFile=} files (a leading
     * {@code -}: the file may be missing), later assignments winning, as systemd applies them.
     */
    public Map<String, String> environment() throws IOException {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String assignment : values("Environment")) {
            for (String word : assignment.split("\\s+")) {
                put(environment, word, "Environment=");
            }
        }
        for (String file : values("EnvironmentFile")) {
            boolean optional = file.startsWith("-");
            Path path = Path.of(optional ? file.substring(1) : file);
            if (!Files.exists(path)) {
                if (optional) {
                    continue;
                }
                throw new IllegalStateException("EnvironmentFile " + path + " is missing");
            }
            for (String raw : Files.readAllLines(path)) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                    continue;
                }
                put(environment, line, path.toString());
            }
        }
        return environment;
    }

    private static void put(Map<String, String> environment, String assignment, String source) {
        int equals = assignment.indexOf('=');
        if (equals <= 0) {
            throw new IllegalStateException(source + ": not an assignment: " + assignment);
        }
        String value = assignment.substring(equals + 1);
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
            || value.startsWith("'") && value.endsWith("'"))) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.matches(".*[\"'$\\\\].*")) {
            throw new IllegalStateException(source + ": quoting or expansion this emulation does not support: " + assignment);
        }
        environment.put(assignment.substring(0, equals), value);
    }
}
