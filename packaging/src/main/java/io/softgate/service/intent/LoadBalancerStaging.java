package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.lb.compile.ValidationError;
import io.softgate.lb.model.LoadBalancerConfig;
import java.util.List;
import java.util.Map;

/**
 * Where the merged load-balancer configuration goes when the service's LB controller (with its
 * health checker) owns the LB tables: the adapter only validates and stages it for the snapshot
 * being built, and the composer applies it to the controller when that snapshot is published, so
 * health flips and API changes compile through one compiler (stable backend ids).
 *
 * <p>Threading: called by the thread applying a change.
 */
public interface LoadBalancerStaging {
    /**
     * Checks {@code config} against the VRF numbering of the snapshot being built ({@code vrfs}:
     * VPC or VRF name -> index; {@code publicVrf}) and remembers it for {@code builder}; returns
     * the problems (nothing is staged when there are any).
     */
    List<ValidationError> stage(ConfigSnapshot.Builder builder, LoadBalancerConfig config, Map<String, Integer> vrfs,
                                int publicVrf);
}
