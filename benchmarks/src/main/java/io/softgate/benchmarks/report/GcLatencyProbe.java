package io.softgate.benchmarks.report;

import io.softgate.acl.classify.AclCompiler;
import io.softgate.acl.classify.AclTables;
import io.softgate.acl.model.AclConfig;
import io.softgate.benchmarks.pipeline.EgressAclRules;
import io.softgate.benchmarks.pipeline.PipelineScenario;
import io.softgate.benchmarks.pipeline.PipelineWorker;
import io.softgate.benchmarks.pipeline.PipelineWorld;
import io.softgate.core.pipeline.Worker;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * One steady pipeline run under one garbage collector, for choosing the service's JVM flags: the
 * report starts this class in a child JVM per collector. A worker runs the full pipeline
 * ({@link PipelineWorld}) on the main thread as fast as it can, while a control-plane thread
 * does what the service's control plane does: recompiles and republishes the ACL every
 * {@value #REPUBLISH_MS} ms and allocates {@code --churn-mb-per-s} of garbage, of which a ring of
 * {@value #RETAINED_MB} MiB lives for several seconds (so objects reach the old generation and
 * old collections happen). After a warm-up, the worker's own per-batch latency histogram
 * ({@code Worker.batchLatencyNs()}) is read, and one line {@code GC-PROBE-RESULT {json}} is
 * printed.
 *
 * <pre>
 * java -XX:+UseG1GC -cp benchmarks/target/benchmarks.jar io.softgate.benchmarks.report.GcLatencyProbe \
 *     --seconds 20 --warmup-seconds 5 --sessions 100000 --rules 100 --vpcs 10 --packet-bytes 64 --churn-mb-per-s 64
 * </pre>
 *
 * <p>Threading: the main thread is the worker; one control-plane thread churns.
 */
public final class GcLatencyProbe {
    static final String RESULT_PREFIX = "GC-PROBE-RESULT ";
    static final int REPUBLISH_MS = 250;
    static final int RETAINED_MB = 128;
    private static final int CHUNK_BYTES = 64 * 1024;

    private GcLatencyProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> options = parse(args);
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "20"));
        int warmupSeconds = Integer.parseInt(options.getOrDefault("warmup-seconds", "5"));
        PipelineScenario scenario = new PipelineScenario(
            Integer.parseInt(options.getOrDefault("sessions", "100000")),
            Integer.parseInt(options.getOrDefault("rules", "100")),
            Integer.parseInt(options.getOrDefault("vpcs", "10")),
            Integer.parseInt(options.getOrDefault("packet-bytes", "64")));
        int churnMbPerSecond = Integer.parseInt(options.getOrDefault("churn-mb-per-s", "64"));

        try (PipelineWorld world = new PipelineWorld(scenario)) {
            PipelineWorker handle = world.newWorker(0, 1);
            Worker worker = handle.worker();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread control = new Thread(() -> churn(world, scenario, churnMbPerSecond, running), "control-plane");
            control.setDaemon(true);
            control.start();

            run(worker, TimeUnit.SECONDS.toNanos(warmupSeconds));
            worker.batchLatencyNs().getIntervalHistogram();
            long gcCountBefore = gcCount();
            long gcTimeBefore = gcTimeMs();
            long packetsBefore = handle.io().transmittedPackets();
            long startNs = System.nanoTime();
            run(worker, TimeUnit.SECONDS.toNanos(seconds));
            long elapsedNs = System.nanoTime() - startNs;
            Histogram histogram = worker.batchLatencyNs().getIntervalHistogram();
            long packets = handle.io().transmittedPackets() - packetsBefore;
            running.set(false);
            control.join(2_000);

            Map<String, Object> result = new LinkedHashMap<>();
            result.put("collectors", collectorNames());
            result.put("scenario", scenario.toString());
            result.put("batches", histogram.getTotalCount());
            result.put("packetsPerSecond", packets * 1e9 / elapsedNs);
            result.put("p50Ns", histogram.getValueAtPercentile(50));
            result.put("p99Ns", histogram.getValueAtPercentile(99));
            result.put("p999Ns", histogram.getValueAtPercentile(99.9));
            result.put("p9999Ns", histogram.getValueAtPercentile(99.99));
            result.put("maxNs", histogram.getMaxValue());
            result.put("gcCount", gcCount() - gcCountBefore);
            result.put("gcTimeMs", gcTimeMs() - gcTimeBefore);
            result.put("churnMbPerSecond", churnMbPerSecond);
            result.put("loadAverageAtEnd", MachineDescription.loadAverage());
            System.out.println(RESULT_PREFIX + Json.write(result).replace("\n", " "));
        }
    }

    private static void run(Worker worker, long durationNs) {
        long deadline = System.nanoTime() + durationNs;
        while (true) {
            for (int i = 0; i < 64; i++) {
                worker.doWork();
            }
            if (System.nanoTime() - deadline > 0) {
                return;
            }
        }
    }

    /** The control plane: republish a recompiled ACL regularly, allocate garbage at a steady rate. */
    private static void churn(PipelineWorld world, PipelineScenario scenario, int mbPerSecond,
                              AtomicBoolean running) {
        byte[][] retained = new byte[RETAINED_MB * 1024 * 1024 / CHUNK_BYTES][];
        int next = 0;
        long chunksPerTick = Math.max(1, (long) mbPerSecond * 1024 * 1024 / CHUNK_BYTES * 10 / 1000);
        EgressAclRules rules = new EgressAclRules(scenario.rulesPerVpc(), 7);
        Map<String, Integer> vrfByVpc = new LinkedHashMap<>();
        List<io.softgate.acl.model.AclRule> all = new ArrayList<>();
        for (int v = 0; v < scenario.vpcs(); v++) {
            vrfByVpc.put("vpc-" + v, v + 1);
        }
        long lastPublishNs = System.nanoTime();
        long sink = 0;
        while (running.get()) {
            for (long c = 0; c < chunksPerTick; c++) {
                byte[] chunk = new byte[CHUNK_BYTES];
                chunk[(int) (c & (CHUNK_BYTES - 1))] = (byte) c;
                if ((c & 3) == 0) {
                    retained[next] = chunk;
                    next = next + 1 == retained.length ? 0 : next + 1;
                }
                sink += chunk[0];
            }
            if (System.nanoTime() - lastPublishNs > TimeUnit.MILLISECONDS.toNanos(REPUBLISH_MS)) {
                all.clear();
                for (String vpc : vrfByVpc.keySet()) {
                    all.addAll(rules.rules(vpc));
                }
                AclTables tables = AclCompiler.compile(AclConfig.of(all), vrfByVpc);
                world.publisher().publish(world.publisher().current().toBuilder().with(AclTables.SLOT, tables));
                lastPublishNs = System.nanoTime();
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
    }

    private static List<String> collectorNames() {
        List<String> names = new ArrayList<>();
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            names.add(bean.getName());
        }
        return names;
    }

    private static long gcCount() {
        long count = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, bean.getCollectionCount());
        }
        return count;
    }

    private static long gcTimeMs() {
        long time = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            time += Math.max(0, bean.getCollectionTime());
        }
        return time;
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + args[i]);
            }
            String name = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                options.put(name, args[++i]);
            } else {
                options.put(name, "true");
            }
        }
        return options;
    }
}
