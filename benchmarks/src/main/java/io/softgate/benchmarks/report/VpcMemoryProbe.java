package io.softgate.benchmarks.report;

import io.softgate.benchmarks.pipeline.PipelineScenario;
import io.softgate.benchmarks.pipeline.PipelineWorld;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Memory per configured VPC, measured: the retained heap (after full collections) plus the
 * direct (off-heap) memory in use, once with a data plane configured for one VPC and once for
 * {@code vpcs}, the same sessions and rules per VPC otherwise; the difference divided by
 * {@code vpcs - 1} is the cost of one more VPC (its VRF, route table, ACL classifier, NAT rule
 * and binding, snapshot entries), the fixed costs (flow tables, frames, NAT port spaces)
 * cancelling out. While each world exists, {@link CpuTimeProbe} also measures its per-packet
 * CPU time, so the 100,000-VPC configuration is compiled only once.
 *
 * <p>Threading: run on one thread, with nothing else allocating in the JVM.
 */
public final class VpcMemoryProbe {
    private VpcMemoryProbe() {
    }

    /** Measures at {@code 1} and {@code vpcs} VPCs; the map holds bytes, compile times and CPU time per packet. */
    public static Map<String, Object> measure(int vpcs, int rulesPerVpc, int sessions, int cpuBatches) {
        long[] base = retained();
        Map<String, Object> one = measureWorld(new PipelineScenario(sessions, rulesPerVpc, 1, 64), base, cpuBatches);
        long[] base2 = settled(base[1]);
        Map<String, Object> many = measureWorld(new PipelineScenario(sessions, rulesPerVpc, vpcs, 64), base2,
            cpuBatches);
        long heapOne = (Long) one.get("heapBytes");
        long directOne = (Long) one.get("directBytes");
        long heapMany = (Long) many.get("heapBytes");
        long directMany = (Long) many.get("directBytes");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("vpcs", vpcs);
        result.put("rulesPerVpc", rulesPerVpc);
        result.put("sessions", sessions);
        result.put("heapBytesAtOneVpc", heapOne);
        result.put("directBytesAtOneVpc", directOne);
        result.put("heapBytesAtManyVpcs", heapMany);
        result.put("directBytesAtManyVpcs", directMany);
        result.put("heapBytesPerVpc", (double) (heapMany - heapOne) / (vpcs - 1));
        result.put("directBytesPerVpc", (double) (directMany - directOne) / (vpcs - 1));
        result.put("bytesPerVpc", (double) (heapMany - heapOne + directMany - directOne) / (vpcs - 1));
        result.put("compileMsAtOneVpc", one.get("compileMs"));
        result.put("compileMsAtManyVpcs", many.get("compileMs"));
        result.put("cpuTimeAtOneVpc", one.get("cpuTime"));
        result.put("cpuTimeAtManyVpcs", many.get("cpuTime"));
        return result;
    }

    /** Builds, measures and closes one world in its own frame, so nothing keeps it reachable afterwards. */
    private static Map<String, Object> measureWorld(PipelineScenario scenario, long[] base, int cpuBatches) {
        Map<String, Object> result = new LinkedHashMap<>();
        try (PipelineWorld world = new PipelineWorld(scenario)) {
            long[] now = retained();
            result.put("heapBytes", now[0] - base[0]);
            result.put("directBytes", now[1] - base[1]);
            result.put("compileMs", world.tableCompileNs() / 1_000_000);
            if (cpuBatches > 0) {
                result.put("cpuTime", CpuTimeProbe.measure(world, cpuBatches / 2, cpuBatches));
            }
        }
        return result;
    }

    /**
     * {heap used, direct used} once the direct buffers of a closed world have been freed (their
     * cleaners run after a collection), or after about four seconds.
     */
    static long[] settled(long directBaseline) {
        long[] now = retained();
        for (int attempt = 0; attempt < 10 && now[1] > directBaseline + (1 << 20); attempt++) {
            now = retained();
        }
        return now;
    }

    /** {heap used, direct used} after repeated full collections. */
    static long[] retained() {
        long heap = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
            }
        }
        return new long[] {heap, direct};
    }

    public static void main(String[] args) {
        int vpcs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rules = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int sessions = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        System.out.print(Json.write(measure(vpcs, rules, sessions, 10_000)));
    }
}
