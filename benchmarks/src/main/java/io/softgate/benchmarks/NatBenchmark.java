package io.softgate.benchmarks;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.nat.NatCapacity;
import io.softgate.nat.NatModule;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatAction;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.VpcBinding;
import io.softgate.nat.stage.Nat44In2OutStage;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * NAT44 on one core (issue 4): the established-session fast path with one million sessions and
 * 64-byte packets hitting them in random order, and the session creation rate (every packet a new
 * flow, slow path: policy, EIM mapping, random port, two table inserts, event-log record). Scores
 * are packets (sessions) per second; each invocation is one batch of {@value #BATCH}, and it
 * includes copying each 64-byte packet into its frame, standing in for receive. Memory per
 * session is printed at set-up.
 *
 * <pre>
 * mvn -o -q -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar NatBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc
 * </pre>
 *
 * <p>Threading: JMH thread-scoped state; one benchmark thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=6g", "-XX:+UseParallelGC"})
public class NatBenchmark {
    static final int BATCH = 64;
    static final int PACKET_BYTES = 64;
    static final int SUBSCRIBERS = 1 << 16;
    static final int VPC_VRF = 1;
    static final int PUBLIC_VRF = 0;

    /** A NAT with its in2out stage in a one-stage pipeline, fed batches of packets. */
    abstract static class NatWorld {
        NatModule nat;
        ConfigSnapshot snapshot;
        Pipeline pipeline;
        PacketBatch batch;
        FramePool pool;
        FrameMemory memory;
        int[] frames;
        long nowNs = 1_000_000_000_000L;

        void build(int maxSessions) {
            // Mappings share their table with subscriber counters and permits: a small world gets
            // room to spare so that no flow of its set-up is refused (a refused flow would take the
            // slow path on every pass and measure that instead of the fast path).
            nat = new NatModule(new NatCapacity(maxSessions, Math.max(maxSessions, 1 << 16), 1024, 1 << 24, 64));
            NatConfig config = new NatConfig(List.of(new VpcBinding("bench", VPC_VRF, null)), PUBLIC_VRF,
                List.of(NatRule.builder("out", NatAction.SNAT, "bench").source("10.0.0.0/8", null)
                    .snatToPool("198.51.100.0/27").build()),
                NatSettings.defaults());
            NatTables tables = nat.compile(config);
            snapshot = new SnapshotPublisher(new WorkerEpochs(1))
                .publish(ConfigSnapshot.builder().with(NatTables.SLOT, tables));
            memory = new FrameMemory(BATCH * 2);
            pool = new FramePool(memory);
            batch = new PacketBatch(memory, BATCH);
            pipeline = new Pipeline(PipelineDefinition.builder().stage(nat.in2outStage(Stage.TRANSMIT))
                .entry(Nat44In2OutStage.NAME).build(), 0, batch, pool, new CounterLayout());
            frames = new int[BATCH];
            for (int i = 0; i < BATCH; i++) {
                frames[i] = pool.allocate();
            }
        }

        /** Loads packets {@code [first, first + BATCH)} of {@code packets} (each PACKET_BYTES long) and runs the stage. */
        void runBatch(byte[] packets, int first) {
            UnsafeBuffer buffer = memory.buffer();
            batch.clear();
            for (int i = 0; i < BATCH; i++) {
                int start = memory.packetStart(frames[i]);
                buffer.putBytes(start, packets, (first + i) * PACKET_BYTES, PACKET_BYTES);
                int slot = batch.add(frames[i], start, PACKET_BYTES, 0);
                batch.l3Offset[slot] = start + 14;
                batch.vrf[slot] = VPC_VRF;
            }
            pipeline.run(batch, snapshot, nowNs);
        }

        /** A 64-byte Ethernet/IPv4/UDP packet from subscriber {@code index}'s port {@code port}. */
        static byte[] packet(int subscriber, int port) {
            String source = "10." + ((subscriber >>> 16) & 0xFF) + "." + ((subscriber >>> 8) & 0xFF) + "."
                + (subscriber & 0xFF);
            return PacketBuilder.ethernet(2, 0xFE).ipv4(source, "192.0.2.1").udp(port, 443)
                .payload(PACKET_BYTES - 42).build();
        }
    }

    /** One million established UDP sessions, visited in a shuffled order. */
    @State(Scope.Thread)
    public static class Established extends NatWorld {
        /**
         * 1M; {@code -Dnat.sessions=4096} (CpuTimePerOp, NatCpuSplit) gives the cache-resident
         * case, which isolates the NAT's own work from the table's memory misses.
         */
        static final int SESSIONS = Integer.getInteger("nat.sessions", 1 << 20);
        byte[] packets;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            build(SESSIONS);
            packets = new byte[SESSIONS * PACKET_BYTES];
            int[] order = Permutations.shuffled(SESSIONS, new Random(42)::nextInt);
            for (int i = 0; i < SESSIONS; i++) {
                int flow = order[i];
                byte[] one = packet(flow % SUBSCRIBERS, 1024 + flow / SUBSCRIBERS);
                System.arraycopy(one, 0, packets, i * PACKET_BYTES, PACKET_BYTES);
            }
            for (int first = 0; first < SESSIONS; first += BATCH) {
                runBatch(packets, first);
            }
            long created = counter("nat44-in2out.sessions-created");
            System.out.printf("%nNAT set-up: %d sessions created of %d; session table %d MiB (%d bytes per session"
                    + " at capacity), all NAT tables %d MiB (%d bytes per session)%n", created, SESSIONS,
                nat.sessions().bytesPerSession() * SESSIONS >> 20, nat.sessions().bytesPerSession(),
                nat.sessions().memoryBytes() >> 20, nat.sessions().memoryBytes() / SESSIONS);
            for (String name : pipeline.counters().layout().names()) {
                if (counter(name) > 0 && !name.endsWith("sessions-created")) {
                    System.out.printf("NAT set-up: %s %d%n", name, counter(name));
                }
            }
            // At half load a 32-slot probe window refuses a handful of inserts (counted, never evicting).
            if (created < SESSIONS - Math.max(SESSIONS / 1000, 64)) {
                throw new IllegalStateException("only " + created + " sessions created");
            }
        }

        long counter(String name) {
            int id = pipeline.counters().layout().id(name);
            return pipeline.counters().get(id);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            nat.close();
        }
    }

    /** An empty NAT per iteration; every packet opens a new session (a new subscriber port). */
    @State(Scope.Thread)
    public static class Creation extends NatWorld {
        static final int CAPACITY = 1 << 21;
        static final int PORTS_PER_SUBSCRIBER = 64;
        byte[] packets;
        int next;

        @Setup(Level.Trial)
        public void prepare() {
            packets = new byte[SUBSCRIBERS * PORTS_PER_SUBSCRIBER / 8 * PACKET_BYTES];
            int count = packets.length / PACKET_BYTES;
            for (int i = 0; i < count; i++) {
                byte[] one = packet(i % SUBSCRIBERS, 1024 + i / SUBSCRIBERS);
                System.arraycopy(one, 0, packets, i * PACKET_BYTES, PACKET_BYTES);
            }
        }

        @Setup(Level.Iteration)
        public void setUp() {
            build(CAPACITY);
            next = 0;
        }

        @TearDown(Level.Iteration)
        public void tearDown() {
            int created = (int) pipeline.counters().get(pipeline.counters().layout().id("nat44-in2out.sessions-created"));
            long dropped = 0;
            for (String name : pipeline.counters().layout().names()) {
                if (name.contains(".drop.")) {
                    dropped += pipeline.counters().get(pipeline.counters().layout().id(name));
                }
            }
            System.out.printf(" [created %d sessions, dropped %d]", created, dropped);
            nat.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int establishedFastPath(Established state) {
        int first = state.next;
        state.next = first + BATCH >= Established.SESSIONS ? 0 : first + BATCH;
        state.runBatch(state.packets, first);
        return state.pipeline.transmitVector().size();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int sessionCreation(Creation state) {
        int count = state.packets.length / PACKET_BYTES;
        int first = state.next;
        if (first + BATCH > count) {
            // Every subscriber port of the set has its session: shift all ports to new ones.
            shiftPorts(state.packets, count);
            first = 0;
        }
        state.next = first + BATCH;
        state.runBatch(state.packets, first);
        return state.pipeline.transmitVector().size();
    }

    private static void shiftPorts(byte[] packets, int count) {
        int shift = count / SUBSCRIBERS;
        for (int i = 0; i < count; i++) {
            int at = i * PACKET_BYTES + 34;
            int port = ((packets[at] & 0xFF) << 8 | (packets[at + 1] & 0xFF)) + shift;
            if (port > 65535) {
                port = 1024 + (port - 65536);
            }
            packets[at] = (byte) (port >>> 8);
            packets[at + 1] = (byte) port;
        }
    }
}
