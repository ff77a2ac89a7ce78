package io.softgate.nat.testing;

import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.nat.compile.ExternalAddressRegistry;
import io.softgate.nat.compile.NatRuleCompiler;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatAction;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.VpcBinding;
import io.softgate.nat.log.NatEventLog;
import io.softgate.nat.session.NatSessions;
import io.softgate.nat.session.NatSweeper;
import io.softgate.nat.stage.NatStageFactories;
import java.util.ArrayList;
import java.util.List;

/**
 * A small NAT world for tests: VPCs "blue" (VRF 1) and "red" (VRF 2) with the same private
 * prefix 10.0.0.0/24, the public VRF 0, and the two NAT stages in harnesses sharing one session
 * store. Inner packets are Ethernet frames; the presets set the inner IP offset (14) and VRF.
 *
 * <p>Threading: test thread only.
 */
public final class NatFixture implements AutoCloseable {
    public static final int PUBLIC_VRF = 0;
    public static final int BLUE_VRF = 1;
    public static final int RED_VRF = 2;
    public static final String BLUE_SNAT = "198.51.100.1";
    public static final String RED_SNAT = "198.51.100.2";
    public static final String BLUE_FORWARD = "203.0.113.10";
    public static final String RED_ONE_TO_ONE = "203.0.113.20";
    public static final String RED_ONE_TO_ONE_VM = "10.0.0.30";
    public static final String BLUE_FORWARD_VM = "10.0.0.20";
    public static final long START_NS = 1_000_000_000_000L;

    public final ExternalAddressRegistry registry = new ExternalAddressRegistry(64);
    public final NatEventLog eventLog = new NatEventLog(1 << 16);
    public final NatSessions sessions;
    public final NatSweeper sweeper;
    public final NatTables tables;
    public final StageHarness in2out;
    public final StageHarness out2in;
    private long nowNs = START_NS;

    public NatFixture(NatSettings settings) {
        this(settings, defaultRules(), 4096);
    }

    public NatFixture(NatSettings settings, List<NatRule> rules, int maxSessions) {
        List<VpcBinding> vpcs = List.of(new VpcBinding("blue", BLUE_VRF, "198.51.100.9"),
            new VpcBinding("red", RED_VRF, null));
        this.tables = new NatRuleCompiler(registry).compile(new NatConfig(vpcs, PUBLIC_VRF, rules, settings));
        this.sessions = new NatSessions(maxSessions, maxSessions, 256, eventLog, registry);
        this.sweeper = new NatSweeper(sessions);
        ConfigSnapshot snapshot = new SnapshotPublisher(new WorkerEpochs(1))
            .publish(ConfigSnapshot.builder().with(NatTables.SLOT, tables));
        this.in2out = new StageHarness(NatStageFactories.in2out(sessions, "route").create(0), snapshot);
        this.out2in = new StageHarness(NatStageFactories.out2in(sessions, "route").create(0), snapshot);
        clock(nowNs);
    }

    public static List<NatRule> defaultRules() {
        List<NatRule> rules = new ArrayList<>();
        rules.add(NatRule.builder("blue-out", NatAction.SNAT, "blue").source("10.0.0.0/24", null)
            .snatToIP(BLUE_SNAT).build());
        rules.add(NatRule.builder("red-out", NatAction.SNAT, "red").source("10.0.0.0/24", null)
            .snatToIP(RED_SNAT).build());
        rules.add(NatRule.builder("blue-web", NatAction.DNAT, "blue").protocol("tcp")
            .destination(BLUE_FORWARD + "/32", "8080").dnatTo(BLUE_FORWARD_VM, 80).build());
        rules.add(NatRule.builder("red-eip", NatAction.DNAT, "red")
            .destination(RED_ONE_TO_ONE, null).dnatTo(RED_ONE_TO_ONE_VM, null).build());
        rules.add(NatRule.builder("blue-peering", NatAction.ACCEPT_SNAT, "blue")
            .destination("10.1.0.0/16", null).build());
        return rules;
    }

    /** Sets both harnesses' clock. */
    public void clock(long nowNs) {
        this.nowNs = nowNs;
        in2out.nowNs(nowNs);
        out2in.nowNs(nowNs);
    }

    public long nowNs() {
        return nowNs;
    }

    public void advanceSeconds(long seconds) {
        clock(nowNs + seconds * 1_000_000_000L);
    }

    /** Runs an inner Ethernet frame from VPC {@code vrf} through nat44-in2out. */
    public StageHarness.Outcome fromVpc(int vrf, byte[] frame) {
        return in2out.run(frame, slot -> {
            in2out.batch().l3Offset[slot] = in2out.batch().offset[slot] + 14;
            in2out.batch().l4Offset[slot] = -1;
            in2out.batch().vrf[slot] = vrf;
        });
    }

    /** Runs an inner Ethernet frame from the public VRF through nat44-out2in. */
    public StageHarness.Outcome fromInternet(byte[] frame) {
        return out2in.run(frame, slot -> {
            out2in.batch().l3Offset[slot] = out2in.batch().offset[slot] + 14;
            out2in.batch().l4Offset[slot] = -1;
            out2in.batch().vrf[slot] = PUBLIC_VRF;
            out2in.batch().flags[slot] = PacketFlags.FROM_OUTSIDE;
        });
    }

    /** Sweeps all tables at the current time. */
    public int sweep() {
        return sweeper.sweepAll(tables, nowNs);
    }

    @Override
    public void close() {
        sessions.close();
    }
}
