package io.softgate.service.features;

import io.softgate.acl.model.AclConfig;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.nat.config.NatConfig;

/**
 * The configuration file's {@code acl}, {@code nat} and {@code loadBalancer} sections as the
 * modules' own models (null: no such section), numbered against the file's VRFs. The snapshot
 * composer merges them with the controller's intent before anything is compiled.
 *
 * <p>Threading: immutable.
 */
public record FileFeatureModels(AclConfig acl, NatConfig nat, LoadBalancerConfig loadBalancer) {
    /** A file without feature sections. */
    public static final FileFeatureModels NONE = new FileFeatureModels(null, null, null);
}
