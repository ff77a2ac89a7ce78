package io.softgate.benchmarks.pipeline;

import io.softgate.core.pipeline.StageFactory;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.ForwardingFeature;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.LoadBalancerConfigException;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.VrfResolver;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import io.softgate.lb.stage.LoadBalancerStages;
import io.softgate.lb.stage.ReplyStage;
import io.softgate.nat.NatCapacity;
import io.softgate.nat.NatModule;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatAction;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.VpcBinding;
import io.softgate.nat.session.SessionKeys;
import io.softgate.nat.stage.Nat44In2OutStage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The load balancer and NAT of the benchmark data plane, on the VPC-to-internet path after the
 * egress ACL: {@code lb-reply} (a connection-table lookup per packet: is this a backend answering
 * a load-balanced client?) and {@code nat44-in2out} (the established SNAT session's precompiled
 * rewrite; the packet moves to the public VRF) for the VPCs the NAT can bind (see
 * {@link #NAT_MAX_VRF}). One SNAT rule per VPC (its VMs to a shared
 * /24 pool) and one load-balanced service in the first VPC.
 *
 * <p>Threading: built and closed on one control thread; the stages it defines are per worker.
 */
public final class PipelineFeatures implements AutoCloseable {
    /** NAT pool every VPC's SNAT rule uses. */
    static final String NAT_POOL = "198.51.100.0/24";
    /**
     * Highest VRF index the NAT accepts ({@link SessionKeys#MAX_VRF}: its session keys hold 21 bits
     * of VRF). VPCs above it would get no NAT binding and route to the internet without
     * translation (see {@link PipelineWorld}); no benchmark scenario reaches it.
     */
    public static final int NAT_MAX_VRF = SessionKeys.MAX_VRF;
    /** Connections the LB tracks (the benchmark traffic creates none on this path). */
    static final int LB_CONNECTIONS = 1 << 16;

    private final NatModule nat;
    private final NatTables natTables;
    private final LoadBalancerStages lb;
    private final LoadBalancerTables lbTables;

    PipelineFeatures(PipelineScenario scenario, Map<String, Integer> vrfByVpc) {
        int sessions = scenario.sessions() + scenario.sessions() / 8 + 1024;
        this.nat = new NatModule(new NatCapacity(sessions, sessions, 1024, 1 << 22, 1024));
        List<VpcBinding> vpcs = new ArrayList<>(scenario.vpcs());
        List<NatRule> rules = new ArrayList<>(scenario.vpcs());
        for (int v = 0; v < scenario.vpcs() && natBinds(PipelineWorld.vrfOfVpc(v)); v++) {
            String vpc = PipelineWorld.vpcName(v);
            vpcs.add(new VpcBinding(vpc, PipelineWorld.vrfOfVpc(v), null));
            rules.add(NatRule.builder("snat-" + v, NatAction.SNAT, vpc).source("10.0.0.0/16", null)
                .snatToPool(NAT_POOL).build());
        }
        this.natTables = nat.compile(new NatConfig(vpcs, 0, rules, NatSettings.defaults()));

        this.lb = new LoadBalancerStages(LB_CONNECTIONS);
        VrfResolver resolver = new VrfResolver() {
            @Override
            public int publicVrf() {
                return 0;
            }

            @Override
            public int vrfOfVpc(String vpc) {
                Integer vrf = vrfByVpc.get(vpc);
                return vrf == null ? UNKNOWN : vrf;
            }
        };
        LoadBalancerService web = LoadBalancerService.of("web", LbProtocol.TCP, "203.0.113.10", 80,
            List.of(Backend.of("10.0.0.10", 8080), Backend.of("10.0.0.11", 8080)), HealthCheck.NONE,
            PipelineWorld.vpcName(0));
        try {
            this.lbTables = new LoadBalancerCompiler(resolver).compile(LoadBalancerConfig.of(List.of(web)),
                BackendHealth.ALL_HEALTHY);
        } catch (LoadBalancerConfigException e) {
            throw new IllegalStateException("benchmark load-balancer config rejected: " + e.getMessage(), e);
        }
    }

    void addTables(ConfigSnapshot.Builder snapshot) {
        snapshot.with(NatTables.SLOT, natTables).with(LoadBalancerTables.SLOT, lbTables);
    }

    void addStages(ForwardingPipeline.Builder graph) {
        graph.feature(new ForwardingFeature() {
            @Override
            public String entryStage() {
                return ReplyStage.NAME;
            }

            @Override
            public List<StageFactory> stages(String nextStage) {
                return List.of(lb.replyStage(nextStage));
            }
        });
        graph.feature(new ForwardingFeature() {
            @Override
            public String entryStage() {
                return Nat44In2OutStage.NAME;
            }

            @Override
            public List<StageFactory> stages(String nextStage) {
                return List.of(nat.in2outStage(nextStage));
            }
        });
    }

    /** True when VPC VRF {@code vrf} is bound to the NAT (its traffic is source-translated). */
    public static boolean natBinds(int vrf) {
        return vrf <= NAT_MAX_VRF;
    }

    /** True when the pipeline has a NAT stage. */
    public static boolean hasNat() {
        return true;
    }

    /** Off-heap bytes of the NAT tables (sessions, mappings, fragments) at capacity. */
    public long natMemoryBytes() {
        return nat.sessions().memoryBytes();
    }

    /** NAT session-table bytes per session at capacity (two entries per session). */
    public long natBytesPerSession() {
        return nat.sessions().bytesPerSession();
    }

    /** Off-heap bytes of the LB connection table. */
    public long lbMemoryBytes() {
        return lb.tracker().table().memoryBytes();
    }

    /** LB connection-table bytes per entry (two entries per load-balanced connection). */
    public int lbBytesPerEntry() {
        return lb.tracker().table().bytesPerEntry();
    }

    /** Capacity of the LB connection table in entries. */
    public int lbCapacity() {
        return lb.tracker().table().capacity();
    }

    @Override
    public void close() {
        nat.close();
        lb.tracker().close();
    }
}
