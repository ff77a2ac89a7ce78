package io.softgate.benchmarks.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harness's summary: one row per gateway and inner size (peak forwarded rate, its ratio to
 * the kernel's, CPU per million packets and its ratio, latency at half load and at peak, the
 * overload result against the goals of issue 8), printed and written as {@code summary.md} and
 * {@code summary.json} (with every window) under the output directory.
 *
 * <p>Threading: built and used by the main thread.
 */
final class Report {
    private static final double AF_XDP_GOAL = 1.3;
    private static final double UDP_GOAL = 0.6;
    private static final double OVERLOAD_GOAL = 0.8;

    private final List<Measurement> measurements;
    private final List<String> notes;
    private final ForwardingHarness.Options options;
    private final Instant started;
    private final String startLoad;
    private final String endLoad;

    Report(List<Measurement> measurements, List<String> notes, ForwardingHarness.Options options, Instant started,
           String startLoad, String endLoad) {
        this.measurements = measurements;
        this.notes = notes;
        this.options = options;
        this.started = started;
        this.startLoad = startLoad;
        this.endLoad = endLoad;
    }

    /** One summary row. */
    private record Row(String path, int size, double peakPps, double ratio, double cpuPerMillion, double cpuRatio,
                       Measurement half, Measurement peak, Measurement overload, double overloadFraction, String goal,
                       String boundBy) {
    }

    /**
     * What limited the saturation window: "gateway" when it forwarded less than 95 % of what the
     * generator offered, else "generator" (the gateway kept up: its peak is a lower bound, and so
     * is every ratio built on it).
     */
    private String boundBy(String path, int size) {
        Measurement saturation = find(path, size, "saturation");
        if (saturation == null || saturation.offered() == 0) {
            return "-";
        }
        return saturation.forwarded() < 0.95 * saturation.offered() ? "gateway" : "generator";
    }

    private Measurement find(String path, int size, String kind) {
        for (Measurement measurement : measurements) {
            if (measurement.path().equals(path) && measurement.innerBytes() == size && measurement.kind().equals(kind)) {
                return measurement;
            }
        }
        return null;
    }

    private double peakPps(String path, int size) {
        Measurement saturation = find(path, size, "saturation");
        Measurement peak = find(path, size, "peak");
        return Math.max(saturation == null ? 0 : saturation.forwardedPps(), peak == null ? 0 : peak.forwardedPps());
    }

    /** The window whose forwarded rate is the peak (its CPU per packet is the one reported). */
    private Measurement peakWindow(String path, int size) {
        Measurement saturation = find(path, size, "saturation");
        Measurement peak = find(path, size, "peak");
        if (saturation == null) {
            return peak;
        }
        return peak == null || saturation.forwardedPps() >= peak.forwardedPps() ? saturation : peak;
    }

    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        paths.add("kernel");
        paths.addAll(options.backends);
        for (int size : options.sizes) {
            double kernelPeak = peakPps("kernel", size);
            Measurement kernelWindow = peakWindow("kernel", size);
            for (String path : paths) {
                Measurement peakWindow = peakWindow(path, size);
                if (peakWindow == null) {
                    continue;
                }
                double peak = peakPps(path, size);
                Measurement overload = find(path, size, "overload");
                double overloadFraction = overload == null || peak == 0 ? Double.NaN : overload.forwardedPps() / peak;
                double ratio = kernelPeak == 0 ? Double.NaN : peak / kernelPeak;
                double cpu = peakWindow.cpuSecondsPerMillion();
                double cpuRatio = kernelWindow == null ? Double.NaN : cpu / kernelWindow.cpuSecondsPerMillion();
                StringBuilder goal = new StringBuilder();
                if (path.equals("af_xdp") || path.startsWith("udp")) {
                    double wanted = path.equals("af_xdp") ? AF_XDP_GOAL : UDP_GOAL;
                    goal.append(String.format(Locale.ROOT, "rate >= %.1fx kernel: %s", wanted, ratio >= wanted ? "met" : "not met"));
                    goal.append("; ");
                }
                double offeredFactor = overload == null || peak == 0 ? 0 : overload.offeredPps() / peak;
                goal.append(String.format(Locale.ROOT, "overload >= 80%%: %s",
                    offeredFactor < 1.5 ? String.format(Locale.ROOT, "not tested (generator offered only %.1fx peak)", offeredFactor)
                        : overloadFraction >= OVERLOAD_GOAL ? "met" : "not met"));
                rows.add(new Row(path, size, peak, ratio, cpu, cpuRatio, find(path, size, "half-load"),
                    find(path, size, "peak"), overload, overloadFraction, goal.toString(), boundBy(path, size)));
            }
        }
        return rows;
    }

    String markdown() {
        StringBuilder text = new StringBuilder();
        text.append("# End-to-end forwarding harness\n\n");
        text.append(String.format(Locale.ROOT, "Started %s; load average %s at start, %s at the end (2 CPUs).%n%n",
            started, startLoad, endLoad));
        text.append("| inner | gateway | peak fwd Mpps | limited by | vs kernel | CPU s/Mpkt | CPU vs kernel"
            + " | latency µs p50/p99/p99.9 at half load | at peak | overload: offered (x peak) -> fwd Mpps (of peak) | goals |\n");
        text.append("|---:|---|---:|---|---:|---:|---:|---|---|---|---|\n");
        for (Row row : rows()) {
            text.append(String.format(Locale.ROOT, "| %d B | %s | %.3f | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                row.size, row.path, row.peakPps / 1e6, row.boundBy, ratio(row.ratio), number(row.cpuPerMillion),
                ratio(row.cpuRatio), latency(row.half), latency(row.peak), overload(row), row.goal));
        }
        text.append("\n\"limited by generator\": the gateway forwarded >= 95 % of what the generator could offer in the"
            + " unpaced window, so its peak (and every ratio built on it) is a lower bound. An overload that offered less"
            + " than 2x the peak says so in its \"x peak\".\n");
        text.append("\nWindows (every measured window):\n\n```\n");
        for (Measurement measurement : measurements) {
            text.append(measurement.describe()).append('\n');
        }
        text.append("```\n\nNotes:\n\n");
        for (String note : notes) {
            text.append("- ").append(note).append('\n');
        }
        text.append("\nSettings:\n\n");
        for (Map.Entry<String, String> entry : options.describe().entrySet()) {
            text.append("- ").append(entry.getKey()).append(": ").append(entry.getValue()).append('\n');
        }
        text.append("\nKernel baseline nftables ruleset (gateway namespace):\n\n```\n").append(Topology.nftRuleset())
            .append("```\n\nSoftgate configuration (").append(String.join(", ", options.backends))
            .append("; the io section differs):\n\n```json\n")
            .append(SoftgateProcess.config(options.backends.isEmpty() ? "af_xdp" : options.backends.get(0),
                !options.backends.isEmpty() && options.busyPoll.contains(options.backends.get(0))))
            .append("```\n\n").append(COUNTING);
        return text.toString();
    }

    static final String COUNTING = """
        What is counted: forwarded = valid packets the sink received in the window (VNI 5900, inner
        source = the SNAT address, our magic word); offered = packets the generator put on its AF_XDP
        transmit ring. Latency = sink receive time - send time written into the payload (System.nanoTime
        in the same JVM), for the packets that arrived. Gateway CPU per million forwarded packets =
        (softgate JVM CPU time, all threads, from /proc/PID/stat + softirq time of both CPUs from /proc/stat)
        / forwarded packets; for the kernel the softirq time alone. Both include the softirq work of
        the generator's transmit and the sink's receive on the veth pair (the same for every gateway)
        and whatever softirq other processes on the machine caused; the traffic endpoint's own
        process time is shown apart (harness) and not counted.
        """;

    private static String ratio(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2fx", value);
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String latency(Measurement window) {
        if (window == null) {
            return "-";
        }
        return Measurement.micros(window.latencyMicros(50)) + "/" + Measurement.micros(window.latencyMicros(99)) + "/"
            + Measurement.micros(window.latencyMicros(99.9));
    }

    private static String overload(Row row) {
        if (row.overload == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.3f (%.1fx) -> %.3f (%.0f%%)", row.overload.offeredPps() / 1e6,
            row.overload.offeredPps() / row.peakPps, row.overload.forwardedPps() / 1e6, 100 * row.overloadFraction);
    }

    String json() {
        StringBuilder text = new StringBuilder("{\n  \"started\": \"").append(started).append("\",\n");
        text.append("  \"loadAverageStart\": \"").append(startLoad).append("\",\n");
        text.append("  \"loadAverageEnd\": \"").append(endLoad).append("\",\n  \"settings\": {");
        boolean first = true;
        for (Map.Entry<String, String> entry : options.describe().entrySet()) {
            text.append(first ? "" : ", ").append('"').append(entry.getKey()).append("\": \"")
                .append(entry.getValue().replace("\"", "'")).append('"');
            first = false;
        }
        text.append("},\n  \"summary\": [\n");
        List<Row> rows = rows();
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            text.append(String.format(Locale.ROOT, "    {\"innerBytes\": %d, \"gateway\": \"%s\", \"peakForwardedPps\": %.0f,"
                    + " \"ratioToKernel\": %s, \"cpuSecondsPerMillion\": %s, \"cpuRatioToKernel\": %s,"
                    + " \"overloadOfferedPps\": %s, \"overloadForwardedPps\": %s, \"overloadFractionOfPeak\": %s, \"goals\": \"%s\","
                    + " \"limitedBy\": \"%s\"}%s%n",
                row.size, row.path, row.peakPps, Measurement.json(row.ratio), Measurement.json(row.cpuPerMillion),
                Measurement.json(row.cpuRatio), row.overload == null ? "null" : Measurement.json(row.overload.offeredPps()),
                row.overload == null ? "null" : Measurement.json(row.overload.forwardedPps()),
                Measurement.json(row.overloadFraction), row.goal, row.boundBy, i + 1 < rows.size() ? "," : ""));
        }
        text.append("  ],\n  \"windows\": [\n");
        for (int i = 0; i < measurements.size(); i++) {
            text.append("    ").append(measurements.get(i).toJson()).append(i + 1 < measurements.size() ? ",\n" : "\n");
        }
        text.append("  ],\n  \"notes\": [");
        for (int i = 0; i < notes.size(); i++) {
            text.append(i == 0 ? "" : ", ").append('"').append(notes.get(i).replace("\\", "\\\\").replace("\"", "'"))
                .append('"');
        }
        return text.append("]\n}\n").toString();
    }

    void print(PrintStream out) {
        out.println();
        out.println(markdown());
    }

    void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("summary.md"), markdown());
        Files.writeString(directory.resolve("summary.json"), json());
    }
}
