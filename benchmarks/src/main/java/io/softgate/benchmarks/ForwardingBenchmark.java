package io.softgate.benchmarks;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.Ipv4Prefix;
import io.softgate.evpn.forwarding.model.MacAddress;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * VXLAN decapsulation + VRF route lookup + VXLAN encapsulation through the real stages and the
 * real {@link Pipeline}, per packet: each invocation forwards a batch of {@value #BATCH_SIZE}
 * frames of 64-byte inner Ethernet frames (inner IPv4/UDP, 114 bytes on the wire) to random
 * destinations among {@code routeCount} routes (a mix of /16-/32 prefixes over 16 remote VTEPs).
 * Every invocation first copies each received frame back into its packet memory, as a NIC would
 * (the stages rewrite the frames in place), so that copy is included in {@code forward};
 * {@code receiveCopyOnly} measures the copy alone.
 *
 * <p>Threading: JMH state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ForwardingBenchmark {
    static final int BATCH_SIZE = 256;
    private static final int REMOTE_VTEPS = 16;
    private static final String OUR_VTEP = "192.0.2.1";
    private static final long OUR_ROUTER_MAC = PacketBuilder.parseMac("02:5f:00:00:00:01");
    private static final int L3_VNI = 5001;

    @Param({"10", "100000"})
    int routeCount;

    /** The graph to run; {@link CpuProfile} swaps in one with timed stages. */
    PipelineDefinition definition = ForwardingPipeline.definition();

    private FrameMemory memory;
    private UnsafeBuffer buffer;
    private PacketBatch batch;
    private Pipeline pipeline;
    private ConfigSnapshot snapshot;
    private byte[][] frames;
    private int[] frameIndex;
    private int[] frameStart;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(42);
        List<Ipv4Prefix> prefixes = randomPrefixes(random, routeCount);
        ForwardingTables tables = new ForwardingCompiler().compile(intent(prefixes));
        snapshot = new SnapshotPublisher(new WorkerEpochs(1))
            .publish(ConfigSnapshot.builder().with(ForwardingTables.SLOT, tables));

        memory = new FrameMemory(BATCH_SIZE * 2);
        buffer = memory.buffer();
        FramePool pool = new FramePool(memory);
        batch = new PacketBatch(memory, BATCH_SIZE);
        pipeline = new Pipeline(definition, 0, batch, pool, new CounterLayout());

        frames = new byte[BATCH_SIZE][];
        frameIndex = new int[BATCH_SIZE];
        frameStart = new int[BATCH_SIZE];
        for (int i = 0; i < BATCH_SIZE; i++) {
            Ipv4Prefix prefix = prefixes.get(random.nextInt(prefixes.size()));
            int destination = prefix.address() | (random.nextInt() & ~Ipv4Prefix.mask(prefix.length()));
            byte[] inner = PacketBuilder.ethernet(PacketBuilder.parseMac("02:11:00:00:00:01"), OUR_ROUTER_MAC)
                .ipv4(Ipv4Address.parse("172.16.0.10").value(), destination).ttl(64)
                .udp(1024 + random.nextInt(60000), 443).payload(22).build();
            frames[i] = PacketBuilder.vxlan(PacketBuilder.parseMac("02:11:00:00:00:aa"),
                PacketBuilder.parseMac("02:5f:00:00:00:aa"), "192.0.2.200", OUR_VTEP, 50000 + i, L3_VNI, inner);
            frameIndex[i] = pool.allocate();
            frameStart[i] = memory.packetStart(frameIndex[i]);
        }
        if (forwardBatch() != BATCH_SIZE) {
            throw new IllegalStateException("the benchmark batch must be forwarded whole; check the routes");
        }
    }

    private static List<Ipv4Prefix> randomPrefixes(Random random, int count) {
        Set<Ipv4Prefix> prefixes = new LinkedHashSet<>();
        while (prefixes.size() < count) {
            int pick = random.nextInt(4);
            int length = pick < 2 ? 24 : pick == 2 ? 32 : 16 + random.nextInt(15);
            int address = (10 << 24) | (random.nextInt() >>> 8);
            prefixes.add(new Ipv4Prefix(address & Ipv4Prefix.mask(length), length));
        }
        return new ArrayList<>(prefixes);
    }

    private static ForwardingIntent intent(List<Ipv4Prefix> prefixes) {
        NodeIntent node = NodeIntent.of(OUR_VTEP, "02:5f:00:00:00:01", "02:5f:00:00:00:aa", "02:ee:00:00:00:01");
        List<RouteIntent> routes = new ArrayList<>(prefixes.size());
        for (int i = 0; i < prefixes.size(); i++) {
            int vtep = i % REMOTE_VTEPS;
            routes.add(new RouteIntent("tenant", prefixes.get(i),
                new NextHop.RemoteVtep(Ipv4Address.parse("192.0.2." + (10 + vtep)),
                    new MacAddress(0x0220_0000_0000L + vtep)), RouteSource.BGP));
        }
        routes.add(new RouteIntent("tenant", new Ipv4Prefix(Ipv4Address.parse("172.16.0.0").value(), 12),
            NextHop.remoteVtep("192.0.2.200", "02:11:00:00:00:01"), RouteSource.STATIC));
        return ForwardingIntent.of(node, List.of(VrfIntent.of("tenant", L3_VNI, 1)), routes);
    }

    /** Puts the received frames back in place and fills the batch, as a receive would. */
    private void receiveBatch() {
        PacketBatch packets = batch;
        packets.clear();
        for (int i = 0; i < BATCH_SIZE; i++) {
            byte[] frame = frames[i];
            buffer.putBytes(frameStart[i], frame);
            packets.add(frameIndex[i], frameStart[i], frame.length, 0);
        }
    }

    private int forwardBatch() {
        receiveBatch();
        pipeline.run(batch, snapshot, 0);
        return pipeline.transmitVector().size();
    }

    /** Decap + route + encap of one batch, including the copy that restores the received frames. */
    @Benchmark
    @OperationsPerInvocation(BATCH_SIZE)
    public int forward() {
        return forwardBatch();
    }

    /** Only the copy that restores the received frames: subtract it from {@link #forward()} for the stages alone. */
    @Benchmark
    @OperationsPerInvocation(BATCH_SIZE)
    public int receiveCopyOnly() {
        receiveBatch();
        return batch.size();
    }
}
