package io.softgate.core.pipeline;

import java.util.List;

/**
 * One node of the packet graph: it looks at the slots waiting for it, and sends each on to a
 * next stage or drops it with a named reason. A stage instance belongs to one worker.
 *
 * <p>Threading: one instance per worker, called only by that worker's thread; must not allocate,
 * lock, log or throw on {@link #process}.
 */
public interface Stage {
    /** Name of the terminal stage that transmits on {@link PacketBatch#egressPort}. */
    String TRANSMIT = "transmit";
    /** Name of the terminal stage that releases frames (drops are counted by the dropping stage). */
    String DROP = "drop";

    /** Unique stage name, e.g. {@code "vxlan-decap"} or {@code "nat44-in2out"}. */
    String name();

    /**
     * Names of the stages this one may send packets to; edge {@code i} of
     * {@link StageContext#forward} means {@code nextStages().get(i)}.
     */
    List<String> nextStages();

    /** Every reason this stage may drop a packet; each gets a counter. */
    DropReason[] dropReasons();

    /** Names of non-drop event counters (e.g. {@code "sessions-created"}); index = event id. */
    default List<String> eventCounters() {
        return List.of();
    }

    /** Processes every slot in {@code input}; each slot must be forwarded or dropped exactly once. */
    void process(PacketBatch batch, StageVector input, StageContext context);
}
