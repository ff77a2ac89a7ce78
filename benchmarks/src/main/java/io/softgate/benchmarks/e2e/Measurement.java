package io.softgate.benchmarks.e2e;

import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One measured window of one run: what was offered and forwarded, the latency percentiles of the
 * packets that arrived in the window, and the CPU it took.
 *
 * <p>CPU counted per million forwarded packets: the softgate process's CPU time (all its threads,
 * user and system, from /proc/PID/stat) plus the softirq time of both CPUs (/proc/stat); for the kernel
 * baseline the softirq time alone (its whole job runs in softirq). Both include the softirq work
 * the generator's transmit and the sink's receive cause on the veth (the same in every run); the
 * generator/sink thread's own process time is reported apart and not counted.
 *
 * <p>Threading: immutable.
 *
 * @param path "kernel", "af_xdp", "udp", "udp-separate" or "tun"
 * @param innerBytes inner frame size, Ethernet header included
 * @param kind "mol" (unpaced: the maximum offered load), "sweep" (a paced step of the search for
 *     the maximum forwarding rate), "half-load" or "overload" (see {@link LoadSweep})
 * @param targetPps the intended load asked of the generator (paced), 0 = unpaced
 * @param softgateSystemCpuSeconds the part of {@code softgateCpuSeconds} spent in the kernel (system calls)
 * @param compilerCpuSeconds the part of {@code softgateCpuSeconds} spent by its JIT compiler threads
 * @param drops the loss counters that moved around the window ({@link DropCounters}), by name
 */
record Measurement(String path, int innerBytes, String kind, double targetPps, double seconds, long offered,
                   long forwarded, long wrong, Histogram latencyNs, double softgateCpuSeconds,
                   double softgateSystemCpuSeconds, double compilerCpuSeconds, double[] softirqSeconds, double[] busySeconds, double harnessCpuSeconds, String loadAverage,
                   Map<String, Long> drops) {

    double offeredPps() {
        return offered / seconds;
    }

    double forwardedPps() {
        return forwarded / seconds;
    }

    double softirqTotalSeconds() {
        double total = 0;
        for (double value : softirqSeconds) {
            total += value;
        }
        return total;
    }

    /** Gateway CPU seconds per million forwarded packets (see the class comment for what is counted). */
    double cpuSecondsPerMillion() {
        return forwarded == 0 ? Double.NaN : (softgateCpuSeconds + softirqTotalSeconds()) / (forwarded / 1e6);
    }

    double latencyMicros(double percentile) {
        return latencyNs.getTotalCount() == 0 ? Double.NaN : latencyNs.getValueAtPercentile(percentile) / 1e3;
    }

    double maxLatencyMicros() {
        return latencyNs.getTotalCount() == 0 ? Double.NaN : latencyNs.getMaxValue() / 1e3;
    }

    String describe() {
        return String.format(Locale.ROOT,
            "%-7s %5d B %-9s target %8s offered %7.3f Mpps forwarded %7.3f Mpps (%5.1f%%) wrong %d | latency us p50 %s p99 %s"
                + " p99.9 %s max %s | gateway CPU %.3f s/Mpkt (process %.2f s = %.2f µs/pkt, %.0f%% sys, JIT %.2f s; softirq %s s) | harness %.2f s | busy %s s | load %s"
                + " | drops %s",
            path, innerBytes, kind, targetPps <= 0 ? "unpaced" : String.format(Locale.ROOT, "%.3fM", targetPps / 1e6),
            offeredPps() / 1e6, forwardedPps() / 1e6, offered == 0 ? 0.0 : 100.0 * forwarded / offered, wrong,
            micros(latencyMicros(50)), micros(latencyMicros(99)), micros(latencyMicros(99.9)), micros(maxLatencyMicros()),
            cpuSecondsPerMillion(), softgateCpuSeconds, forwarded == 0 ? 0.0 : softgateCpuSeconds * 1e6 / forwarded,
            softgateCpuSeconds == 0 ? 0.0 : 100 * softgateSystemCpuSeconds / softgateCpuSeconds, compilerCpuSeconds,
            perCpu(softirqSeconds),
            harnessCpuSeconds, perCpu(busySeconds),
            loadAverage, drops.isEmpty() ? "none" : drops.toString().replace(", ", " ").replace("{", "").replace("}", ""));
    }

    static String micros(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.0f", value);
    }

    static String perCpu(double[] values) {
        StringBuilder text = new StringBuilder();
        for (double value : values) {
            text.append(text.length() == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.2f", value));
        }
        return text.toString();
    }

    String toJson() {
        return String.format(Locale.ROOT,
            "{\"path\": \"%s\", \"innerBytes\": %d, \"kind\": \"%s\", \"targetPps\": %.0f, \"seconds\": %.3f, \"offeredPps\": %.0f,"
                + " \"forwardedPps\": %.0f, \"wrongPackets\": %d, \"latencyMicros\": {\"p50\": %s, \"p90\": %s, \"p99\": %s,"
                + " \"p99_9\": %s, \"max\": %s, \"count\": %d}, \"gatewayCpuSecondsPerMillion\": %s, \"softgateProcessCpuSeconds\": %.3f, \"softgateSystemCpuSeconds\": %.3f, \"compilerCpuSeconds\": %.3f,"
                + " \"softirqSecondsPerCpu\": %s, \"busySecondsPerCpu\": %s, \"harnessCpuSeconds\": %.3f, \"loadAverage\": \"%s\","
                + " \"drops\": %s}",
            path, innerBytes, kind, targetPps, seconds, offeredPps(), forwardedPps(), wrong, json(latencyMicros(50)),
            json(latencyMicros(90)), json(latencyMicros(99)), json(latencyMicros(99.9)), json(maxLatencyMicros()),
            latencyNs.getTotalCount(), json(cpuSecondsPerMillion()), softgateCpuSeconds, softgateSystemCpuSeconds,
            compilerCpuSeconds, array(softirqSeconds),
            array(busySeconds), harnessCpuSeconds, loadAverage, dropsJson());
    }

    private String dropsJson() {
        StringBuilder text = new StringBuilder("{");
        for (Map.Entry<String, Long> entry : drops.entrySet()) {
            text.append(text.length() == 1 ? "" : ", ").append('"').append(entry.getKey()).append("\": ")
                .append(entry.getValue());
        }
        return text.append('}').toString();
    }

    static String json(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "null" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String array(double[] values) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            text.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", values[i]));
        }
        return text.append(']').toString();
    }
}
