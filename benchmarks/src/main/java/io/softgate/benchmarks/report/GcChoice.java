package io.softgate.benchmarks.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Picks the collector for the service from the probes: the lowest per-batch p99.9 latency; when
 * two are within 10 % of each other (noise on a shared box), the one with the lower p99.99, then
 * the higher throughput. Also states the flags the service launcher should set.
 *
 * <p>Threading: stateless.
 */
final class GcChoice {
    private GcChoice() {
    }

    static Map<String, Object> choose(List<Map<String, Object>> results) {
        Map<String, Object> best = null;
        for (Map<String, Object> row : results) {
            if (row.containsKey("missing") || !(row.get("p999Ns") instanceof Number)) {
                continue;
            }
            if (best == null || better(row, best)) {
                best = row;
            }
        }
        Map<String, Object> choice = new LinkedHashMap<>();
        if (best == null) {
            choice.put("flag", null);
            choice.put("reason", "no collector measured");
            return choice;
        }
        choice.put("flag", best.get("flag"));
        choice.put("reason", "lowest per-batch p99.9 (ties within 10 % broken by p99.99, then throughput)");
        choice.put("serviceJvmFlags", best.get("flag") + " -Xms<heap> -Xmx<same heap> -XX:+AlwaysPreTouch"
            + " -XX:MaxDirectMemorySize=<flow tables + frames + 25 %>");
        return choice;
    }

    private static boolean better(Map<String, Object> candidate, Map<String, Object> best) {
        double p999 = number(candidate, "p999Ns");
        double bestP999 = number(best, "p999Ns");
        if (p999 < bestP999 * 0.9) {
            return true;
        }
        if (bestP999 < p999 * 0.9) {
            return false;
        }
        double p9999 = number(candidate, "p9999Ns");
        double bestP9999 = number(best, "p9999Ns");
        if (p9999 != bestP9999) {
            return p9999 < bestP9999;
        }
        return number(candidate, "packetsPerSecond") > number(best, "packetsPerSecond");
    }

    private static double number(Map<String, Object> row, String key) {
        Object value = row.get(key);
        return value instanceof Number number ? number.doubleValue() : Double.NaN;
    }
}
