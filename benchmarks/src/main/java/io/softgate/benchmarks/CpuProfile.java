package io.softgate.benchmarks;

import io.softgate.benchmarks.pipeline.PipelineScenario;
import io.softgate.benchmarks.pipeline.PipelineWorker;
import io.softgate.benchmarks.pipeline.PipelineWorld;
import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageFactory;
import io.softgate.core.pipeline.StageVector;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Thread-CPU-time per packet of {@link ForwardingBenchmark#forward} and {@link PipelineBenchmark#forward}
 * (best of N passes, so other tenants of a shared machine disturb it much less than a JMH score), and
 * for the pipeline a per-stage split (thread CPU time inside each stage's {@code process}, summed over
 * the passes). Usage:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.softgate.benchmarks.CpuProfile forwarding 10 100000
 * java -cp benchmarks/target/benchmarks.jar io.softgate.benchmarks.CpuProfile pipeline 1 100000
 * java -cp benchmarks/target/benchmarks.jar io.softgate.benchmarks.CpuProfile memory 100000
 * </pre>
 *
 * <p>Threading: runs everything on the calling thread.
 */
public final class CpuProfile {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuProfile() {
    }

    public static void main(String[] args) {
        int passes = Integer.getInteger("passes", 40);
        if (args[0].equals("memory")) {
            // Memory per VPC of the whole data plane (VpcMemoryProbe), at 1 and args[1] VPCs.
            int vpcs = Integer.parseInt(args[1]);
            System.out.println("memory " + io.softgate.benchmarks.report.VpcMemoryProbe.measure(vpcs,
                Integer.getInteger("rules", 10), Integer.getInteger("sessions", 100_000), 400));
            return;
        }
        if (args[0].equals("forwarding")) {
            for (int i = 1; i < args.length; i++) {
                forwarding(Integer.parseInt(args[i]), passes);
            }
        } else {
            int sessions = Integer.getInteger("sessions", 100_000);
            int rules = Integer.getInteger("rules", 10);
            for (int i = 1; i < args.length; i++) {
                pipeline(new PipelineScenario(sessions, rules, Integer.parseInt(args[i]), 64), passes);
            }
        }
    }

    private static void forwarding(int routes, int passes) {
        ForwardingBenchmark benchmark = new ForwardingBenchmark();
        benchmark.routeCount = routes;
        benchmark.setUp();
        ForwardingBenchmark timedBenchmark = new ForwardingBenchmark();
        timedBenchmark.routeCount = routes;
        List<TimedStage> timed = new ArrayList<>();
        timedBenchmark.definition = timed(io.softgate.evpn.forwarding.ForwardingPipeline.definition(), timed);
        timedBenchmark.setUp();
        // Shorter passes (-DbatchesPerPass=200 with -Dpasses=200) let best-of-N find quiet moments on a busy box.
        int batchesPerPass = Integer.getInteger("batchesPerPass", 4000);
        double best = Double.MAX_VALUE;
        double bestCopy = Double.MAX_VALUE;
        for (int p = 0; p < passes; p++) {
            long start = THREADS.getCurrentThreadCpuTime();
            for (int b = 0; b < batchesPerPass; b++) {
                benchmark.forward();
            }
            best = Math.min(best, (double) (THREADS.getCurrentThreadCpuTime() - start)
                / ((long) batchesPerPass * ForwardingBenchmark.BATCH_SIZE));
            start = THREADS.getCurrentThreadCpuTime();
            for (int b = 0; b < batchesPerPass; b++) {
                benchmark.receiveCopyOnly();
            }
            bestCopy = Math.min(bestCopy, (double) (THREADS.getCurrentThreadCpuTime() - start)
                / ((long) batchesPerPass * ForwardingBenchmark.BATCH_SIZE));
        }
        double[] bestStage = new double[timed.size()];
        java.util.Arrays.fill(bestStage, Double.MAX_VALUE);
        for (int p = 0; p < passes; p++) {
            for (TimedStage stage : timed) {
                stage.reset();
            }
            for (int b = 0; b < batchesPerPass; b++) {
                timedBenchmark.forward();
            }
            for (int s = 0; s < timed.size(); s++) {
                bestStage[s] = Math.min(bestStage[s], (double) timed.get(s).ns
                    / ((long) batchesPerPass * ForwardingBenchmark.BATCH_SIZE));
            }
        }
        StringBuilder split = new StringBuilder();
        for (int s = 0; s < timed.size(); s++) {
            split.append(String.format(" %s=%.1f", timed.get(s).name(), bestStage[s]));
        }
        System.out.printf("forwarding routes=%d: best %.1f CPU ns/packet (%.1f Mpps per CPU-second); copy alone %.1f ns;"
            + " best CPU ns/packet per stage (incl. ~1 µs timer per batch call):%s%n", routes, best, 1e3 / best, bestCopy, split);
    }

    private static void pipeline(PipelineScenario scenario, int passes) {
        try (PipelineWorld world = new PipelineWorld(scenario)) {
            List<TimedStage> timed = new ArrayList<>();
            PipelineDefinition definition = timed(world.definition(), timed);
            PipelineWorker plain = world.newWorker(0, 1);
            PipelineWorker profiled = world.newWorker(0, 1, definition);
            int batchesPerPass = Math.max(400, scenario.sessions() / PipelineWorld.BATCH_SIZE);
            double best = Double.MAX_VALUE;
            for (int p = 0; p < passes; p++) {
                long packets = plain.io().transmittedPackets();
                long start = THREADS.getCurrentThreadCpuTime();
                for (int b = 0; b < batchesPerPass; b++) {
                    plain.worker().doWork();
                }
                long cpu = THREADS.getCurrentThreadCpuTime() - start;
                best = Math.min(best, (double) cpu / (plain.io().transmittedPackets() - packets));
            }
            for (int p = 0; p < passes / 4 + 1; p++) {
                for (int b = 0; b < batchesPerPass; b++) {
                    profiled.worker().doWork();
                }
            }
            for (TimedStage stage : timed) {
                stage.reset();
            }
            long packets = profiled.io().transmittedPackets();
            for (int p = 0; p < passes / 2 + 1; p++) {
                for (int b = 0; b < batchesPerPass; b++) {
                    profiled.worker().doWork();
                }
            }
            long sent = profiled.io().transmittedPackets() - packets;
            StringBuilder split = new StringBuilder();
            long inStages = 0;
            for (TimedStage stage : timed) {
                split.append(String.format(" %s=%.1f", stage.name(), (double) stage.ns / sent));
                inStages += stage.ns;
            }
            System.out.printf("pipeline %s: best %.1f CPU ns/packet (%.2f Mpps per CPU-second); CPU split ns/packet:%s;"
                + " sum of stages=%.1f%n", scenario, best, 1e3 / best, split, (double) inStages / sent);
        }
    }

    private static PipelineDefinition timed(PipelineDefinition original, List<TimedStage> timed) {
        PipelineDefinition.Builder graph = PipelineDefinition.builder();
        for (StageFactory factory : original.stages()) {
            graph.stage(workerId -> {
                TimedStage stage = new TimedStage(factory.create(workerId));
                timed.add(stage);
                return stage;
            });
        }
        return graph.entry(original.entryStage()).build();
    }

    /** Thread CPU time inside one stage's {@code process}. Threading: one worker thread. */
    private static final class TimedStage implements Stage {
        private final Stage stage;
        long ns;

        TimedStage(Stage stage) {
            this.stage = stage;
        }

        void reset() {
            ns = 0;
        }

        @Override
        public String name() {
            return stage.name();
        }

        @Override
        public List<String> nextStages() {
            return stage.nextStages();
        }

        @Override
        public DropReason[] dropReasons() {
            return stage.dropReasons();
        }

        @Override
        public List<String> eventCounters() {
            return stage.eventCounters();
        }

        @Override
        public void process(PacketBatch batch, StageVector input, StageContext context) {
            long start = THREADS.getCurrentThreadCpuTime();
            stage.process(batch, input, context);
            ns += THREADS.getCurrentThreadCpuTime() - start;
        }
    }
}
