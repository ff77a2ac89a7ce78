package io.softgate.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GcChoiceTest {
    private static Map<String, Object> probe(String flag, double p999, double p9999, double rate) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("flag", flag);
        row.put("p999Ns", p999);
        row.put("p9999Ns", p9999);
        row.put("packetsPerSecond", rate);
        return row;
    }

    @Test
    void shouldChooseTheLowestP999() {
        List<Map<String, Object>> rows = List.of(probe("-XX:+UseG1GC", 90_000, 200_000, 5e6),
            probe("-XX:+UseParallelGC", 50_000, 900_000, 5e6), probe("-XX:+UseZGC", 70_000, 100_000, 5e6));

        assertEquals("-XX:+UseParallelGC", GcChoice.choose(rows).get("flag"));
    }

    @Test
    void shouldBreakNearTiesOnP9999() {
        List<Map<String, Object>> rows = List.of(probe("-XX:+UseG1GC", 50_000, 200_000, 5e6),
            probe("-XX:+UseZGC", 52_000, 100_000, 5e6));

        assertEquals("-XX:+UseZGC", GcChoice.choose(rows).get("flag"));
    }

    @Test
    void shouldSkipCollectorsThatFailedToRun() {
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put("flag", "-XX:+UseShenandoahGC");
        failed.put("missing", "probe failed");

        assertEquals("-XX:+UseG1GC",
            GcChoice.choose(List.of(failed, probe("-XX:+UseG1GC", 80_000, 90_000, 1e6))).get("flag"));
    }
}
