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
 * <p>Threading: stateless after construction; called by the thread applying a change.
 */
public final class AclIntentAdapter implements IntentModuleAdapter {
    private final SoftgateConfig config;

    public AclIntentAdapter(SoftgateConfig config) {
        this.config = config;
    }

    @Override
    public String module() {
        return "acl";
    }

    @Override
    public boolean wired() {
        return config != null;
    }

    @Override
    public List<IntentError> contribute(CompiledIntent intent, ConfigSnapshot.Builder snapshot) {
        if (config == null || intent.aclRules().isEmpty()) {
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
        int priority = 0;
        for (CompiledIntent.AclRule rule : intent.aclRules()) {
            if (!vrfByVpc.containsKey(rule.vrf())) {
                continue;
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
            used.put(rule.vpc(), vrfByVpc.get(rule.vpc()));
        }
        try {
            snapshot.with(AclTables.SLOT, AclCompiler.compile(AclConfig.of(rules), used));
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
