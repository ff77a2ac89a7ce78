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
import java.util.List;
import java.util.Map;

/**
 * The feature stages of the benchmark data plane after the egress ACL, on the VPC-to-internet
 * path: {@code lb-reply} (a connection-table lookup per packet: is this a backend answering a
 * load-balanced client?), with one load-balanced service in the first VPC. The NAT module is
 * not on main yet: until it is, no VPC is NAT-bound ({@link #natBinds}) and VMs reach the
 * internet routed, untranslated.
 *
 * <p>Threading: built and closed on one control thread; the stages it defines are per worker.
 */
public final class PipelineFeatures implements AutoCloseable {
    /** Connections the LB tracks (the benchmark traffic creates none on this path). */
    static final int LB_CONNECTIONS = 1 << 16;

    private final LoadBalancerStages lb;
    private final LoadBalancerTables lbTables;

    PipelineFeatures(PipelineScenario scenario, Map<String, Integer> vrfByVpc) {
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
        snapshot.with(LoadBalancerTables.SLOT, lbTables);
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
    }

    /** True when VPC VRF {@code vrf} is bound to the NAT (its traffic is source-translated). */
    public static boolean natBinds(int vrf) {
        return false;
    }

    /** True when the pipeline has a NAT stage. */
    public static boolean hasNat() {
        return false;
    }

    /** Off-heap bytes of the NAT tables (none without NAT). */
    public long natMemoryBytes() {
        return 0;
    }

    /** NAT session-table bytes per session (none without NAT). */
    public long natBytesPerSession() {
        return 0;
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
        lb.tracker().close();
    }
}
