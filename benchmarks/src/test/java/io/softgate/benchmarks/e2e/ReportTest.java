package io.softgate.benchmarks.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static Measurement window(String path, String kind, long offered, long forwarded) {
        Histogram latency = new Histogram(3);
        latency.recordValue(50_000);
        return new Measurement(path, 64, kind, 0, 1.0, offered, forwarded, 0, latency, 0.5, new double[] {0.1, 0.2},
            new double[] {1, 1}, 0.3, "0.1 0.1 0.1");
    }

    private static String report(List<Measurement> windows) {
        ForwardingHarness.Options options = ForwardingHarness.Options.parse(
            new String[] {"--backends", "af_xdp", "--sizes", "64", "--prefix", "t"});
        return new Report(windows, new ArrayList<>(), options, Instant.EPOCH, "0 0 0", "0 0 0").markdown();
    }

    @Test
    void shouldReportTheRateRatioAndJudgeTheOverloadAgainstThePeak() {
        String text = report(List.of(
            window("kernel", "saturation", 1_000_000, 500_000), window("kernel", "overload", 1_000_000, 500_000),
            window("af_xdp", "saturation", 1_000_000, 700_000), window("af_xdp", "overload", 1_400_000, 500_000)));

        assertTrue(text.contains("| 64 B | af_xdp | 0.700 | gateway | 1.40x |"), text);
        assertTrue(text.contains("rate >= 1.3x kernel: met; overload >= 80%: not met"), text);
    }

    @Test
    void shouldSayAnOverloadTheGeneratorCouldNotOfferWasNotTested() {
        String text = report(List.of(
            window("kernel", "saturation", 1_000_000, 990_000), window("kernel", "overload", 1_000_000, 990_000)));

        assertTrue(text.contains("| 64 B | kernel | 0.990 | generator |"), text);
        assertTrue(text.contains("overload >= 80%: not tested (generator offered only 1.0x peak)"), text);
    }
}
