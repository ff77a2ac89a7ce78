package io.softgate.benchmarks;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.VrfResolver;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import io.softgate.lb.stage.LoadBalancerStages;
import io.softgate.lb.stage.ReplyStage;
import io.softgate.lb.stage.VipStage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The LB fast path: 64-byte TCP packets (Ethernet 14 + IPv4 20 + TCP 20 + 10 bytes) of
 * established connections, picked at random among {@code connections} tracked ones (1M by
 * default, so lookups miss the CPU caches as in production), through {@code lb-vip} (client ->
 * VIP) or {@code lb-reply} (backend -> client), 64 packets per batch (the service's default
 * {@code dataplane.batchSize}, as in {@code NatBenchmark}), one worker thread. Each
 * invocation restores the 64 bytes of every packet first (the stage rewrites them in place), which
 * is counted in the figure. Results are per packet. Goal (issue 5): >= 15 Mpps on one core, ~0 B/op.
 *
 * <p>Threading: JMH state per benchmark thread (one worker).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:MaxDirectMemorySize=2g"})
public class LoadBalancerBenchmark {
    /** Packets per batch: the service's default worker batch ({@code DataplaneConfig.DEFAULT_BATCH_SIZE}). */
    static final int BATCH = 64;
    static final int PACKET_BYTES = 64;
    static final int PUBLIC_VRF = 0;
    static final int VPC_VRF = 5;
    static final String VIP = "203.0.113.10";
    /** {@link #replyMixed}: one packet in this many is a backend's reply. */
    static final int MIXED_REPLY_EVERY = 8;

    @Param({"1000000"})
    public int connections;

    /**
     * How many of the tracked connections the packets cycle through: 65,536 drawn at random (the
     * figures of record so far; their table lines, about 8 MiB with both directions', fit a
     * 32 MiB last-level cache that other tenants leave free), or, at {@code connections} or more,
     * every connection once per cycle in a shuffled order, as {@code NatBenchmark} visits its
     * sessions (every lookup then misses the caches).
     */
    @Param({"65536"})
    public int activeConnections = 65_536;

    private PacketBatch vipBatch;
    private PacketBatch replyBatch;
    private Pipeline vipPipeline;
    private Pipeline replyPipeline;
    private ConfigSnapshot snapshot;
    private UnsafeBuffer vipTemplates;
    private UnsafeBuffer replyTemplates;
    private UnsafeBuffer mixedTemplates;
    private int next;
    /** Packet templates per direction: {@link #activeConnections}, at most {@link #connections}, a multiple of {@link #BATCH}. */
    private int templates;
    private final long nowNs = 1_000_000_000L;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        VrfResolver vrfs = new VrfResolver() {
            @Override
            public int publicVrf() {
                return PUBLIC_VRF;
            }

            @Override
            public int vrfOfVpc(String vpc) {
                return VPC_VRF;
            }
        };
        List<Backend> backends = new ArrayList<>();
        for (int i = 1; i <= 16; i++) {
            backends.add(Backend.of("10.1.0." + i, 8080));
        }
        LoadBalancerTables tables = new LoadBalancerCompiler(vrfs).compile(LoadBalancerConfig.of(List.of(
            LoadBalancerService.of("web", LbProtocol.TCP, VIP, 80, backends, HealthCheck.NONE, "blue"))), BackendHealth.ALL_HEALTHY);
        snapshot = new SnapshotPublisher(new WorkerEpochs(1)).publish(ConfigSnapshot.builder().with(LoadBalancerTables.SLOT, tables));

        LoadBalancerStages stages = new LoadBalancerStages(connections);
        FrameMemory memory = new FrameMemory(4 * BATCH);
        FramePool pool = new FramePool(memory);
        vipBatch = new PacketBatch(memory, BATCH);
        replyBatch = new PacketBatch(memory, BATCH);
        vipPipeline = new Pipeline(PipelineDefinition.builder().stage(stages.vipStage(Stage.TRANSMIT)).entry(VipStage.NAME).build(),
            0, vipBatch, pool, new CounterLayout());
        replyPipeline = new Pipeline(PipelineDefinition.builder().stage(stages.replyStage(Stage.TRANSMIT)).entry(ReplyStage.NAME).build(),
            0, replyBatch, pool, new CounterLayout());
        for (int slot = 0; slot < BATCH; slot++) {
            int frame = pool.allocate();
            vipBatch.add(frame, memory.packetStart(frame), PACKET_BYTES, 0);
            frame = pool.allocate();
            replyBatch.add(frame, memory.packetStart(frame), PACKET_BYTES, 0);
        }

        // Track every connection: client 100.64.0.0 + i / 16, port 1024 + i % 16 ... -> VIP:80.
        byte[] template = PacketBuilder.ethernet(1L, 2L).ipv4("100.64.0.0", VIP).tcp(1024, 80).payload(10).build();
        UnsafeBuffer scratch = new UnsafeBuffer(new byte[BATCH * PACKET_BYTES]);
        for (int start = 0; start < connections; start += BATCH) {
            for (int slot = 0; slot < BATCH; slot++) {
                scratch.putBytes(slot * PACKET_BYTES, template);
                writeClient(scratch, slot * PACKET_BYTES, start + slot);
            }
            runBatch(vipPipeline, vipBatch, scratch, 0, PUBLIC_VRF, PacketFlags.FROM_OUTSIDE);
        }
        // Random established connections as packet templates, both directions.
        SplittableRandom random = new SplittableRandom(42);
        templates = Math.max(BATCH, Math.min(activeConnections, connections) / BATCH * BATCH);
        int[] everyConnection = templates >= connections ? Permutations.shuffled(connections, random::nextInt) : null;
        vipTemplates = new UnsafeBuffer(new byte[templates * PACKET_BYTES]);
        replyTemplates = new UnsafeBuffer(new byte[templates * PACKET_BYTES]);
        for (int t = 0; t < templates; t++) {
            int connection = everyConnection != null ? everyConnection[t] : random.nextInt(connections);
            vipTemplates.putBytes(t * PACKET_BYTES, template);
            writeClient(vipTemplates, t * PACKET_BYTES, connection);
            // The reply is the forward packet as lb-vip rewrote it, turned around.
            scratch.putBytes(0, vipTemplates, t * PACKET_BYTES, PACKET_BYTES);
            runOne(scratch);
            turnAround(scratch, 0);
            replyTemplates.putBytes(t * PACKET_BYTES, scratch, 0, PACKET_BYTES);
        }
        // Outbound VPC traffic as lb-reply sees it in the service: one packet in MIXED_REPLY_EVERY is a
        // backend's reply, the others are the VMs' own connections to the internet (sources
        // 10.1.1.x, ephemeral ports; no backend's address).
        mixedTemplates = new UnsafeBuffer(new byte[templates * PACKET_BYTES]);
        byte[] outbound = PacketBuilder.ethernet(1L, 2L).ipv4("10.1.1.1", "93.184.216.34").tcp(40000, 443).payload(10).build();
        for (int t = 0; t < templates; t++) {
            if (t % MIXED_REPLY_EVERY == 0) {
                mixedTemplates.putBytes(t * PACKET_BYTES, replyTemplates, t * PACKET_BYTES, PACKET_BYTES);
            } else {
                int packet = t * PACKET_BYTES;
                mixedTemplates.putBytes(packet, outbound);
                Ipv4Flyweight.source(mixedTemplates, packet + 14, Ipv4Flyweight.parse("10.1.1.0") + 1 + random.nextInt(254));
                Ipv4Flyweight.destination(mixedTemplates, packet + 14, random.nextInt());
                mixedTemplates.putShort(packet + 34, (short) (32768 + random.nextInt(28232)), java.nio.ByteOrder.BIG_ENDIAN);
            }
        }
        // Refuse to measure a setup that does not do the work it claims.
        if (stages.tracker().entries() != 2 * connections) {
            throw new IllegalStateException("tracked " + stages.tracker().entries() + " entries, wanted " + 2 * connections);
        }
        if (vipEstablished() != BATCH || replyEstablished() != BATCH) {
            throw new IllegalStateException("packets of established connections were dropped");
        }
        if (stages.tracker().entries() != 2 * connections) {
            throw new IllegalStateException("measured packets created connections instead of finding them");
        }
    }

    private static void writeClient(UnsafeBuffer buffer, int packet, int connection) {
        int ip = packet + 14;
        Ipv4Flyweight.source(buffer, ip, Ipv4Flyweight.parse("100.64.0.0") + connection / 16);
        buffer.putShort(ip + 20, (short) (1024 + connection % 16), java.nio.ByteOrder.BIG_ENDIAN);
        // Checksums are not verified by the LB stage; the rewrite patches whatever is there.
    }

    private void runOne(UnsafeBuffer packet) {
        vipBatch.buffer().putBytes(vipBatch.offset[0], packet, 0, PACKET_BYTES);
        for (int slot = 1; slot < BATCH; slot++) {
            vipBatch.buffer().putBytes(vipBatch.offset[slot], packet, 0, PACKET_BYTES);
        }
        presetAll(vipBatch, PUBLIC_VRF, PacketFlags.FROM_OUTSIDE);
        vipPipeline.run(vipBatch, snapshot, nowNs);
        packet.putBytes(0, vipBatch.buffer(), vipBatch.offset[0], PACKET_BYTES);
    }

    private static void turnAround(UnsafeBuffer buffer, int packet) {
        int ip = packet + 14;
        int source = Ipv4Flyweight.source(buffer, ip);
        Ipv4Flyweight.source(buffer, ip, Ipv4Flyweight.destination(buffer, ip));
        Ipv4Flyweight.destination(buffer, ip, source);
        short sourcePort = buffer.getShort(ip + 20);
        buffer.putShort(ip + 20, buffer.getShort(ip + 22));
        buffer.putShort(ip + 22, sourcePort);
    }

    private void runBatch(Pipeline pipeline, PacketBatch batch, UnsafeBuffer packets, int first, int vrf, int flags) {
        for (int slot = 0; slot < BATCH; slot++) {
            batch.buffer().putBytes(batch.offset[slot], packets, (first + slot) * PACKET_BYTES, PACKET_BYTES);
        }
        presetAll(batch, vrf, flags);
        pipeline.run(batch, snapshot, nowNs);
    }

    private static void presetAll(PacketBatch batch, int vrf, int flags) {
        for (int slot = 0; slot < BATCH; slot++) {
            batch.l3Offset[slot] = batch.offset[slot] + 14;
            batch.l4Offset[slot] = batch.offset[slot] + 34;
            batch.vrf[slot] = vrf;
            batch.flags[slot] = flags;
        }
    }

    private int nextBatchStart() {
        int start = next;
        next = next + BATCH >= templates ? 0 : next + BATCH;
        return start;
    }

    /** Client -> VIP packets of established connections through lb-vip. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int vipEstablished() {
        runBatch(vipPipeline, vipBatch, vipTemplates, nextBatchStart(), PUBLIC_VRF, PacketFlags.FROM_OUTSIDE);
        return vipPipeline.transmitVector().size();
    }

    /** Backend -> client replies of established connections through lb-reply. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int replyEstablished() {
        runBatch(replyPipeline, replyBatch, replyTemplates, nextBatchStart(), VPC_VRF, 0);
        return replyPipeline.transmitVector().size();
    }

    /**
     * Outbound VPC traffic through lb-reply: one packet in {@link #MIXED_REPLY_EVERY} a backend's
     * reply of an established connection, the rest the VMs' own internet traffic (no backend's
     * source), which lb-reply must pass untouched.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int replyMixed() {
        runBatch(replyPipeline, replyBatch, mixedTemplates, nextBatchStart(), VPC_VRF, 0);
        return replyPipeline.transmitVector().size();
    }

    /**
     * Only the per-invocation restore of the 64-byte packets and their batch metadata, without the
     * stage: what {@link #vipEstablished} spends outside the load balancer (subtract it for the
     * stage's own cost; in the service the receive path writes the packets instead).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int restoreOnly() {
        int first = nextBatchStart();
        for (int slot = 0; slot < BATCH; slot++) {
            vipBatch.buffer().putBytes(vipBatch.offset[slot], vipTemplates, (first + slot) * PACKET_BYTES, PACKET_BYTES);
        }
        presetAll(vipBatch, PUBLIC_VRF, PacketFlags.FROM_OUTSIDE);
        return vipBatch.buffer().getInt(vipBatch.offset[BATCH - 1] + 26);
    }
}
