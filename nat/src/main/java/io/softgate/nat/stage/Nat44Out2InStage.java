package io.softgate.nat.stage;

import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageContext;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.session.NatSessions;

/**
 * {@code nat44-out2in}: packets from the outside (public VRF) toward the VPCs. An established
 * session's precompiled rewrite is applied (destination address and port, checksum deltas) and
 * the packet continues in the VM's VPC VRF; a miss runs the slow path (EIM mapping subject to the
 * filtering mode, then port forwards and 1:1 rules). Inbound ICMP errors are translated with
 * their embedded packet. IPv6 and packets to addresses the NAT does not own pass unchanged.
 * Single edge: the route stage.
 *
 * <p>Threading: one instance per worker; shares only {@link NatSessions} (lock-free) with others.
 */
public final class Nat44Out2InStage extends Nat44DirectionStage {
    public static final String NAME = "nat44-out2in";

    public Nat44Out2InStage(NatSessions sessions, String nextStage, int workerId) {
        super(sessions, nextStage, Nat44Translator.randomSeed(workerId), false);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    int translate(PacketBatch batch, int slot, NatTables tables, StageContext context) {
        return translator.outToIn(batch, slot, tables, context, false);
    }
}
