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
 * and binding, snapshot entries), the fixed costs (flow tables, frames) cancelling out.
 *
 * <p>Threading: run on one thread, with nothing else allocating in the JVM.
 */
public final class VpcMemoryProbe {
    private VpcMemoryProbe() {
    }

    /** Measures at {@code 1} and {@code vpcs} VPCs; the map holds bytes and compile times. */
    public static Map<String, Object> measure(int vpcs, int rulesPerVpc, int sessions) {
        long[] base = retained();
        long[] one;
        long compileOneMs;
        try (PipelineWorld world = new PipelineWorld(new PipelineScenario(sessions, rulesPerVpc, 1, 64))) {
            one = retained();
            compileOneMs = world.tableCompileNs() / 1_000_000;
        }
        long[] base2 = settled(base[1]);
        long[] many;
        long compileManyMs;
        try (PipelineWorld world = new PipelineWorld(new PipelineScenario(sessions, rulesPerVpc, vpcs, 64))) {
            many = retained();
            compileManyMs = world.tableCompileNs() / 1_000_000;
        }
        long heapOne = one[0] - base[0];
        long directOne = one[1] - base[1];
        long heapMany = many[0] - base2[0];
        long directMany = many[1] - base2[1];
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
        result.put("compileMsAtOneVpc", compileOneMs);
        result.put("compileMsAtManyVpcs", compileManyMs);
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
        System.out.print(Json.write(measure(vpcs, rules, 1000)));
    }
}
