package io.softgate.benchmarks.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static Measurement window(String path, String kind, double targetPps, long offered, long forwarded) {
        Histogram latency = new Histogram(3);
        latency.recordValue(50_000);
        return new Measurement(path, 64, kind, targetPps, 1.0, offered, forwarded, 0, latency, 0.5, 0.2, 0.0, new double[] {0.1, 0.2},
            new double[] {1, 1}, 0.3, "0.1 0.1 0.1", Map.of());
    }

    private static String report(List<Measurement> windows) {
        ForwardingHarness.Options options = ForwardingHarness.Options.parse(
            new String[] {"--backends", "af_xdp", "--sizes", "64", "--prefix", "t"});
        return new Report(windows, new ArrayList<>(), options, Instant.EPOCH, "0 0 0", "0 0 0").markdown();
    }

    @Test
    void shouldTakeTheHighestForwardingRateOfTheSweepAsTheMfrEvenWhenAPacedStepBeatsTheUnpacedWindow() {
        String text = report(List.of(
            window("kernel", "mol", 0, 1_000_000, 500_000), window("kernel", "sweep", 500_000, 500_000, 500_000),
            window("af_xdp", "mol", 0, 2_000_000, 350_000), window("af_xdp", "sweep", 350_000, 350_000, 350_000),
            window("af_xdp", "sweep", 525_000, 525_000, 700_000 - 1), window("af_xdp", "sweep", 656_000, 656_000, 600_000),
            window("af_xdp", "overload", 1_400_000, 1_400_000, 500_000)));

        assertTrue(text.contains("| 64 B | af_xdp | 0.700 | paced 0.525 | MOL 2.000→0.350, 0.350→0.350, **0.525→0.700**,"
            + " 0.656→0.600 | gateway | 1.40x |"), text);
        assertTrue(text.contains("MFR >= 1.3x kernel: met; overload >= 80%: not met"), text);
    }

    @Test
    void shouldSayTheGatewayWasGeneratorLimitedWhenItForwardedEverythingAtEveryLoad() {
        String text = report(List.of(
            window("kernel", "mol", 0, 1_000_000, 990_000), window("kernel", "overload", 1_000_000, 1_000_000, 990_000)));

        assertTrue(text.contains("| 64 B | kernel | 0.990 | MOL (unpaced) | **MOL 1.000→0.990** | generator |"), text);
        assertTrue(text.contains("overload >= 80%: not tested (generator offered only 1.0x MFR)"), text);
    }
}
