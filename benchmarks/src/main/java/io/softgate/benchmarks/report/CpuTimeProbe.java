package io.softgate.benchmarks.report;

import io.softgate.benchmarks.pipeline.PipelineScenario;
import io.softgate.benchmarks.pipeline.PipelineWorker;
import io.softgate.benchmarks.pipeline.PipelineWorld;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-packet cost in CPU time of the worker thread (not wall-clock time), for comparisons on a
 * shared machine: time the thread waits for a core does not count, so a busy box moves this far
 * less than a JMH score (cache and memory-bandwidth contention from other tenants still does).
 *
 * <p>Threading: runs the worker on the calling thread.
 */
public final class CpuTimeProbe {
    private CpuTimeProbe() {
    }

    /** Runs a new worker of {@code world} for {@code warmupBatches}, then measures {@code batches}. */
    public static Map<String, Object> measure(PipelineWorld world, int warmupBatches, int batches) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        PipelineScenario scenario = world.scenario();
        PipelineWorker handle = world.newWorker(0, 1);
        for (int i = 0; i < warmupBatches; i++) {
            handle.worker().doWork();
        }
        long packetsBefore = handle.io().transmittedPackets();
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long wallBefore = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            handle.worker().doWork();
        }
        long cpuNs = threads.getCurrentThreadCpuTime() - cpuBefore;
        long wallNs = System.nanoTime() - wallBefore;
        long packets = handle.io().transmittedPackets() - packetsBefore;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", scenario.toString());
        result.put("vpcs", scenario.vpcs());
        result.put("packets", packets);
        result.put("cpuNsPerPacket", (double) cpuNs / packets);
        result.put("wallNsPerPacket", (double) wallNs / packets);
        result.put("mppsPerCpuSecond", packets * 1e3 / cpuNs);
        return result;
    }
}
