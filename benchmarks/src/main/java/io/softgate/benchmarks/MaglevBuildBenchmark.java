package io.softgate.benchmarks;

import io.softgate.lb.maglev.MaglevTable;
import io.softgate.lb.maglev.MaglevTableBuilder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Time to build one Maglev table in the control plane: 1000 backends (equal weights, or weights
 * 1..10), M = 65537. Goal (issue 5): under 10 ms. {@code buildCompact} is the form the compiler
 * publishes (16-bit positions); {@code -p backends=2} is the per-service case of the API apply
 * benchmark (1,000 services of two backends). {@link #main} prints thread CPU time per build
 * (best of several passes), which the shared build machine does not distort as it does wall time.
 *
 * <p>Threading: JMH state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MaglevBuildBenchmark {
    @Param({"1000"})
    public int backends;

    @Param({"65537"})
    public int tableSize;

    @Param({"equal", "mixed"})
    public String weights;

    private MaglevTableBuilder builder;

    @Setup
    public void setUp() {
        builder = new MaglevTableBuilder(tableSize);
        for (int i = 0; i < backends; i++) {
            builder.add("10." + (i >> 8 & 0xFF) + "." + (i & 0xFF) + ".1:8080", weights.equals("equal") ? 1 : 1 + i % 10);
        }
    }

    @Benchmark
    public MaglevTable build() {
        return builder.build();
    }

    @Benchmark
    public char[] buildCompact() {
        return builder.buildCompact();
    }

    /** Thread CPU time per {@code buildCompact}, best of 5 passes: {@code [backends] [builds per pass]}. */
    public static void main(String[] args) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (String weights : new String[] {"equal", "mixed"}) {
            MaglevBuildBenchmark state = new MaglevBuildBenchmark();
            state.backends = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
            state.tableSize = MaglevTableBuilder.DEFAULT_TABLE_SIZE;
            state.weights = weights;
            state.setUp();
            int builds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
            long best = Long.MAX_VALUE;
            long sink = 0;
            for (int pass = 0; pass < 5; pass++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < builds; i++) {
                    sink += state.buildCompact()[i];
                }
                best = Math.min(best, threads.getCurrentThreadCpuTime() - start);
            }
            System.out.printf("backends %d, %s weights, M %d: %.3f ms CPU per build (best of 5 x %d) [%d]%n",
                state.backends, weights, state.tableSize, best / 1e6 / builds, builds, sink);
        }
    }
}
