package io.softgate.benchmarks;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.UdpFlyweight;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.nat.session.SessionKeys;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Where {@link NatBenchmark#establishedFastPath}'s time goes, by thread CPU time per packet (best
 * of N passes) of variants of the same loop over the same 1M-session world: the whole benchmark;
 * the pipeline with no NAT tables published (the stage forwards every packet untouched); only the
 * packet copy into the frames (the benchmark's stand-in for receive); and only the session table's
 * batch lookup of the same 64 keys per batch ({@code NatSessions.lookupBatch}, which the stage
 * calls once per batch). Whole minus copy minus lookup is the NAT's own per-packet work.
 *
 * <pre>
 * java -Xms3g -Xmx3g -XX:MaxDirectMemorySize=6g -cp benchmarks/target/benchmarks.jar \
 *     io.softgate.benchmarks.NatCpuSplit [passes]
 * </pre>
 *
 * <p>Threading: runs everything on the calling thread.
 */
public final class NatCpuSplit {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int BATCHES_PER_PASS = 16_384;

    private NatCpuSplit() {
    }

    public static void main(String[] args) {
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        System.out.printf("load average %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        NatBenchmark benchmark = new NatBenchmark();
        NatBenchmark.Established state = new NatBenchmark.Established();
        state.setUp();
        int sessions = NatBenchmark.Established.SESSIONS;
        int batch = NatBenchmark.BATCH;
        long[] keys = new long[sessions * SessionKeys.KEY_WORDS];
        UnsafeBuffer packets = new UnsafeBuffer(state.packets);
        for (int i = 0; i < sessions; i++) {
            int l3 = i * NatBenchmark.PACKET_BYTES + 14;
            int l4 = l3 + Ipv4Flyweight.MIN_HEADER_LENGTH;
            keys[2 * i] = SessionKeys.word0(SessionKeys.TAG_INSIDE, Ipv4Flyweight.PROTOCOL_UDP, NatBenchmark.VPC_VRF,
                UdpFlyweight.sourcePort(packets, l4), UdpFlyweight.destinationPort(packets, l4));
            keys[2 * i + 1] = SessionKeys.word1(Ipv4Flyweight.source(packets, l3), Ipv4Flyweight.destination(packets, l3));
        }
        long[] batchKeys = new long[batch * SessionKeys.KEY_WORDS];
        long[] batchValues = new long[batch * SessionKeys.VALUE_WORDS];
        int[] batchEntries = new int[batch];
        ConfigSnapshot withNat = state.snapshot;
        ConfigSnapshot withoutNat = new SnapshotPublisher(new WorkerEpochs(1)).publish(ConfigSnapshot.builder());
        int[] cursor = new int[1];
        long[] sink = new long[1];
        state.snapshot = withNat;
        report("whole", passes, () -> sink[0] += benchmark.establishedFastPath(state));
        state.snapshot = withoutNat;
        report("no NAT tables", passes, () -> sink[0] += benchmark.establishedFastPath(state));
        state.snapshot = withNat;
        report("copy only", passes, () -> {
            int first = cursor[0];
            cursor[0] = first + batch >= sessions ? 0 : first + batch;
            state.batch.clear();
            for (int i = 0; i < batch; i++) {
                int start = state.memory.packetStart(state.frames[i]);
                state.memory.buffer().putBytes(start, state.packets, (first + i) * NatBenchmark.PACKET_BYTES,
                    NatBenchmark.PACKET_BYTES);
                sink[0] += state.batch.add(state.frames[i], start, NatBenchmark.PACKET_BYTES, 0);
            }
        });
        report("lookup only", passes, () -> {
            int first = cursor[0];
            cursor[0] = first + batch >= sessions ? 0 : first + batch;
            System.arraycopy(keys, first * SessionKeys.KEY_WORDS, batchKeys, 0, batchKeys.length);
            sink[0] += state.nat.sessions().lookupBatch(batchKeys, batch, state.nowNs, batchValues, batchEntries);
        });
        state.tearDown();
        System.out.printf("load average %.2f (sink %d)%n",
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), sink[0] & 0xFF);
    }

    private static void report(String name, int passes, Runnable batchBody) {
        for (int i = 0; i < BATCHES_PER_PASS * 2; i++) {
            batchBody.run();
        }
        double best = Double.MAX_VALUE;
        for (int pass = 0; pass < passes; pass++) {
            long before = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < BATCHES_PER_PASS; i++) {
                batchBody.run();
            }
            best = Math.min(best, (double) (THREADS.getCurrentThreadCpuTime() - before)
                / ((long) BATCHES_PER_PASS * NatBenchmark.BATCH));
        }
        System.out.printf("%-14s best %6.1f ns/packet%n", name, best);
    }
}
