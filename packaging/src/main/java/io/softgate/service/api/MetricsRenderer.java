package io.softgate.service.api;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): one {@code # HELP} and
 * {@code # TYPE} per family, label values escaped (backslash, double quote, newline), one sample
 * per line.
 *
 * <p>Threading: confined to the thread rendering one scrape.
 */
public final class MetricsRenderer {
    static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999, 1.0};
    private final StringBuilder text = new StringBuilder(4096);

    /** Every data-plane counter (summed over workers) as {@code softgate_counter_total{name="..."}}. */
    public MetricsRenderer counters(Map<String, Long> totals) {
        family("softgate_counter_total", "counter", "Data-plane counters summed over workers, by counter name (drops are <stage>.drop.<reason>)");
        for (Map.Entry<String, Long> entry : new TreeMap<>(totals).entrySet()) {
            text.append("softgate_counter_total{name=\"").append(escape(entry.getKey())).append("\"} ")
                .append(entry.getValue()).append('\n');
        }
        return this;
    }

    public MetricsRenderer gauge(String name, String help, double value) {
        family(name, "gauge", help);
        text.append(name).append(' ').append(format(value)).append('\n');
        return this;
    }

    public MetricsRenderer labelledGauges(String name, String help, String label, Map<String, ? extends Number> values) {
        family(name, "gauge", help);
        for (Map.Entry<String, ? extends Number> entry : new TreeMap<>(values).entrySet()) {
            text.append(name).append('{').append(label).append("=\"").append(escape(entry.getKey())).append("\"} ")
                .append(format(entry.getValue().doubleValue())).append('\n');
        }
        return this;
    }

    /** A summary in seconds from a nanosecond histogram: quantiles, {@code _sum}, {@code _count}. */
    public MetricsRenderer latencySummary(String name, String help, Histogram nanoseconds) {
        family(name, "summary", help);
        long count = nanoseconds.getTotalCount();
        for (double quantile : QUANTILES) {
            double value = count == 0 ? Double.NaN : nanoseconds.getValueAtPercentile(quantile * 100.0) / 1e9;
            text.append(name).append("{quantile=\"").append(format(quantile)).append("\"} ").append(format(value)).append('\n');
        }
        double sumSeconds = count == 0 ? 0 : nanoseconds.getMean() * count / 1e9;
        text.append(name).append("_sum ").append(format(sumSeconds)).append('\n');
        text.append(name).append("_count ").append(count).append('\n');
        return this;
    }

    private void family(String name, String type, String help) {
        text.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    public String render() {
        return text.toString();
    }
}
