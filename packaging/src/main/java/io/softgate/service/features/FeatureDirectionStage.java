package io.softgate.service.features;

import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import java.util.List;

/**
 * First feature stage: sends each decapsulated packet down the chain of its direction. Packets
 * that arrived in the public VRF (decap sets {@link PacketFlags#FROM_OUTSIDE} from the VRF's
 * flags) take edge 1, the inbound chain ({@code lb-vip -> nat44-out2in -> acl-ingress}); packets
 * from a VPC take edge 0, the outbound chain ({@code acl-egress -> lb-reply -> nat44-in2out}).
 * Splitting here keeps each feature stage on the side where its keys live: NAT out2in keys every
 * packet on the public VRF, so it must never see a VPC's packets, and no packet pays for the
 * lookups of the other direction.
 *
 * <p>Threading: one instance per worker, called only by that worker's thread.
 */
public final class FeatureDirectionStage implements Stage {
    public static final String NAME = "feature-direction";
    static final int EDGE_FROM_VPC = 0;
    static final int EDGE_FROM_OUTSIDE = 1;
    private static final DropReason[] NO_DROPS = new DropReason[0];

    private final List<String> next;

    public FeatureDirectionStage(String fromVpcStage, String fromOutsideStage) {
        this.next = List.of(fromVpcStage, fromOutsideStage);
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
        return NO_DROPS;
    }

    @Override
    public void process(PacketBatch batch, StageVector input, StageContext context) {
        int size = input.size();
        int[] flags = batch.flags;
        for (int i = 0; i < size; i++) {
            int slot = input.slot(i);
            context.forward((flags[slot] & PacketFlags.FROM_OUTSIDE) != 0 ? EDGE_FROM_OUTSIDE : EDGE_FROM_VPC, slot);
        }
    }
}
