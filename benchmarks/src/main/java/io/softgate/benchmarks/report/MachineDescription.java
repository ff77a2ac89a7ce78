package io.softgate.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the figures were measured on: CPU model and counts from /proc/cpuinfo, memory from
 * /proc/meminfo, kernel, JDK, frequency governor, isolated CPUs, and the load average at the
 * moment it is read (a busy machine makes every figure a lower bound).
 *
 * <p>Threading: immutable once read.
 */
public final class MachineDescription {
    private final Map<String, String> fields;

    private MachineDescription(Map<String, String> fields) {
        this.fields = fields;
    }

    /** Reads the machine now. Missing files (not Linux, containers) give "unknown". */
    public static MachineDescription read() {
        Map<String, String> fields = new LinkedHashMap<>();
        List<String> cpuinfo = lines("/proc/cpuinfo");
        String model = "unknown";
        int logical = 0;
        java.util.Set<String> cores = new java.util.HashSet<>();
        String physicalId = "0";
        for (String line : cpuinfo) {
            String key = line.contains(":") ? line.substring(0, line.indexOf(':')).trim() : "";
            String value = line.contains(":") ? line.substring(line.indexOf(':') + 1).trim() : "";
            switch (key) {
                case "model name" -> model = value;
                case "processor" -> logical++;
                case "physical id" -> physicalId = value;
                case "core id" -> cores.add(physicalId + "/" + value);
                default -> { }
            }
        }
        fields.put("cpu model", model);
        fields.put("logical CPUs (/proc/cpuinfo)", Integer.toString(logical));
        fields.put("physical cores", cores.isEmpty() ? "unknown" : Integer.toString(cores.size()));
        fields.put("CPUs available to the JVM", Integer.toString(Runtime.getRuntime().availableProcessors()));
        fields.put("memory", memory());
        fields.put("kernel", first("/proc/sys/kernel/osrelease"));
        fields.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        fields.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
            + " (" + System.getProperty("java.vm.vendor") + ")");
        fields.put("cpu frequency governor", first("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
        String cmdline = first("/proc/cmdline");
        fields.put("isolated CPUs (isolcpus)", cmdline.contains("isolcpus") ? cmdline.replaceAll(".*(isolcpus=\\S+).*", "$1") : "none");
        fields.put("load average at start (1, 5, 15 min)", loadAverage());
        return new MachineDescription(fields);
    }

    /** The 1/5/15-minute load averages from /proc/loadavg. */
    public static String loadAverage() {
        String line = first("/proc/loadavg");
        String[] parts = line.split("\\s+");
        return parts.length >= 3 ? parts[0] + ", " + parts[1] + ", " + parts[2] : line;
    }

    /** The 1-minute load average, or NaN when unknown. */
    public static double loadAverageOneMinute() {
        try {
            return Double.parseDouble(first("/proc/loadavg").split("\\s+")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String memory() {
        for (String line : lines("/proc/meminfo")) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.split("\\s+");
                long kib = Long.parseLong(parts[1]);
                return String.format(java.util.Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
            }
        }
        return "unknown";
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String first(String file) {
        List<String> lines = lines(file);
        return lines.isEmpty() ? "unknown" : lines.get(0).trim();
    }

    public Map<String, String> fields() {
        return fields;
    }
}
