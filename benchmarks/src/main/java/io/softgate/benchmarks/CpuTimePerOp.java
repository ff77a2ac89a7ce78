package io.softgate.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.IntSupplier;

/**
 * Thread CPU time per operation of the flow-table, NAT and LB benchmark methods, outside JMH:
 * the same state classes and benchmark methods, called in a plain loop, timed with
 * {@link ThreadMXBean#getCurrentThreadCpuTime()} per pass; the best pass is reported. On a shared
 * machine time spent waiting for a core does not count, so this moves far less than a JMH score
 * (cache and memory-bandwidth contention from other tenants still does).
 *
 * <pre>
 * java -Xms3g -Xmx3g -XX:MaxDirectMemorySize=6g -cp benchmarks/target/benchmarks.jar \
 *     io.softgate.benchmarks.CpuTimePerOp [passes] [name...]
 * </pre>
 * names: {@code lookupHit lookupHitBatch lookupBatch lookupBatch64 chmLookupHit natEstablished natCreation
 * lbVip lbReply lbMixed lbRestore} (default: all but lbMixed and lbRestore; lbMixed is outbound VPC
 * traffic with one backend reply in eight, lbRestore the LB benchmark's packet restore alone);
 * {@code -Dlb.connections=1024} runs the LB ones cache-resident, {@code -Dlb.active=1000000} makes their packets
 * visit every one of the 1M connections instead of 65,536 ({@code LoadBalancerBenchmark.activeConnections}).
 *
 * <p>Threading: runs everything on the calling thread.
 */
public final class CpuTimePerOp {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuTimePerOp() {
    }

    public static void main(String[] args) throws Exception {
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String[] names = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length)
            : new String[] {"lookupHit", "lookupHitBatch", "lookupBatch", "chmLookupHit", "natEstablished",
                "natCreation", "lbVip", "lbReply"};
        System.out.printf("load average %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (String name : names) {
            run(name, passes);
        }
        System.out.printf("load average %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void run(String name, int passes) throws Exception {
        switch (name) {
            case "lookupHit":
            case "lookupHitBatch":
            case "lookupBatch":
            case "lookupBatch64":
            case "chmLookupHit": {
                FlowTableBenchmark flows = new FlowTableBenchmark();
                flows.implementation = name.startsWith("chm") ? "ConcurrentHashMap" : "FlowTable";
                flows.entries = Integer.getInteger("flow.entries", 1_000_000); // e.g. 4096: cache-resident
                flows.setUp();
                int ops;
                IntSupplier body;
                if (name.equals("lookupHitBatch")) {
                    ops = 16;
                    body = () -> (int) flows.lookupHitBatch();
                } else if (name.equals("lookupBatch")) {
                    ops = FlowTableBenchmark.LOOKUP_BATCH;
                    body = () -> (int) flows.lookupBatch();
                } else if (name.equals("lookupBatch64")) {
                    ops = FlowTableBenchmark.LOOKUP_BATCH_64;
                    body = () -> (int) flows.lookupBatch64();
                } else {
                    ops = 1;
                    body = () -> (int) flows.lookupHit();
                }
                report(name, passes, 1_000_000 / ops, ops, body);
                flows.tearDown();
                break;
            }
            case "natEstablished": {
                NatBenchmark nat = new NatBenchmark();
                NatBenchmark.Established state = new NatBenchmark.Established();
                state.setUp();
                report(name, passes, 16_384, NatBenchmark.BATCH, () -> nat.establishedFastPath(state));
                state.tearDown();
                break;
            }
            case "natCreation": {
                NatBenchmark nat = new NatBenchmark();
                NatBenchmark.Creation state = new NatBenchmark.Creation();
                state.prepare();
                double best = Double.MAX_VALUE;
                for (int pass = 0; pass < passes; pass++) {
                    state.setUp();
                    long before = THREADS.getCurrentThreadCpuTime();
                    int batches = 8_192; // 524,288 sessions into a table sized for 2M
                    long sink = 0;
                    for (int i = 0; i < batches; i++) {
                        sink += nat.sessionCreation(state);
                    }
                    long cpuNs = THREADS.getCurrentThreadCpuTime() - before;
                    best = Math.min(best, (double) cpuNs / (batches * (long) NatBenchmark.BATCH));
                    state.nat.close();
                    if (sink != (long) batches * NatBenchmark.BATCH) {
                        System.out.printf("  (only %d of %d packets forwarded)%n", sink,
                            (long) batches * NatBenchmark.BATCH);
                    }
                }
                System.out.printf("%-16s best %8.1f ns/op  = %6.2f M op/s per CPU-second%n", name, best, 1e3 / best);
                break;
            }
            case "lbVip":
            case "lbReply":
            case "lbMixed":
            case "lbRestore": {
                LoadBalancerBenchmark lb = new LoadBalancerBenchmark();
                lb.connections = Integer.getInteger("lb.connections", 1_000_000);
                lb.activeConnections = Integer.getInteger("lb.active", 65_536);
                lb.setUp();
                IntSupplier body = name.equals("lbVip") ? lb::vipEstablished
                    : name.equals("lbReply") ? lb::replyEstablished
                    : name.equals("lbMixed") ? lb::replyMixed : lb::restoreOnly;
                report(name, passes, 32_768, LoadBalancerBenchmark.BATCH, body);
                break;
            }
            default:
                throw new IllegalArgumentException("unknown " + name);
        }
    }

    private static void report(String name, int passes, int invocations, int opsPerInvocation, IntSupplier body) {
        long sink = 0;
        for (int i = 0; i < invocations * 3; i++) {
            sink += body.getAsInt();
        }
        double best = Double.MAX_VALUE;
        for (int pass = 0; pass < passes; pass++) {
            long before = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < invocations; i++) {
                sink += body.getAsInt();
            }
            long cpuNs = THREADS.getCurrentThreadCpuTime() - before;
            best = Math.min(best, (double) cpuNs / ((long) invocations * opsPerInvocation));
        }
        System.out.printf("%-16s best %8.1f ns/op  = %6.2f M op/s per CPU-second   (sink %d)%n", name, best,
            1e3 / best, sink & 0xFF);
    }
}
