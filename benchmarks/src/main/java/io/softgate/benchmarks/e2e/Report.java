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
 * The harness's summary: one row per gateway and inner size (maximum forwarding rate, the window
 * and offered loads it came from, its ratio to the kernel's, CPU per million packets at the MFR
 * and its ratio, latency at half the MFR and at the MFR, the overload result against the goals of
 * issue 8), printed and written as {@code summary.md} and {@code summary.json} (with every window)
 * under the output directory. Method: {@link LoadSweep}.
 *
 * <p>Threading: built and used by the main thread.
 */
final class Report {
    private static final double AF_XDP_GOAL = 1.3;
    private static final double UDP_GOAL = 0.6;
    private static final double OVERLOAD_GOAL = 0.8;
    /** Forwarded / offered below this in some window of the sweep: the gateway, not the generator, was the limit. */
    private static final double LOST = 0.95;

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
    private record Row(String path, int size, double mfrPps, Measurement mfrWindow, List<Measurement> sweep,
                       double ratio, double cpuPerMillion, double cpuRatio, Measurement half, Measurement overload,
                       double overloadFraction, String goal, String limitedBy) {
    }

    private Measurement find(String path, int size, String kind) {
        for (Measurement measurement : measurements) {
            if (measurement.path().equals(path) && measurement.innerBytes() == size && measurement.kind().equals(kind)) {
                return measurement;
            }
        }
        return null;
    }

    /** The MOL window and every paced step of the search, in the order measured. */
    private List<Measurement> sweep(String path, int size) {
        List<Measurement> sweep = new ArrayList<>();
        for (Measurement measurement : measurements) {
            if (measurement.path().equals(path) && measurement.innerBytes() == size
                && (measurement.kind().equals("mol") || measurement.kind().equals("sweep"))) {
                sweep.add(measurement);
            }
        }
        return sweep;
    }

    /** RFC 2285 §3.6.3: the window of the sweep with the highest forwarding rate. */
    private static Measurement mfrWindow(List<Measurement> sweep) {
        Measurement best = null;
        for (Measurement measurement : sweep) {
            if (best == null || measurement.forwardedPps() > best.forwardedPps()) {
                best = measurement;
            }
        }
        return best;
    }

    /**
     * "gateway" when it lost >= 5 % of what it was offered at some load of the sweep (it was driven
     * past what it forwards), else "generator" (it forwarded everything at every load the generator
     * could offer: its MFR is a lower bound, and so is every ratio that has it in the numerator).
     */
    private static String limitedBy(List<Measurement> sweep) {
        for (Measurement measurement : sweep) {
            if (measurement.offered() > 0 && measurement.forwarded() < LOST * measurement.offered()) {
                return "gateway";
            }
        }
        return "generator";
    }

    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        paths.add("kernel");
        paths.addAll(options.backends);
        for (int size : options.sizes) {
            Measurement kernelWindow = mfrWindow(sweep("kernel", size));
            double kernelMfr = kernelWindow == null ? 0 : kernelWindow.forwardedPps();
            for (String path : paths) {
                List<Measurement> sweep = sweep(path, size);
                Measurement best = mfrWindow(sweep);
                if (best == null) {
                    continue;
                }
                double mfr = best.forwardedPps();
                Measurement overload = find(path, size, "overload");
                double overloadFraction = overload == null || mfr == 0 ? Double.NaN : overload.forwardedPps() / mfr;
                double ratio = kernelMfr == 0 ? Double.NaN : mfr / kernelMfr;
                double cpu = best.cpuSecondsPerMillion();
                double cpuRatio = kernelWindow == null ? Double.NaN : cpu / kernelWindow.cpuSecondsPerMillion();
                StringBuilder goal = new StringBuilder();
                if (path.equals("af_xdp") || path.startsWith("udp")) {
                    double wanted = path.equals("af_xdp") ? AF_XDP_GOAL : UDP_GOAL;
                    goal.append(String.format(Locale.ROOT, "MFR >= %.1fx kernel: %s", wanted, ratio >= wanted ? "met" : "not met"));
                    goal.append("; ");
                }
                double offeredFactor = overload == null || mfr == 0 ? 0 : overload.offeredPps() / mfr;
                goal.append(String.format(Locale.ROOT, "overload >= 80%%: %s",
                    offeredFactor < 1.5 ? String.format(Locale.ROOT, "not tested (generator offered only %.1fx MFR)", offeredFactor)
                        : overloadFraction >= OVERLOAD_GOAL ? "met" : "not met"));
                rows.add(new Row(path, size, mfr, best, sweep, ratio, cpu, cpuRatio, find(path, size, "half-load"),
                    overload, overloadFraction, goal.toString(), limitedBy(sweep)));
            }
        }
        return rows;
    }

    /** "MOL 0.627→0.107, 0.107→0.107, **0.241→0.201**": offered → forwarded Mpps per window, the MFR's in bold. */
    private static String sweepText(Row row) {
        StringBuilder text = new StringBuilder();
        for (Measurement window : row.sweep) {
            String step = String.format(Locale.ROOT, "%s%.3f→%.3f", window.kind().equals("mol") ? "MOL " : "",
                window.offeredPps() / 1e6, window.forwardedPps() / 1e6);
            text.append(text.length() == 0 ? "" : ", ").append(window == row.mfrWindow ? "**" + step + "**" : step);
        }
        return text.toString();
    }

    private static String mfrFrom(Measurement window) {
        return window.kind().equals("mol") ? "MOL (unpaced)"
            : String.format(Locale.ROOT, "paced %.3f", window.targetPps() / 1e6);
    }

    String markdown() {
        StringBuilder text = new StringBuilder();
        text.append("# End-to-end forwarding harness\n\n");
        text.append(String.format(Locale.ROOT, "Started %s; load average %s at start, %s at the end (2 CPUs).%n%n",
            started, startLoad, endLoad));
        text.append("| inner | gateway | MFR Mpps | MFR from (intended Mpps) | sweep: offered→forwarded Mpps | limited by"
            + " | MFR vs kernel | CPU s/Mpkt at MFR | CPU vs kernel | latency µs p50/p99/p99.9 at MFR/2 | at MFR"
            + " | overload 2x MFR: offered (x MFR) → fwd Mpps (of MFR) | goals |\n");
        text.append("|---:|---|---:|---|---|---|---:|---:|---:|---|---|---|---|\n");
        List<Row> rows = rows();
        for (Row row : rows) {
            text.append(String.format(Locale.ROOT, "| %d B | %s | %.3f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                row.size, row.path, row.mfrPps / 1e6, mfrFrom(row.mfrWindow), sweepText(row), row.limitedBy,
                ratio(row.ratio), number(row.cpuPerMillion), ratio(row.cpuRatio), latency(row.half),
                latency(row.mfrWindow), overload(row), row.goal));
        }
        text.append("\n").append(METHOD);
        text.append("\nLosses at the maximum offered load (kernel and socket drop counters that moved in the MOL window,"
            + " packets):\n\n");
        for (Row row : rows) {
            Measurement mol = row.sweep.get(0);
            text.append(String.format(Locale.ROOT, "- %s %d B: %s%n", row.path, row.size,
                mol.drops().isEmpty() ? "none" : mol.drops().toString().replace("{", "").replace("}", "")));
        }
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

    static final String METHOD = """
        Method (the same for every gateway, the kernel included): MFR = maximum forwarding rate, RFC 2285
        §3.6.3: the highest forwarding rate over a sweep of offered loads. The sweep starts with the
        unpaced window (MOL, maximum offered load, §3.5.3; its forwarding rate is the FR at MOL, §3.6.2),
        then paced steps: first at the FR at MOL (1.5x it if the gateway forwarded all it was offered), then
        x1.5 while the gateway forwards >= 97 % of the offered load, x1.25 while it loses packets but its
        forwarding rate still grows >= 2 %, stopping when the rate stops growing, the generator cannot
        deliver 95 % of the intended load, or after 6 steps. Bold: the window that gave the MFR. "limited by
        generator": the gateway lost < 5 % at every load the generator could offer, so its MFR is a lower
        bound (a ratio over a generator-limited kernel row may overstate the other gateway). Half-load latency is
        measured paced at MFR/2; the overload test offers 2x MFR (RFC 2285 §3.5.4) and reads "not tested" when
        the generator delivered < 1.5x MFR.
        """;

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
            row.overload.offeredPps() / row.mfrPps, row.overload.forwardedPps() / 1e6, 100 * row.overloadFraction);
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
            text.append(String.format(Locale.ROOT, "    {\"innerBytes\": %d, \"gateway\": \"%s\", \"maximumForwardingRatePps\": %.0f,"
                    + " \"mfrWindow\": \"%s\", \"sweep\": \"%s\","
                    + " \"ratioToKernel\": %s, \"cpuSecondsPerMillion\": %s, \"cpuRatioToKernel\": %s,"
                    + " \"overloadOfferedPps\": %s, \"overloadForwardedPps\": %s, \"overloadFractionOfMfr\": %s, \"goals\": \"%s\","
                    + " \"limitedBy\": \"%s\"}%s%n",
                row.size, row.path, row.mfrPps, mfrFrom(row.mfrWindow), sweepText(row).replace("*", ""), Measurement.json(row.ratio), Measurement.json(row.cpuPerMillion),
                Measurement.json(row.cpuRatio), row.overload == null ? "null" : Measurement.json(row.overload.offeredPps()),
                row.overload == null ? "null" : Measurement.json(row.overload.forwardedPps()),
                Measurement.json(row.overloadFraction), row.goal, row.limitedBy, i + 1 < rows.size() ? "," : ""));
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
