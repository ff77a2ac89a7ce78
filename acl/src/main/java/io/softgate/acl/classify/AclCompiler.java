package io.softgate.acl.classify;

import io.softgate.acl.model.AclConfig;
import io.softgate.acl.model.AclRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the controller's ACL intent into {@link AclTables}: groups rules by VPC, orders each
 * VPC's rules (ascending priority, ties in the order they were declared) and builds one
 * {@link VrfClassifier} per VPC at the VPC's compiled VRF index.
 *
 * <p>Threading: stateless; call from the control thread.
 */
public final class AclCompiler {
    /** Evaluation order: lower priority first; equal priorities keep declaration order (stable sort). */
    public static final Comparator<AclRule> EVALUATION_ORDER = Comparator.comparingInt(AclRule::priority);

    private AclCompiler() {
    }

    /**
     * Compiles {@code config}; {@code vrfIndexByVpc} maps each VPC name to its compiled VRF
     * index. A rule naming an unknown VPC is an error (nothing is compiled). A VPC with neither
     * rules nor a declared default is left unfiltered.
     */
    public static AclTables compile(AclConfig config, Map<String, Integer> vrfIndexByVpc) {
        Map<String, List<AclRule>> byVpc = new LinkedHashMap<>();
        for (AclRule rule : config.rules()) {
            if (!vrfIndexByVpc.containsKey(rule.vpc())) {
                throw new IllegalArgumentException("rule " + rule.name() + ": unknown vpc " + rule.vpc());
            }
            byVpc.computeIfAbsent(rule.vpc(), vpc -> new ArrayList<>()).add(rule);
        }
        for (String vpc : config.defaultActions().keySet()) {
            if (vrfIndexByVpc.containsKey(vpc)) {
                byVpc.computeIfAbsent(vpc, name -> new ArrayList<>());
            }
        }
        int vrfCount = 0;
        Set<Integer> seen = new HashSet<>();
        for (Map.Entry<String, Integer> entry : vrfIndexByVpc.entrySet()) {
            int vrf = entry.getValue();
            if (vrf < 0) {
                throw new IllegalArgumentException("vpc " + entry.getKey() + ": negative vrf index " + vrf);
            }
            if (byVpc.containsKey(entry.getKey()) && !seen.add(vrf)) {
                throw new IllegalArgumentException("two VPCs with ACLs share vrf index " + vrf);
            }
            vrfCount = Math.max(vrfCount, vrf + 1);
        }
        VrfClassifier[] byVrf = new VrfClassifier[vrfCount];
        List<String> ruleNames = new ArrayList<>();
        for (Map.Entry<String, List<AclRule>> entry : byVpc.entrySet()) {
            String vpc = entry.getKey();
            List<AclRule> ordered = new ArrayList<>(entry.getValue());
            ordered.sort(EVALUATION_ORDER);
            int vrf = vrfIndexByVpc.get(vpc);
            byVrf[vrf] = new VrfClassifier(vpc, vrf, config.defaultAction(vpc), ruleNames.size(), ordered);
            for (AclRule rule : ordered) {
                ruleNames.add(vpc + "/" + rule.name());
            }
        }
        return new AclTables(byVrf, ruleNames.size(), ruleNames.toArray(new String[0]));
    }

    /** Compiles the rules of a single VPC at VRF index {@code vrf} (tests, benchmarks). */
    public static VrfClassifier compileVpc(String vpc, int vrf, List<AclRule> rules,
                                           io.softgate.acl.model.AclAction defaultAction) {
        List<AclRule> ordered = new ArrayList<>(rules);
        ordered.sort(EVALUATION_ORDER);
        return new VrfClassifier(vpc, vrf, defaultAction, 0, ordered);
    }
}
