package io.softgate.service.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples the memory of a running softgate JVM by its PID: resident set size and open file
 * descriptors from /proc, the Java heap (used and committed) from {@code jcmd GC.heap_info}, and
 * the committed total of Native Memory Tracking from {@code jcmd VM.native_memory summary} (when
 * the JVM was started with {@code -XX:NativeMemoryTracking=summary}; otherwise -1).
 *
 * <p>Threading: confined to the test thread.
 */
final class FloodMemorySampler {
    private static final Pattern HEAP_TOTAL_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");
    /** Shenandoah's one line ({@code 262144K max, 262144K soft max, 262144K committed, 60584K used}). */
    private static final Pattern SHENANDOAH_COMMITTED_USED = Pattern.compile("(\\d+)([KMG]) committed, (\\d+)([KMG]) used");
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");

    /** One sample; sizes in KiB, -1 when not known. */
    record Sample(String label, long rssKib, long heapUsedKib, long heapCommittedKib, long nmtCommittedKib, int fds) {
        @Override
        public String toString() {
            return "%-14s rss=%d KiB heapUsed=%d KiB heapCommitted=%d KiB nmtCommitted=%d KiB fds=%d"
                .formatted(label, rssKib, heapUsedKib, heapCommittedKib, nmtCommittedKib, fds);
        }
    }

    private final long pid;
    private final List<Sample> samples = new ArrayList<>();

    FloodMemorySampler(long pid) {
        this.pid = pid;
    }

    Sample sample(String label) throws IOException {
        long rss = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        int fds;
        try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = (int) list.count();
        }
        long heapUsed = -1;
        long heapCommitted = -1;
        Commands.Result heap = Commands.run(List.of("jcmd", Long.toString(pid), "GC.heap_info"), Duration.ofSeconds(60));
        if (heap.ok()) {
            heapUsed = 0;
            heapCommitted = 0;
            for (String line : heap.output().lines().toList()) {
                // The generations or regions of the collector; Metaspace and class space are not heap.
                if (line.contains("Metaspace") || line.contains("class space")) {
                    continue;
                }
                Matcher m = HEAP_TOTAL_USED.matcher(line);
                Matcher shenandoah = SHENANDOAH_COMMITTED_USED.matcher(line);
                if (m.find() && !line.startsWith("   ")) {
                    heapCommitted += Long.parseLong(m.group(1));
                    heapUsed += Long.parseLong(m.group(2));
                } else if (shenandoah.find()) {
                    heapCommitted += kib(shenandoah.group(1), shenandoah.group(2));
                    heapUsed += kib(shenandoah.group(3), shenandoah.group(4));
                }
            }
        }
        long nmt = -1;
        Commands.Result native_ = Commands.run(List.of("jcmd", Long.toString(pid), "VM.native_memory", "summary"),
            Duration.ofSeconds(60));
        Matcher m = NMT_TOTAL.matcher(native_.output());
        if (native_.ok() && m.find()) {
            nmt = Long.parseLong(m.group(2));
        }
        Sample sample = new Sample(label, rss, heapUsed, heapCommitted, nmt, fds);
        samples.add(sample);
        System.out.println("[flood memory] " + sample);
        return sample;
    }

    private static long kib(String value, String unit) {
        long amount = Long.parseLong(value);
        return switch (unit) {
            case "G" -> amount * 1024 * 1024;
            case "M" -> amount * 1024;
            default -> amount;
        };
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }
}
