package io.softgate.service.intent;

import io.softgate.acl.classify.AclCompiler;
import io.softgate.acl.classify.AclTables;
import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclConfig;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.service.config.SoftgateConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds the acl module's compiler from the controller's ACLs and publishes its {@link AclTables}
 * in {@link AclTables#SLOT}. Each VPC's rules go to its VRF (see {@link VrfNumbering}); the system
 * VPC's rules (CloudStack puts an LB rule's source-CIDR ACLs there) guard the node's public VRF.
 * Priorities follow {@link CompiledIntent}'s order (most specific first), so a first-match
 * classifier decides as Netris does. Rules of a VPC without a VRF stay stored until it has one.
 *
 * <p>Threading: called by the thread applying a change, one at a time (it keeps the last tables
 * it compiled, volatile, to reuse them while its inputs are unchanged).
 */
public final class AclIntentAdapter implements IntentModuleAdapter {
    private final FileInputs inputs;
    private volatile Compiled previous;

    /** The inputs and the tables of the last compile. */
    private record Compiled(AclConfig config, Map<String, Integer> vrfs, AclTables tables) {
    }

    public AclIntentAdapter(SoftgateConfig config) {
        this(config == null ? null : FileInputs.of(config));
    }

    /**
     * An adapter that merges the file's {@code acl} section ({@code inputs.features().acl()}: its
     * rules and default actions, on the file's VRFs) with the controller's ACLs (on the VPCs'
     * VRFs and, for the system VPC, the public VRF); a rule name used by both in one VPC is refused.
     */
    public AclIntentAdapter(FileInputs inputs) {
        this.inputs = inputs;
    }

    @Override
    public String module() {
        return "acl";
    }

    @Override
    public boolean wired() {
        return inputs != null;
    }

    @Override
    public List<IntentError> contribute(CompiledIntent intent, ConfigSnapshot.Builder snapshot) {
        if (inputs == null) {
            return List.of();
        }
        SoftgateConfig config = inputs.config();
        AclConfig file = inputs.features().acl();
        if (intent.aclRules().isEmpty() && file == null) {
            return List.of();
        }
        Map<String, Integer> numbering = VrfNumbering.of(config, intent);
        Map<String, Integer> vrfByVpc = new HashMap<>();
        for (CompiledIntent.Vrf vpc : intent.vrfs()) {
            Integer vrf = vpc.system() ? numbering.get(config.node().publicVrf()) : numbering.get(vpc.name());
            if (vrf != null) {
                vrfByVpc.put(vpc.name(), vrf);
            }
        }
        List<AclRule> rules = new ArrayList<>();
        java.util.Set<String> fileRules = new java.util.HashSet<>();
        int priority = 0;
        if (file != null) {
            // The file's rules keep their own priorities; the controller's come after them.
            for (AclRule rule : file.rules()) {
                rules.add(rule);
                fileRules.add(rule.vpc() + "\u0000" + rule.name());
                priority = Math.max(priority, rule.priority() + 1);
            }
        }
        for (CompiledIntent.AclRule rule : intent.aclRules()) {
            if (!vrfByVpc.containsKey(rule.vrf())) {
                continue;
            }
            if (fileRules.contains(rule.vrf() + "\u0000" + rule.name())) {
                return List.of(new IntentError("acl[" + rule.name() + "].name",
                    "is a rule of the configuration file's acl section in the same VPC"));
            }
            AclRule.Builder builder = AclRule.builder(rule.name(), rule.vrf())
                .priority(priority++)
                .action(rule.permit() ? AclAction.PERMIT : AclAction.DENY)
                .protocol(protocol(rule.protocol()))
                .srcPrefix(rule.source().toString())
                .dstPrefix(rule.destination().toString())
                .established(rule.established())
                .reverse(rule.reverse());
            if (rule.protocol() == 6 || rule.protocol() == 17) {
                builder.srcPorts(rule.sourcePortFrom(), rule.sourcePortTo()).dstPorts(rule.destinationPortFrom(), rule.destinationPortTo());
            }
            if (rule.protocol() == 1 && rule.icmpType() >= 0) {
                builder.icmpType(rule.icmpType());
            }
            rules.add(builder.build());
        }
        Map<String, Integer> used = new HashMap<>();
        for (AclRule rule : rules) {
            Integer vrf = vrfByVpc.containsKey(rule.vpc()) ? vrfByVpc.get(rule.vpc()) : numbering.get(rule.vpc());
            if (vrf != null) {
                used.put(rule.vpc(), vrf);
            }
        }
        Map<String, AclAction> defaults = new HashMap<>();
        if (file != null) {
            for (Map.Entry<String, AclAction> entry : file.defaultActions().entrySet()) {
                defaults.put(entry.getKey(), entry.getValue());
                Integer vrf = numbering.get(entry.getKey());
                if (vrf != null) {
                    used.putIfAbsent(entry.getKey(), vrf);
                }
            }
        }
        if (rules.isEmpty() && defaults.isEmpty()) {
            return List.of();
        }
        try {
            AclConfig acl = new AclConfig(rules, defaults);
            Compiled last = previous;
            // A change elsewhere (a NAT rule, an LB service) keeps the ACL tables it does not touch.
            AclTables tables = last != null && last.config().equals(acl) && last.vrfs().equals(used)
                ? last.tables() : AclCompiler.compile(acl, used);
            previous = new Compiled(acl, Map.copyOf(used), tables);
            snapshot.with(AclTables.SLOT, tables);
            return List.of();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return List.of(new IntentError("acl", String.valueOf(e.getMessage())));
        }
    }

    private static AclProtocol protocol(int number) {
        return switch (number) {
            case 6 -> AclProtocol.TCP;
            case 17 -> AclProtocol.UDP;
            case 1 -> AclProtocol.ICMP;
            default -> AclProtocol.ALL;
        };
    }
}
