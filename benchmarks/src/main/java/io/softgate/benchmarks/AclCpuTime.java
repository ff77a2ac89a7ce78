package io.softgate.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link AclBenchmark#classify} and {@link AclBenchmark#compile} timed in thread CPU time (time
 * the thread waits for a core does not count), best of many passes: the figure to compare on a
 * shared machine, beside the JMH score. Run one rule count per JVM (as JMH forks):
 * {@code java -cp benchmarks/target/benchmarks.jar io.softgate.benchmarks.AclCpuTime 1000 100000}
 * = 1,000 passes over the 4,096 packets at 100,000 rules. {@code -Dacl.profile=shared} runs
 * {@link AclBenchmark#profile} {@code shared} (the code compiled for every rule count).
 *
 * <p>Threading: runs on the calling thread.
 */
public final class AclCpuTime {
    private static final int WARMUP_PASSES = 300;
    private static final int COMPILES = 5;

    private AclCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        int passes = Integer.parseInt(args[0]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Blackhole blackhole = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        for (int a = 1; a < args.length; a++) {
            AclBenchmark benchmark = new AclBenchmark();
            benchmark.ruleCount = Integer.parseInt(args[a]);
            benchmark.profile = System.getProperty("acl.profile", "isolated");
            benchmark.setUp();
            for (int i = 0; i < WARMUP_PASSES; i++) {
                benchmark.classify(blackhole);
            }
            long bestNs = Long.MAX_VALUE;
            for (int i = 0; i < passes; i++) {
                long startNs = threads.getCurrentThreadCpuTime();
                benchmark.classify(blackhole);
                bestNs = Math.min(bestNs, threads.getCurrentThreadCpuTime() - startNs);
            }
            for (int i = 0; i < COMPILES; i++) {
                blackhole.consume(benchmark.compile());
            }
            long bestCompileNs = Long.MAX_VALUE;
            for (int i = 0; i < COMPILES; i++) {
                long startNs = threads.getCurrentThreadCpuTime();
                blackhole.consume(benchmark.compile());
                bestCompileNs = Math.min(bestCompileNs, threads.getCurrentThreadCpuTime() - startNs);
            }
            String load = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim();
            System.out.printf("rules %,7d: classify %.1f ns/packet CPU (best of %d passes of 4,096), "
                + "compile %.1f ms CPU (best of %d); load %s%n", benchmark.ruleCount, bestNs / 4096.0, passes,
                bestCompileNs / 1e6, COMPILES, load);
        }
    }
}
