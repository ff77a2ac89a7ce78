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
 * 1..10), M = 65537. Goal (issue 5): under 10 ms.
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
}
