package io.softgate.acl.stage;

import io.softgate.acl.classify.AclCompiler;
import io.softgate.acl.classify.AclTables;
import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclConfig;
import io.softgate.acl.model.AclRule;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * One ACL stage on a harness, with the decap stage's slot metadata preset the way the pipeline
 * sets it (VRF, inner L3/L4 offsets, flags), and helpers to publish rule sets.
 *
 * <p>Threading: test thread only.
 */
final class AclFixture implements AutoCloseable {
    static final String VPC = "tenant";
    static final int VRF = 1;
    static final int OTHER_VRF = 2;
    static final int ETHERNET = 14;
    static final long MAC_A = 0x02_00_00_00_00_01L;
    static final long MAC_B = 0x02_00_00_00_00_02L;

    final AclRuntime runtime = new AclRuntime(1 << 12, AclFlowTimeouts.defaults());
    final SnapshotPublisher publisher = new SnapshotPublisher(new WorkerEpochs(1));
    final StageHarness harness;
    AclTables tables;

    AclFixture(List<AclRule> rules, AclAction defaultAction) {
        publish(rules, defaultAction);
        harness = new StageHarness(new AclStageFactory(AclStageFactory.INGRESS, "next", runtime).create(0),
            publisher.current());
        harness.nowNs(1_000_000_000L);
    }

    /** Compiles and publishes a new rule set (as the service does on a PUT /api/acl). */
    void publish(List<AclRule> rules, AclAction defaultAction) {
        tables = AclCompiler.compile(new AclConfig(rules, Map.of(VPC, defaultAction)),
            Map.of(VPC, VRF, "unfiltered", OTHER_VRF));
        ConfigSnapshot snapshot = publisher.publish(ConfigSnapshot.builder().with(AclTables.SLOT, tables));
        if (harness != null) {
            harness.snapshot(snapshot);
        }
    }

    static PacketBuilder ether() {
        return PacketBuilder.ethernet(MAC_A, MAC_B);
    }

    /** Presets for an inner IPv4 packet without options right after Ethernet. */
    static IntConsumer ipv4(StageHarness harness, int vrf, int extraFlags) {
        return slot -> {
            var batch = harness.batch();
            batch.vrf[slot] = vrf;
            batch.l3Offset[slot] = batch.offset[slot] + ETHERNET;
            boolean nonFirst = (extraFlags & PacketFlags.NON_FIRST_FRAGMENT) != 0;
            batch.l4Offset[slot] = nonFirst ? -1 : batch.offset[slot] + ETHERNET + 20;
            batch.flags[slot] = extraFlags;
        };
    }

    /** Presets for an inner IPv6 packet without extension headers. */
    static IntConsumer ipv6(StageHarness harness, int vrf, int extraFlags) {
        return slot -> {
            var batch = harness.batch();
            batch.vrf[slot] = vrf;
            batch.l3Offset[slot] = batch.offset[slot] + ETHERNET;
            batch.l4Offset[slot] = batch.offset[slot] + ETHERNET + 40;
            batch.flags[slot] = PacketFlags.INNER_IPV6 | extraFlags;
        };
    }

    IntConsumer ipv4() {
        return ipv4(harness, VRF, 0);
    }

    IntConsumer ipv4(int flags) {
        return ipv4(harness, VRF, flags);
    }

    IntConsumer ipv6() {
        return ipv6(harness, VRF, 0);
    }

    String run(byte[] packet, IntConsumer presets) {
        return harness.run(packet, presets).verdict();
    }

    long counter(String suffix) {
        return harness.counter(AclStageFactory.INGRESS + "." + suffix);
    }

    @Override
    public void close() {
        runtime.close();
    }
}
