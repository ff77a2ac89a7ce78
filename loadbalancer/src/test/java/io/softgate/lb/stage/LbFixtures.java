package io.softgate.lb.stage;

import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.TestVrfs;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Shared test setup for the LB stages: the reference services, packet builders for inner frames,
 * and slot presets as the decap stage leaves them.
 *
 * <p>Threading: test-thread only.
 */
final class LbFixtures {
    static final String CLIENT = "198.51.100.7";
    static final String VIP = "203.0.113.10";
    static final String FULL_NAT_VIP = "203.0.113.20";
    static final String FULL_NAT_SOURCE = "10.2.255.1";
    static final String WEB_BACKEND = "10.1.0.5";
    static final String DNS_BACKEND = "10.1.0.6";
    static final String FULL_NAT_BACKEND = "10.2.0.9";
    static final long MAC_A = 0x02_00_00_00_00_01L;
    static final long MAC_B = 0x02_00_00_00_00_02L;
    static final int ETHERNET = 14;

    private LbFixtures() {
    }

    /** web: TCP VIP:80 -> 10.1.0.5:8080 (blue); dns: UDP VIP:53 -> 10.1.0.6:53 (blue); full: TCP .20:443 full NAT -> 10.2.0.9:8443 (green). */
    static LoadBalancerConfig referenceConfig() {
        return LoadBalancerConfig.of(List.of(
            LoadBalancerService.of("web", LbProtocol.TCP, VIP, 80, List.of(Backend.of(WEB_BACKEND, 8080)), HealthCheck.NONE, "blue"),
            LoadBalancerService.of("dns", LbProtocol.UDP, VIP, 53, List.of(Backend.of(DNS_BACKEND, 53)), HealthCheck.NONE, "blue"),
            new LoadBalancerService("full", LbProtocol.TCP, FULL_NAT_VIP, 443, List.of(Backend.of(FULL_NAT_BACKEND, 8443)),
                HealthCheck.NONE, "green", FULL_NAT_SOURCE, true)))
            .withMaglevTableSize(251);
    }

    static LoadBalancerTables compile(LoadBalancerCompiler compiler, LoadBalancerConfig config, BackendHealth health) {
        try {
            return compiler.compile(config, health);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A published snapshot holding {@code tables}. */
    static ConfigSnapshot snapshot(LoadBalancerTables tables) {
        SnapshotPublisher publisher = new SnapshotPublisher(new WorkerEpochs(1));
        return publisher.publish(ConfigSnapshot.builder().with(LoadBalancerTables.SLOT, tables));
    }

    static PacketBuilder frame() {
        return PacketBuilder.ethernet(MAC_A, MAC_B);
    }

    /** Presets of a packet from the internet: public VRF, inner IPv4 after a 14-byte Ethernet header. */
    static IntConsumer fromOutside(PacketBatch batch) {
        return slot -> preset(batch, slot, TestVrfs.PUBLIC, PacketFlags.FROM_OUTSIDE);
    }

    /** Presets of a packet from VPC {@code vrf}. */
    static IntConsumer fromVpc(PacketBatch batch, int vrf) {
        return slot -> preset(batch, slot, vrf, 0);
    }

    static void preset(PacketBatch batch, int slot, int vrf, int flags) {
        batch.l3Offset[slot] = batch.offset[slot] + ETHERNET;
        batch.l4Offset[slot] = batch.l3Offset[slot] + 20;
        batch.vrf[slot] = vrf;
        batch.flags[slot] = flags;
    }

    /** Bytes of a frame from the IPv4 header on (what an ICMP error quotes). */
    static byte[] ipPart(byte[] frame) {
        return java.util.Arrays.copyOfRange(frame, ETHERNET, frame.length);
    }
}
