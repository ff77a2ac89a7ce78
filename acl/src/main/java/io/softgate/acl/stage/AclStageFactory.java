package io.softgate.acl.stage;

import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageFactory;

/**
 * Makes one ACL stage per worker. Insert it where {@code vrf[slot]} is the tenant VPC's VRF and
 * the inner addresses are the VPC's own (egress: before nat in2out; ingress: after nat out2in),
 * so both directions of a connection meet the same rules and the same return-traffic entries.
 *
 * <p>Threading: called by the control thread while workers are built.
 */
public final class AclStageFactory implements StageFactory {
    /** Conventional names of the two placements. */
    public static final String EGRESS = "acl-egress";
    public static final String INGRESS = "acl-ingress";

    private final String stageName;
    private final String nextStage;
    private final AclRuntime runtime;

    /**
     * @param stageName e.g. {@link #EGRESS} or {@link #INGRESS}
     * @param nextStage where permitted packets go (edge 0)
     * @param runtime   shared by every ACL stage of the process
     */
    public AclStageFactory(String stageName, String nextStage, AclRuntime runtime) {
        this.stageName = stageName;
        this.nextStage = nextStage;
        this.runtime = runtime;
    }

    @Override
    public Stage create(int workerId) {
        return new AclStage(stageName, nextStage, runtime, runtime.counters().forWorker(workerId));
    }
}
