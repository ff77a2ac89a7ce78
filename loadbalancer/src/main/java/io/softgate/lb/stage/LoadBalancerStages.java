package io.softgate.lb.stage;

import io.softgate.core.pipeline.StageFactory;

/**
 * Wires the load balancer into the packet graph: one shared {@link ConnectionTracker} and the
 * factories of its two stages. Outside -> VPC: {@code acl-ingress -> lb-vip -> nat out2in -> route};
 * VPC -> outside: {@code acl-egress -> lb-reply -> nat in2out -> route} (DESIGN §2).
 *
 * <p>Threading: built by the control thread; the factories may be called from any thread.
 */
public final class LoadBalancerStages {
    /** Default number of tracked connections (about 256 MiB of direct memory). */
    public static final int DEFAULT_CONNECTIONS = 1 << 20;

    private final ConnectionTracker tracker;

    public LoadBalancerStages(int connections) {
        this.tracker = new ConnectionTracker(connections);
    }

    public ConnectionTracker tracker() {
        return tracker;
    }

    /** {@code lb-vip}, forwarding to {@code nextStage}. */
    public StageFactory vipStage(String nextStage) {
        return workerId -> new VipStage(tracker, nextStage);
    }

    /** {@code lb-reply}, forwarding to {@code nextStage}. */
    public StageFactory replyStage(String nextStage) {
        return workerId -> new ReplyStage(tracker, nextStage);
    }
}
