package io.softgate.core.pipeline;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.counter.WorkerCounters;
import io.softgate.core.memory.FramePool;
import io.softgate.core.snapshot.ConfigSnapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One worker's instance of the packet graph, resolved once: stages in topological order, one
 * vector per stage, edges wired by index. {@link #run} pushes a batch through every stage once.
 *
 * <p>Threading: owned by one worker; {@link #run} is called only by that worker's thread.
 */
public final class Pipeline {
    private final Stage[] stages;
    private final StageVector[] inputs;
    private final StageContext[] contexts;
    private final StageVector entry;
    private final StageVector transmit;
    private final StageVector drop;
    private final WorkerCounters counters;

    /**
     * Instantiates {@code definition} for worker {@code workerId}; worker-level counter names in
     * {@code layout} must already be registered, and stage counters are added to it here.
     */
    public Pipeline(PipelineDefinition definition, int workerId, PacketBatch batch, FramePool pool,
                    CounterLayout layout) {
        int capacity = batch.capacity();
        Map<String, Stage> byName = new HashMap<>();
        List<Stage> created = new ArrayList<>();
        for (StageFactory factory : definition.stages()) {
            Stage stage = factory.create(workerId);
            String name = stage.name();
            if (name.equals(Stage.TRANSMIT) || name.equals(Stage.DROP) || byName.put(name, stage) != null) {
                throw new IllegalArgumentException("duplicate or reserved stage name: " + name);
            }
            created.add(stage);
        }
        if (!byName.containsKey(definition.entryStage())) {
            throw new IllegalArgumentException("entry stage not defined: " + definition.entryStage());
        }
        List<Stage> order = topologicalOrder(created, byName);
        this.stages = order.toArray(new Stage[0]);
        this.transmit = new StageVector(capacity);
        this.drop = new StageVector(capacity);

        Map<String, StageVector> vectorByName = new HashMap<>();
        vectorByName.put(Stage.TRANSMIT, transmit);
        vectorByName.put(Stage.DROP, drop);
        this.inputs = new StageVector[stages.length];
        for (int i = 0; i < stages.length; i++) {
            inputs[i] = new StageVector(capacity);
            vectorByName.put(stages[i].name(), inputs[i]);
        }
        this.entry = vectorByName.get(definition.entryStage());

        int[] dropBases = new int[stages.length];
        int[] eventBases = new int[stages.length];
        for (int i = 0; i < stages.length; i++) {
            Stage stage = stages[i];
            List<String> dropNames = new ArrayList<>();
            for (DropReason reason : stage.dropReasons()) {
                if (reason.ordinal() != dropNames.size()) {
                    throw new IllegalArgumentException(stage.name() + ": drop reasons must be listed in ordinal order");
                }
                dropNames.add(stage.name() + ".drop." + reason.label());
            }
            dropBases[i] = layout.registerAll(dropNames);
            List<String> eventNames = new ArrayList<>();
            for (String event : stage.eventCounters()) {
                eventNames.add(stage.name() + "." + event);
            }
            eventBases[i] = layout.registerAll(eventNames);
        }
        layout.freeze();
        this.counters = new WorkerCounters(layout);

        this.contexts = new StageContext[stages.length];
        for (int i = 0; i < stages.length; i++) {
            List<String> next = stages[i].nextStages();
            StageVector[] edges = new StageVector[next.size()];
            for (int e = 0; e < edges.length; e++) {
                edges[e] = vectorByName.get(next.get(e));
            }
            contexts[i] = new StageContext(stages[i].name(), workerId, edges, drop, counters,
                dropBases[i], eventBases[i], pool);
        }
        int maxEdges = 0;
        for (StageContext context : contexts) {
            maxEdges = Math.max(maxEdges, context.edges().length);
        }
        this.tracer = new PacketTracer(workerId, capacity, maxEdges, TRACE_STEP_CAPACITY);
    }

    private static List<Stage> topologicalOrder(List<Stage> stages, Map<String, Stage> byName) {
        Map<String, Integer> indegree = new HashMap<>();
        for (Stage stage : stages) {
            indegree.putIfAbsent(stage.name(), 0);
            for (String next : stage.nextStages()) {
                if (next.equals(Stage.TRANSMIT) || next.equals(Stage.DROP)) {
                    continue;
                }
                if (!byName.containsKey(next)) {
                    throw new IllegalArgumentException(stage.name() + " names unknown next stage " + next);
                }
                indegree.merge(next, 1, Integer::sum);
            }
        }
        Deque<Stage> ready = new ArrayDeque<>();
        for (Stage stage : stages) {
            if (indegree.get(stage.name()) == 0) {
                ready.add(stage);
            }
        }
        List<Stage> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            Stage stage = ready.poll();
            order.add(stage);
            for (String next : stage.nextStages()) {
                Stage target = byName.get(next);
                if (target != null && indegree.merge(next, -1, Integer::sum) == 0) {
                    ready.add(target);
                }
            }
        }
        if (order.size() != stages.size()) {
            throw new IllegalArgumentException("the stage graph has a cycle");
        }
        return order;
    }

    /** The counters of this worker (stage counters plus worker-level ones registered earlier). */
    public WorkerCounters counters() {
        return counters;
    }

    /**
     * Runs slots {@code [0, batch.size())} from the entry stage to the end. Afterwards
     * {@link #transmitVector()} and {@link #dropVector()} hold every slot exactly once.
     */
    public void run(PacketBatch batch, ConfigSnapshot snapshot, long nowNs) {
        TraceSession armed = tracer.beginBatch();
        if (armed != null) {
            runTraced(batch, snapshot, nowNs, tracer, armed);
            return;
        }
        transmit.clear();
        drop.clear();
        int size = batch.size();
        for (int slot = 0; slot < size; slot++) {
            entry.add(slot);
        }
        for (int i = 0; i < stages.length; i++) {
            StageVector input = inputs[i];
            if (input.isEmpty()) {
                continue;
            }
            StageContext context = contexts[i];
            context.snapshot = snapshot;
            context.nowNs = nowNs;
            stages[i].process(batch, input, context);
            input.clear();
        }
    }

    // ---------------------------------------------------------------- packet trace (PacketTracer)

    /** Trace steps each worker keeps per trace. */
    public static final int TRACE_STEP_CAPACITY = 4096;

    private final PacketTracer tracer;

    /** The packet-trace recorder of this worker's pipeline (idle until a trace is armed). */
    public PacketTracer tracer() {
        return tracer;
    }

    /** The stages' next-stage names, by stage index (what a trace step's edge means). */
    public List<List<String>> nextStageNames() {
        List<List<String>> names = new ArrayList<>();
        for (Stage stage : stages) {
            names.add(List.copyOf(stage.nextStages()));
        }
        return names;
    }

    /** The stages' drop-reason labels, by stage index (what a trace step's drop reason means). */
    public List<List<String>> dropReasonLabels() {
        List<List<String>> labels = new ArrayList<>();
        for (Stage stage : stages) {
            List<String> stageLabels = new ArrayList<>();
            for (DropReason reason : stage.dropReasons()) {
                stageLabels.add(reason.label());
            }
            labels.add(stageLabels);
        }
        return labels;
    }

    /** {@link #run} with a trace armed: the same stages, plus matching after the entry stage and one step per traced slot and stage. */
    private void runTraced(PacketBatch batch, ConfigSnapshot snapshot, long nowNs, PacketTracer tracer, TraceSession armed) {
        transmit.clear();
        drop.clear();
        int size = batch.size();
        for (int slot = 0; slot < size; slot++) {
            batch.flags[slot] &= ~PacketFlags.TRACE;
            entry.add(slot);
        }
        for (int i = 0; i < stages.length; i++) {
            StageVector input = inputs[i];
            if (input.isEmpty()) {
                continue;
            }
            StageContext context = contexts[i];
            context.snapshot = snapshot;
            context.nowNs = nowNs;
            boolean isEntry = input == entry;
            tracer.beforeStage(input, context.edges(), drop);
            context.traceDecisions = tracer.decisions;
            context.traceDetails = tracer.details;
            context.traceDropReasons = tracer.dropReasons;
            stages[i].process(batch, input, context);
            context.traceDecisions = null;
            context.traceDetails = null;
            context.traceDropReasons = null;
            if (isEntry) {
                tracer.matchAfterEntry(armed, batch, context.edges());
            }
            tracer.afterStage(i, batch, context.edges(), drop);
            input.clear();
        }
    }

    public StageVector transmitVector() {
        return transmit;
    }

    public StageVector dropVector() {
        return drop;
    }

    /** Stage names in the order they run. */
    public List<String> stageNames() {
        List<String> names = new ArrayList<>();
        for (Stage stage : stages) {
            names.add(stage.name());
        }
        return names;
    }
}
