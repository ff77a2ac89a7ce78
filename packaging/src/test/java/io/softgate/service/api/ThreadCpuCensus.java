package io.softgate.service.api;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of every native thread of this JVM (Java threads, JIT compiler threads, GC threads) from
 * Linux's {@code /proc/self/task/<tid>/stat}, so a benchmark can say which threads the wall time
 * of an apply went to ({@code ThreadMXBean} sees neither compiler nor GC threads). Ticks are
 * {@code USER_HZ} = 100 per second on Linux, so each figure is good to 10 ms.
 *
 * <p>Threading: a value object; {@link #take} reads /proc on the calling thread.
 */
final class ThreadCpuCensus {
    private static final long NS_PER_TICK = 10_000_000L;
    private final Map<Long, Entry> threads;

    private record Entry(String name, long cpuNs) {
    }

    private ThreadCpuCensus(Map<Long, Entry> threads) {
        this.threads = threads;
    }

    /** The CPU time of every thread now; empty where /proc is not there. */
    static ThreadCpuCensus take() {
        Map<Long, Entry> threads = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return new ThreadCpuCensus(threads);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tasks)) {
            for (Path task : entries) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // comm is in parentheses and may hold spaces: fields after the last ')' are fixed.
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String[] fields = stat.substring(close + 2).split(" ");
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    threads.put(Long.parseLong(task.getFileName().toString()), new Entry(stat.substring(open + 1, close), ticks * NS_PER_TICK));
                } catch (IOException | RuntimeException e) {
                    // The thread ended between the listing and the read.
                }
            }
        } catch (IOException e) {
            // No census: an empty one.
        }
        return new ThreadCpuCensus(threads);
    }

    /**
     * CPU time spent since {@code before}, summed by thread kind (trailing digits and {@code #n}
     * stripped, so the JIT's and GC's worker threads add up), largest first, kinds under 10 ms left out.
     */
    String since(ThreadCpuCensus before) {
        Map<String, Long> byKind = new TreeMap<>();
        for (Map.Entry<Long, Entry> thread : threads.entrySet()) {
            Entry earlier = before.threads.get(thread.getKey());
            long spent = thread.getValue().cpuNs() - (earlier == null ? 0 : earlier.cpuNs());
            String kind = thread.getValue().name().replaceAll("#?[0-9]+$", "").replaceAll("-[0-9]+-[0-9]+$", "").strip();
            byKind.merge(kind, spent, Long::sum);
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(byKind.entrySet());
        sorted.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Long> kind : sorted) {
            if (kind.getValue() >= NS_PER_TICK) {
                text.append(text.length() == 0 ? "" : ", ").append(kind.getKey()).append(' ').append(kind.getValue() / 1_000_000).append(" ms");
            }
        }
        return text.toString();
    }
}
