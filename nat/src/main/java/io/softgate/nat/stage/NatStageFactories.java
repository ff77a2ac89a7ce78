package io.softgate.nat.stage;

import io.softgate.core.pipeline.StageFactory;
import io.softgate.nat.session.NatSessions;

/**
 * Stage factories for the service's pipeline definition: one {@code nat44-in2out} and one
 * {@code nat44-out2in} per worker, all sharing one {@link NatSessions}.
 *
 * <p>Threading: called by the control thread while workers are built.
 */
public final class NatStageFactories {
    private NatStageFactories() {
    }

    /** {@code nat44-in2out}, forwarding to {@code nextStage} (the VRF route lookup). */
    public static StageFactory in2out(NatSessions sessions, String nextStage) {
        return workerId -> new Nat44In2OutStage(sessions, nextStage, workerId);
    }

    /** {@code nat44-out2in}, forwarding to {@code nextStage} (the VRF route lookup). */
    public static StageFactory out2in(NatSessions sessions, String nextStage) {
        return workerId -> new Nat44Out2InStage(sessions, nextStage, workerId);
    }
}
