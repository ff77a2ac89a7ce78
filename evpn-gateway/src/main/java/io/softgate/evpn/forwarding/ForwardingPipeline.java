package io.softgate.evpn.forwarding;

import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.pipeline.StageFactory;
import io.softgate.evpn.forwarding.stage.VrfRouteStage;
import io.softgate.evpn.forwarding.stage.VxlanDecapStage;
import io.softgate.evpn.forwarding.stage.VxlanEncapStage;
import java.util.ArrayList;
import java.util.List;

/**
 * The forwarding graph every worker runs: {@code vxlan-decap -> [features] -> vrf-route ->
 * vxlan-encap -> transmit}. Features are inserted on the decap-to-route edge
 * ({@link #FEATURE_EDGE}) in the order they are added, e.g.
 * {@code ForwardingPipeline.builder().feature(acl).feature(nat).build()}; with none, decap feeds
 * route directly. The service, replay tool and benchmarks all build it here so they run the same
 * graph.
 *
 * <p>Threading: the builder is confined to the control thread that uses it; the definition it
 * builds is immutable.
 */
public final class ForwardingPipeline {
    /** Where features go: after decapsulation (inner packet, VRF known), before the route lookup. */
    public static final String FEATURE_EDGE = VxlanDecapStage.NAME + "->" + VrfRouteStage.NAME;

    private ForwardingPipeline() {
    }

    /** The plain graph: decap -> route -> encap -> transmit. */
    public static PipelineDefinition definition() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects features for the decap-to-route edge.
     *
     * <p>Threading: confined to one control thread.
     */
    public static final class Builder {
        private final List<ForwardingFeature> features = new ArrayList<>();

        public Builder feature(ForwardingFeature feature) {
            features.add(feature);
            return this;
        }

        public PipelineDefinition build() {
            PipelineDefinition.Builder definition = PipelineDefinition.builder();
            String next = VrfRouteStage.NAME;
            List<StageFactory> featureStages = new ArrayList<>();
            for (int f = features.size() - 1; f >= 0; f--) {
                featureStages.addAll(0, features.get(f).stages(next));
                next = features.get(f).entryStage();
            }
            String afterDecap = next;
            definition.stage(worker -> new VxlanDecapStage(afterDecap));
            for (StageFactory factory : featureStages) {
                definition.stage(factory);
            }
            definition.stage(worker -> new VrfRouteStage());
            definition.stage(worker -> new VxlanEncapStage());
            return definition.entry(VxlanDecapStage.NAME).build();
        }
    }
}
