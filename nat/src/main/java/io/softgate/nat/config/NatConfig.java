package io.softgate.nat.config;

import java.util.List;

/**
 * Everything the NAT compiler takes: the VPCs (name -> VRF, masquerade address), the public VRF
 * index, the rules in any order (the compiler orders them), and the node-wide settings. The
 * service fills it from the REST model.
 *
 * <p>Threading: immutable value (the lists are copied).
 */
public record NatConfig(List<VpcBinding> vpcs, int publicVrf, List<NatRule> rules, NatSettings settings) {
    public NatConfig {
        vpcs = List.copyOf(vpcs);
        rules = List.copyOf(rules);
    }
}
