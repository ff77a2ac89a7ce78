package io.softgate.benchmarks;

import io.softgate.acl.classify.AclCompiler;
import io.softgate.acl.classify.ClassifyBatch;
import io.softgate.acl.classify.VrfClassifier;
import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclRule;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.packet.TcpFlyweight;
import java.util.List;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * ACL classification throughput as the rule count grows (10 to 100,000 rules of a tenant-like
 * mix in one VPC), on 64-byte IPv4 packets whose headers are read from a buffer for every
 * classification; and the time to compile 100,000 rules.
 *
 * <p>Threading: JMH runs each benchmark method on its own thread with its own state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class AclBenchmark {
    private static final int PACKETS = 4096;
    private static final int FRAME_BYTES = 64;
    private static final int IP_OFFSET = 14;
    private static final int L4_OFFSET = IP_OFFSET + 20;
    /** Packets per classify call: the service's default worker batch (DataplaneConfig). */
    private static final int BATCH = 64;

    @Param({"10", "1000", "10000", "100000"})
    public int ruleCount;

    private VrfClassifier classifier;
    private UnsafeBuffer packets;
    private List<AclRule> rules;
    private final ClassifyBatch batch = new ClassifyBatch(BATCH);

    @Setup(Level.Trial)
    public void setUp() {
        rules = RealisticAclRules.rules(ruleCount, "tenant", 42);
        classifier = AclCompiler.compileVpc("tenant", 0, rules, AclAction.DENY);
        packets = new UnsafeBuffer(new byte[PACKETS * FRAME_BYTES]);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < PACKETS; i++) {
            int[] fields = RealisticAclRules.packetFields(rules, random);
            PacketBuilder builder = PacketBuilder.ethernet(0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L)
                .ipv4(fields[0], fields[1]);
            if (fields[2] == 1) {
                builder.icmp(8, 0, 0x1234_0001).payload(22);
            } else if (fields[2] == 17) {
                builder.udp(fields[3], fields[4]).payload(22);
            } else {
                builder.tcp(fields[3], fields[4]).payload(10);
            }
            byte[] frame = builder.build();
            packets.putBytes(i * FRAME_BYTES, frame, 0, Math.min(frame.length, FRAME_BYTES));
        }
    }

    /**
     * Reads the 5-tuple of each 64-byte packet and classifies them the way the ACL stage does, a
     * worker batch ({@value #BATCH} packets) per classify call; ops = packets.
     */
    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public void classify(Blackhole blackhole) {
        UnsafeBuffer buffer = packets;
        VrfClassifier acl = classifier;
        ClassifyBatch pending = batch;
        int permitted = 0;
        for (int first = 0; first < PACKETS; first += BATCH) {
            pending.clear();
            for (int i = first; i < first + BATCH; i++) {
                int ip = i * FRAME_BYTES + IP_OFFSET;
                int l4 = i * FRAME_BYTES + L4_OFFSET;
                int protocol = Ipv4Flyweight.protocol(buffer, ip);
                long source = (Ipv4Flyweight.source(buffer, ip) & 0xFFFF_FFFFL) << 32;
                long destination = (Ipv4Flyweight.destination(buffer, ip) & 0xFFFF_FFFFL) << 32;
                int sourcePort = 0;
                int destinationPort = 0;
                int icmpType = -1;
                if (protocol == Ipv4Flyweight.PROTOCOL_ICMP) {
                    icmpType = buffer.getByte(l4) & 0xFF;
                } else {
                    sourcePort = TcpFlyweight.sourcePort(buffer, l4);
                    destinationPort = TcpFlyweight.destinationPort(buffer, l4);
                }
                pending.add(false, source, 0, destination, 0, protocol, sourcePort, destinationPort, icmpType, false);
            }
            acl.classify(pending);
            for (int i = 0; i < BATCH; i++) {
                if (acl.permits(pending.rank(i))) {
                    permitted++;
                }
            }
        }
        blackhole.consume(permitted);
    }

    /** Compiles the rule set once per invocation (single-shot: read as seconds per compile). */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 3)
    public VrfClassifier compile() {
        return AclCompiler.compileVpc("tenant", 0, rules, AclAction.DENY);
    }
}
