package io.softgate.nat.stage;

import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.PacketTracer;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.session.NatSessions;
import java.util.List;

/**
 * Shared batch loop of the two NAT44 direction stages: looks up the sessions of the whole batch
 * at once (one {@code FlowTable} batch lookup, so the table's cache misses overlap), passes IPv6 (counted) and everything when no NAT tables are published, defers
 * later fragments to the end of the batch, and forwards or drops each slot on the single edge
 * according to the direction's translation result. At the end of the batch it releases the held
 * later fragments whose first fragment's record now exists ({@link HeldFragments}), as new slots. A packet whose session the batch lookup found
 * and that needs only its rewrite takes {@code Nat44Translator.tryFastPath}; the rest take the
 * direction's full translation. A traced packet ({@code PacketFlags.TRACE}) always takes the full
 * translation, which notes what it decided for the trace ({@link NatTraceDecision}); untraced
 * packets pay one flag test for this.
 *
 * <p>Threading: one instance per worker; shares only {@link NatSessions} (lock-free) with others.
 */
abstract class Nat44DirectionStage implements Stage {
    private static final DropReason[] DROP_REASONS = NatDropReason.values();

    private final List<String> next;
    /** The translator the subclass applies per packet; owned by this worker's stage. */
    final Nat44Translator translator;
    private final boolean insideToOutside;
    private int[] deferred = new int[0];

    /** @param randomSeed seed of the worker's port randomisation ({@link Nat44Translator#randomSeed}) */
    Nat44DirectionStage(NatSessions sessions, String nextStage, long randomSeed, boolean insideToOutside) {
        this.next = List.of(nextStage);
        // Only the outside-to-inside direction receives unsolicited SYNs to hold (RFC 5382 REQ-4).
        this.translator = new Nat44Translator(sessions, randomSeed, insideToOutside ? 0 : HeldSyns.DEFAULT_CAPACITY);
        this.insideToOutside = insideToOutside;
    }

    @Override
    public final List<String> nextStages() {
        return next;
    }

    @Override
    public final DropReason[] dropReasons() {
        return DROP_REASONS;
    }

    @Override
    public final List<String> eventCounters() {
        return NatEvents.NAMES;
    }

    @Override
    public final void process(PacketBatch batch, StageVector input, StageContext context) {
        if (deferred.length < batch.capacity()) {
            deferred = new int[batch.capacity()]; // once, on the first batch
        }
        NatTables tables = context.snapshot() == null ? null : context.snapshot().get(NatTables.SLOT);
        if (tables != null) {
            translator.beginBatch(batch.capacity());
            for (int i = 0; i < input.size(); i++) {
                int slot = input.slot(i);
                if ((batch.flags[slot] & PacketFlags.INNER_IPV6) == 0) {
                    translator.collectKey(batch, slot, insideToOutside, tables.publicVrf());
                }
            }
            translator.lookupBatch(context.nowNs(), insideToOutside, tables);
        }
        int deferredCount = 0;
        for (int i = 0; i < input.size(); i++) {
            int slot = input.slot(i);
            if (tables == null) {
                context.forward(0, slot);
                continue;
            }
            int flags = batch.flags[slot];
            if ((flags & PacketFlags.INNER_IPV6) != 0) {
                context.countEvent(NatEvents.IPV6_PASSED);
                if ((flags & PacketFlags.TRACE) != 0) {
                    context.decide(slot, NatTraceDecision.decision(NatTraceDecision.PASSED, !insideToOutside,
                        NatTraceDecision.PASS_IPV6, 0, 0), 0);
                }
                context.forward(0, slot);
                continue;
            }
            // A traced packet takes the slow path, which notes what it decided; the result is the same.
            if ((flags & PacketFlags.TRACE) == 0
                && translator.tryFastPath(batch, slot, tables, context.nowNs(), insideToOutside)) {
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
        // After every packet of the batch: a first fragment in it has left its record by now.
        translator.settleHeldFragments(batch, tables, context);
        if (tables != null && !insideToOutside) {
            translator.settleHeldSyns(batch, tables, context);
        }
    }

    private void finish(PacketBatch batch, int slot, NatTables tables, StageContext context) {
        boolean traced = (batch.flags[slot] & PacketFlags.TRACE) != 0;
        translator.traced = traced;
        translator.traceDecision = PacketTracer.NO_DECISION;
        int result = translate(batch, slot, tables, context);
        if (result == Nat44Translator.FORWARD) {
            if (traced && translator.traceDecision != PacketTracer.NO_DECISION) {
                context.decide(slot, translator.traceDecision, translator.traceDetail);
            }
            context.forward(0, slot);
        } else {
            if (traced) {
                context.decide(slot, NatTraceDecision.decision(NatTraceDecision.DROPPED, !insideToOutside, result, 0, 0),
                    0);
            }
            context.drop(slot, NatDropReason.of(result));
        }
    }

    /**
     * Translates one IPv4 packet in this stage's direction.
     *
     * @return {@link Nat44Translator#FORWARD} or a {@link NatDropReason} code
     */
    abstract int translate(PacketBatch batch, int slot, NatTables tables, StageContext context);
}
