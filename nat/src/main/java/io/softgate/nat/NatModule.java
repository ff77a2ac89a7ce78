package io.softgate.nat;

import io.softgate.core.pipeline.StageFactory;
import io.softgate.nat.compile.ExternalAddressRegistry;
import io.softgate.nat.compile.NatRuleCompiler;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.log.NatEventDrainer;
import io.softgate.nat.log.NatEventLog;
import io.softgate.nat.session.NatSessionJournal;
import io.softgate.nat.session.NatSessions;
import io.softgate.nat.session.NatSweeper;
import io.softgate.nat.stage.NatStageFactories;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Everything the service wires for NAT, in one place: compile config into {@link NatTables}
 * (publish it with {@code builder.with(NatTables.SLOT, tables)}), the two stage factories, the
 * sweeper to run periodically, and the event-log drainer.
 *
 * <pre>
 * NatModule nat = new NatModule(NatCapacity.defaults());
 * publisher.publish(snapshot.toBuilder().with(NatTables.SLOT, nat.compile(config)));   // NatConfigException names the field
 * definition.stage(nat.in2outStage("vrf-route")).stage(nat.out2inStage("acl-ingress"));   // as the service wires them
 * every 100 ms:  nat.sweeper().sweepSlice(current NatTables, System.nanoTime(), 65536);
 * every 100 ms:  drainer.drain(10_000);   // drainer = nat.eventDrainer(tables::vpcName, line -> log)
 * </pre>
 *
 * <p>Threading: construct and {@link #compile} on the control thread (compile calls must not
 * overlap); the stage factories are called while workers are built; the sweeper and the drainer
 * each belong to one housekeeping thread.
 */
public final class NatModule implements AutoCloseable {
    private final ExternalAddressRegistry registry;
    private final NatRuleCompiler compiler;
    private final NatEventLog eventLog;
    private final NatSessions sessions;
    private final NatSweeper sweeper;

    public NatModule(NatCapacity capacity) {
        this.registry = new ExternalAddressRegistry(capacity.maxPublicAddresses());
        this.compiler = new NatRuleCompiler(registry);
        this.eventLog = new NatEventLog(capacity.eventLogBytes());
        this.sessions = new NatSessions(capacity.maxSessions(), capacity.maxMappings(), capacity.maxFragments(),
            eventLog, registry);
        this.sweeper = new NatSweeper(sessions);
    }

    /** Validates and compiles; throws {@link io.softgate.nat.config.NatConfigException} naming the bad field. */
    public NatTables compile(NatConfig config) {
        return compiler.compile(config);
    }

    /** {@code nat44-in2out}: place after the egress ACL and LB, before the route lookup it forwards to. */
    public StageFactory in2outStage(String nextStage) {
        return NatStageFactories.in2out(sessions, nextStage);
    }

    /** {@code nat44-out2in}: place after {@code lb-vip}, before the stage it forwards to (the service: {@code acl-ingress}). */
    public StageFactory out2inStage(String nextStage) {
        return NatStageFactories.out2in(sessions, nextStage);
    }

    public NatSweeper sweeper() {
        return sweeper;
    }

    /** A drainer that formats event-log lines (wall-clock UTC) into {@code sink}. */
    public NatEventDrainer eventDrainer(IntFunction<String> vpcNameByVrf, Consumer<String> sink) {
        return new NatEventDrainer(eventLog, vpcNameByVrf, sink, System::nanoTime,
            () -> {
                java.time.Instant now = java.time.Instant.now();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            });
    }

    /** Installs the session persistence hook (Chronicle Map, a later issue). */
    public void journal(NatSessionJournal journal) {
        sessions.journal(journal);
    }

    public NatSessions sessions() {
        return sessions;
    }

    public NatEventLog eventLog() {
        return eventLog;
    }

    @Override
    public void close() {
        sessions.close();
    }
}
