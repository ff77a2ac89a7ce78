package io.softgate.service.pipeline;

import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import java.util.List;

/**
 * Stand-in entry stage used while the forwarding stages are not part of the build: it counts
 * every packet as a drop named {@code forwarding-not-wired}, so a running service says plainly
 * why nothing is forwarded.
 *
 * <p>Threading: one instance per worker, called only by that worker's thread.
 */
public final class ForwardingNotWiredStage implements Stage {
    public static final String NAME = "forwarding-not-wired";

    /** Why this stage drops. */
    public enum Drop implements DropReason {
        NOT_WIRED("forwarding-not-wired");

        private final String label;

        Drop(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }
    }

    private static final DropReason[] DROPS = Drop.values();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> nextStages() {
        return List.of();
    }

    @Override
    public DropReason[] dropReasons() {
        return DROPS.clone();
    }

    @Override
    public void process(PacketBatch batch, StageVector input, StageContext context) {
        int size = input.size();
        for (int i = 0; i < size; i++) {
            context.drop(input.slot(i), Drop.NOT_WIRED);
        }
    }
}
