package io.softgate.acl.model;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole ACL intent the controller declared: every rule (each names its VPC) and each VPC's
 * default policy. A VPC without a declared default permits what no rule matched.
 *
 * <p>Threading: immutable value.
 */
public record AclConfig(List<AclRule> rules, Map<String, AclAction> defaultActions) {
    public AclConfig {
        rules = List.copyOf(rules);
        defaultActions = Map.copyOf(defaultActions);
        Set<String> names = new HashSet<>();
        for (AclRule rule : rules) {
            if (!names.add(rule.vpc() + "\u0000" + rule.name())) {
                throw new IllegalArgumentException("duplicate rule name " + rule.name() + " in vpc " + rule.vpc());
            }
        }
    }

    public static AclConfig of(List<AclRule> rules) {
        return new AclConfig(rules, new HashMap<>());
    }

    /** The default action of {@code vpc}: as declared, else {@link AclAction#PERMIT}. */
    public AclAction defaultAction(String vpc) {
        return defaultActions.getOrDefault(vpc, AclAction.PERMIT);
    }
}
