package io.softgate.nat.stage;

import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageContext;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.session.NatSessions;

/**
 * {@code nat44-in2out}: packets from a VPC toward the outside. An established session's
 * precompiled rewrite is applied (source address and port, checksum deltas) and the packet
 * continues in the public VRF; a miss runs the slow path (outbound rules, EIM mapping, session
 * creation). Hairpinned packets are then destination-translated and continue in the target VPC.
 * IPv6 and packets no rule applies to pass unchanged. Single edge: the route stage.
 *
 * <p>Threading: one instance per worker; shares only {@link NatSessions} (lock-free) with others.
 */
public final class Nat44In2OutStage extends Nat44DirectionStage {
    public static final String NAME = "nat44-in2out";

    public Nat44In2OutStage(NatSessions sessions, String nextStage, int workerId) {
        super(sessions, nextStage, Nat44Translator.randomSeed(workerId), true);
    }

    /** With a fixed seed for the worker's port randomisation (tests that predict the ports). */
    Nat44In2OutStage(NatSessions sessions, String nextStage, long randomSeed) {
        super(sessions, nextStage, randomSeed, true);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    int translate(PacketBatch batch, int slot, NatTables tables, StageContext context) {
        return translator.inToOut(batch, slot, tables, context);
    }
}
