package io.softgate.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The shape of the packet graph: which stages exist and which one receives packets first.
 * Each worker instantiates its own {@link Pipeline} from it.
 *
 * <p>Threading: immutable once built.
 */
public final class PipelineDefinition {
    private final List<StageFactory> stages;
    private final String entryStage;

    private PipelineDefinition(List<StageFactory> stages, String entryStage) {
        this.stages = List.copyOf(stages);
        this.entryStage = entryStage;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<StageFactory> stages() {
        return stages;
    }

    public String entryStage() {
        return entryStage;
    }

    /**
     * Collects stage factories.
     *
     * <p>Threading: confined to the thread that builds the definition.
     */
    public static final class Builder {
        private final List<StageFactory> stages = new ArrayList<>();
        private String entryStage;

        public Builder stage(StageFactory factory) {
            stages.add(Objects.requireNonNull(factory));
            return this;
        }

        /** The stage that every received packet enters first. */
        public Builder entry(String stageName) {
            this.entryStage = stageName;
            return this;
        }

        public PipelineDefinition build() {
            if (entryStage == null) {
                throw new IllegalStateException("pipeline has no entry stage");
            }
            return new PipelineDefinition(stages, entryStage);
        }
    }
}
