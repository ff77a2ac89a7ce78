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
    /** {@code profile=shared}: rounds over every rule count, passes over its packets per round. */
    private static final int SHARED_ROUNDS = 4;
    private static final int SHARED_PASSES = 100;

    @Param({"10", "1000", "10000", "100000"})
    public int ruleCount;

    /**
     * Whose data the JIT compiles the classifier for. {@code isolated} (the default): only this
     * rule count's, as a service whose VPCs all look alike gets it. {@code shared}: before the
     * trial, the same packets are classified under every rule count of the mix (10 to 100,000),
     * so the measured code is the one a service with small and large VPCs side by side runs. The
     * compiler prunes the paths a profile never takes: with 10 rules no candidate list holds more
     * than one candidate and every candidate examined matches, which the isolated profile turns
     * into straight-line code that larger rule sets cannot have.
     */
    @Param({"isolated"})
    public String profile = "isolated";

    private VrfClassifier classifier;
    private UnsafeBuffer packets;
    private List<AclRule> rules;
    private final ClassifyBatch batch = new ClassifyBatch(BATCH);

    @Setup(Level.Trial)
    public void setUp() {
        // Traffic into the VPC, as the ingress ACL stage classifies it (AclStage sets the same hint).
        batch.vpcAddresses(ClassifyBatch.DESTINATION);
        if ("shared".equals(profile)) {
            classifyUnderEveryRuleCount();
        } else if (!"isolated".equals(profile)) {
            throw new IllegalArgumentException("profile must be isolated or shared: " + profile);
        }
        rules = RealisticAclRules.rules(ruleCount, "tenant", 42);
        classifier = AclCompiler.compileVpc("tenant", 0, rules, AclAction.DENY);
        packets = packets(rules);
    }

    /** Classifies every rule count's packets in turn, through the code the benchmark measures. */
    private void classifyUnderEveryRuleCount() {
        int[] counts = {10, 1000, 10000, 100000};
        VrfClassifier[] classifiers = new VrfClassifier[counts.length];
        UnsafeBuffer[] buffers = new UnsafeBuffer[counts.length];
        for (int i = 0; i < counts.length; i++) {
            List<AclRule> someRules = RealisticAclRules.rules(counts[i], "tenant", 42);
            classifiers[i] = AclCompiler.compileVpc("tenant", 0, someRules, AclAction.DENY);
            buffers[i] = packets(someRules);
        }
        // Rounds, so that every count's data reaches the profile before and after compilation.
        for (int round = 0; round < SHARED_ROUNDS; round++) {
            for (int i = 0; i < counts.length; i++) {
                for (int pass = 0; pass < SHARED_PASSES; pass++) {
                    classifyAll(classifiers[i], buffers[i], batch);
                }
            }
        }
    }

    /** {@value #PACKETS} 64-byte frames: half aimed inside a random rule, half random traffic. */
    private static UnsafeBuffer packets(List<AclRule> rules) {
        UnsafeBuffer packets = new UnsafeBuffer(new byte[PACKETS * FRAME_BYTES]);
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
        return packets;
    }

    /**
     * Reads the 5-tuple of each 64-byte packet and classifies them the way the ACL stage does, a
     * worker batch ({@value #BATCH} packets) per classify call; ops = packets.
     */
    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public void classify(Blackhole blackhole) {
        blackhole.consume(classifyAll(classifier, packets, batch));
    }

    /** Classifies the {@value #PACKETS} packets of {@code buffer}; returns how many are permitted. */
    private static int classifyAll(VrfClassifier acl, UnsafeBuffer buffer, ClassifyBatch pending) {
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
        return permitted;
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
