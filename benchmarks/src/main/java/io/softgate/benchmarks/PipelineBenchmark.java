package io.softgate.benchmarks;

import io.softgate.benchmarks.pipeline.PipelineScenario;
import io.softgate.benchmarks.pipeline.PipelineWorker;
import io.softgate.benchmarks.pipeline.PipelineWorld;
import io.softgate.benchmarks.pipeline.ReplayPacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The whole data plane per packet (issue 10): {@code vxlan-decap -> acl-egress -> lb-reply ->
 * nat44-in2out -> vrf-route -> vxlan-encap}, the real stages in a real {@code Worker}
 * ({@code doWork()}: receive a batch, adopt the snapshot, run the pipeline, transmit, release),
 * VM-to-internet traffic over {@code sessions} established flows spread over {@code vpcs} VPCs,
 * each VPC with {@code rules} egress ACL rules; inner frames of {@code packetBytes} bytes.
 * One invocation is one batch of {@value PipelineWorld#BATCH_SIZE} packets, so the score is
 * packets per second of one worker thread.
 *
 * <p>Workers: run with {@code -t N} (JMH threads): each thread is one worker with its own frames
 * and batch, taking every N-th flow (as RSS would), all sharing the tables; the score is then
 * the sum over the N workers. {@code receiveOnly} measures the replay queue alone (writing 92
 * header bytes per packet into its frame and releasing it), the stand-in for the NIC.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PipelineBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc \
 *     -p sessions=100000 -p rules=1000 -p vpcs=1 -p packetBytes=64
 * </pre>
 *
 * <p>Threading: JMH states; the world is shared by the benchmark threads, each worker belongs to one.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:MaxDirectMemorySize=12g"})
public class PipelineBenchmark {
    /**
     * The configured softgate: tables, sessions, flows.
     *
     * <p>Threading: set up and torn down by JMH on one thread; read by every benchmark thread.
     */
    @State(Scope.Benchmark)
    public static class World {
        @Param({"100000"})
        public int sessions;
        @Param({"1000"})
        public int rules;
        @Param({"1"})
        public int vpcs;
        @Param({"64"})
        public int packetBytes;

        PipelineWorld world;

        @Setup(Level.Trial)
        public void setUp() {
            world = new PipelineWorld(new PipelineScenario(sessions, rules, vpcs, packetBytes));
            System.out.printf("%nPipeline world: %s; tables compiled in %d ms; stages %s; %.4f of packets forwarded%n",
                world.scenario(), world.tableCompileNs() / 1_000_000, world.stageNames(), world.establishedShare());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            world.close();
        }
    }

    /**
     * One worker per benchmark thread.
     *
     * <p>Threading: owned by its benchmark thread.
     */
    @State(Scope.Thread)
    public static class WorkerState {
        PipelineWorker worker;
        ReplayPacketIo receiveOnlyIo;
        PacketBatch receiveOnlyBatch;
        FramePool receiveOnlyPool;

        @Setup(Level.Trial)
        public void setUp(World world, ThreadParams threads) {
            worker = world.world.newWorker(threads.getThreadIndex(), threads.getThreadCount());
            FrameMemory memory = new FrameMemory(PipelineWorld.BATCH_SIZE * 2);
            receiveOnlyPool = new FramePool(memory);
            receiveOnlyBatch = new PacketBatch(memory, PipelineWorld.BATCH_SIZE);
            PipelineWorker other = world.world.newWorker(threads.getThreadIndex(), threads.getThreadCount());
            receiveOnlyIo = new ReplayPacketIo("receive-only", memory, other.io().headers(),
                PipelineWorld.HEADER_BYTES, world.packetBytes + PipelineWorld.VXLAN_OVERHEAD_BYTES);
        }
    }

    /** One batch through the whole pipeline (receive, all stages, transmit). */
    @Benchmark
    @OperationsPerInvocation(PipelineWorld.BATCH_SIZE)
    public int forward(WorkerState state) {
        return state.worker.worker().doWork();
    }

    /** The replay receive and the frame release alone (subtract from {@link #forward} for the softgate's share). */
    @Benchmark
    @OperationsPerInvocation(PipelineWorld.BATCH_SIZE)
    public int receiveOnly(WorkerState state) {
        PacketBatch batch = state.receiveOnlyBatch;
        batch.clear();
        int received = state.receiveOnlyIo.receive(batch, 0, state.receiveOnlyPool);
        for (int slot = 0; slot < received; slot++) {
            state.receiveOnlyPool.release(batch.frame[slot]);
        }
        return received;
    }
}
