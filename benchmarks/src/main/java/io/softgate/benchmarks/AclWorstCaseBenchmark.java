package io.softgate.benchmarks;

import io.softgate.acl.classify.AclCompiler;
import io.softgate.acl.classify.ClassifyBatch;
import io.softgate.acl.classify.VrfClassifier;
import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * ACL classification when many rules name one server: the rule sets that concentrate on one
 * address, where a classifier's cost can grow with the rule count. {@code allowList}: one rule
 * per client address, "tcp client/32 -> server/32 port 443 permit"; {@code servicePorts}: one rule
 * per port, "tcp any -> server/32 port N permit"; {@code anyPorts}: one rule per port, "tcp any ->
 * any port N permit"; {@code servicePortsFragments}: the service ports' rules, and the packets are
 * UDP non-first fragments (no ports). Default deny. Packets go to the server, TCP port 443 for the
 * allow-list and a port no rule names for the others, from random addresses no rule names: the
 * packets that must look at every rule on the server to be denied.
 *
 * <p>Threading: JMH runs each benchmark method on its own thread with its own state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class AclWorstCaseBenchmark {
    private static final int SERVER = 0x0A00_0005;
    private static final int PACKETS = 4096;
    private static final int BATCH = 64;

    @Param({"allowList", "servicePorts", "anyPorts", "servicePortsFragments"})
    public String shape;

    @Param({"10", "1000", "10000"})
    public int ruleCount;

    private VrfClassifier classifier;
    private final ClassifyBatch batch = new ClassifyBatch(BATCH);
    private long[] sources;
    private int destinationPort;
    private int protocol;
    private boolean fragments;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(11);
        List<AclRule> rules = new ArrayList<>(ruleCount);
        boolean allowList = shape.equals("allowList");
        for (int i = 0; i < ruleCount; i++) {
            AclRule.Builder rule = AclRule.builder("rule-" + i, "tenant").priority(i).protocol(AclProtocol.TCP)
                .permit();
            if (!shape.equals("anyPorts")) {
                rule.dstPrefix(IpPrefix.ipv4(SERVER, 32));
            }
            if (allowList) {
                rule.srcPrefix(IpPrefix.ipv4(0x2000_0000 + random.nextInt(1 << 28), 32)).dstPort(443);
            } else {
                rule.dstPort(1 + i);
            }
            rules.add(rule.build());
        }
        classifier = AclCompiler.compileVpc("tenant", 0, rules, AclAction.DENY);
        destinationPort = allowList ? 443 : 65_000;
        fragments = shape.equals("servicePortsFragments");
        // A non-first fragment has no ports (RFC 791 §3.2): the stage classifies it with ports 0.
        protocol = fragments ? 17 : 6;
        destinationPort = fragments ? 0 : destinationPort;
        sources = new long[PACKETS];
        for (int i = 0; i < PACKETS; i++) {
            sources[i] = (long) (0x3000_0000 + random.nextInt(1 << 28)) << 32;
        }
    }

    /** Classifies 4,096 packets to the server, a worker batch (64) per call; ops = packets. */
    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public int classify() {
        VrfClassifier acl = classifier;
        ClassifyBatch pending = batch;
        long destination = (long) SERVER << 32;
        int permitted = 0;
        for (int first = 0; first < PACKETS; first += BATCH) {
            pending.clear();
            for (int i = first; i < first + BATCH; i++) {
                pending.add(false, sources[i], 0, destination, 0, protocol, fragments ? 0 : 40_000 + (i & 0x3FF),
                    destinationPort, -1, fragments);
            }
            acl.classify(pending);
            for (int i = 0; i < BATCH; i++) {
                permitted += acl.permits(pending.rank(i)) ? 1 : 0;
            }
        }
        return permitted;
    }
}
