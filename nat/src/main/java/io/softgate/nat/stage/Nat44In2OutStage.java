package io.softgate.nat.stage;

import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.session.NatSessions;
import java.util.List;

/**
 * {@code nat44-in2out}: packets from a VPC toward the outside. An established session's
 * precompiled rewrite is applied (source address and port, checksum deltas) and the packet
 * continues in the public VRF; a miss runs the slow path (outbound rules, EIM mapping, session
 * creation). Hairpinned packets are then destination-translated and continue in the target VPC.
 * IPv6 and packets no rule applies to pass unchanged. Single edge: the route stage.
 *
 * <p>Threading: one instance per worker; shares only {@link NatSessions} (lock-free) with others.
 */
public final class Nat44In2OutStage implements Stage {
    public static final String NAME = "nat44-in2out";
    private static final DropReason[] DROP_REASONS = NatDropReason.values();

    private final List<String> next;
    private final Nat44Translator translator;
    private int[] deferred = new int[0];

    public Nat44In2OutStage(NatSessions sessions, String nextStage, int workerId) {
        this.next = List.of(nextStage);
        this.translator = new Nat44Translator(sessions, workerId);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> nextStages() {
        return next;
    }

    @Override
    public DropReason[] dropReasons() {
        return DROP_REASONS;
    }

    @Override
    public List<String> eventCounters() {
        return NatEvents.NAMES;
    }

    @Override
    public void process(PacketBatch batch, StageVector input, StageContext context) {
        if (deferred.length < batch.capacity()) {
            deferred = new int[batch.capacity()]; // once, on the first batch
        }
        NatTables tables = context.snapshot() == null ? null : context.snapshot().get(NatTables.SLOT);
        if (tables != null) {
            for (int i = 0; i < input.size(); i++) {
                int slot = input.slot(i);
                if ((batch.flags[slot] & PacketFlags.INNER_IPV6) == 0) {
                    translator.prefetch(batch, slot, true, tables.publicVrf());
                }
            }
        }
        int deferredCount = 0;
        for (int i = 0; i < input.size(); i++) {
            int slot = input.slot(i);
            if (tables == null) {
                context.forward(0, slot);
                continue;
            }
            if ((batch.flags[slot] & PacketFlags.INNER_IPV6) != 0) {
                context.countEvent(NatEvents.IPV6_PASSED);
                context.forward(0, slot);
                continue;
            }
            if (Nat44Translator.isLaterFragment(batch, slot)) {
                // Later fragments wait for the rest of the batch: a first fragment behind them in
                // the same batch is translated first, so reordering inside a batch costs nothing.
                deferred[deferredCount++] = slot;
                continue;
            }
            finish(batch, slot, tables, context);
        }
        for (int i = 0; i < deferredCount; i++) {
            finish(batch, deferred[i], tables, context);
        }
    }

    private void finish(PacketBatch batch, int slot, NatTables tables, StageContext context) {
        int result = translator.inToOut(batch, slot, tables, context);
        if (result == Nat44Translator.FORWARD) {
            context.forward(0, slot);
        } else {
            context.drop(slot, NatDropReason.of(result));
        }
    }
}
