package io.softgate.evpn.forwarding;

import io.softgate.core.pipeline.StageFactory;
import io.softgate.evpn.forwarding.stage.VxlanDecapStage;
import java.util.List;

/**
 * A feature (ACL, load balancer, NAT...) inserted between {@code vxlan-decap} and
 * {@code vrf-route}: packets enter it at {@link #entryStage()} as decapsulated inner IP packets
 * (see {@link VxlanDecapStage} for the metadata they carry), and every packet the feature lets
 * through must leave by the stage named {@code nextStage}, unchanged in shape (offset = l3Offset,
 * length = inner IP length), possibly with a new {@code vrf}.
 *
 * <p>Threading: used by the control thread while the pipeline is defined.
 */
public interface ForwardingFeature {
    /** Name of the feature's first stage. */
    String entryStage();

    /** The feature's stage factories, whose last edge leads to {@code nextStage}. */
    List<StageFactory> stages(String nextStage);
}
