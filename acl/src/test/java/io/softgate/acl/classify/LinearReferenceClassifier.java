package io.softgate.acl.classify;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.List;

/**
 * The obviously-correct reference: scans every rule and keeps the first match by (priority,
 * declaration index), written straight from the model without sharing code with the compiler.
 *
 * <p>Threading: immutable; test use only.
 */
final class LinearReferenceClassifier {
    private final List<AclRule> rules;

    LinearReferenceClassifier(List<AclRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The first matching rule, or null. */
    AclRule firstMatch(boolean ipv6, long srcHigh, long srcLow, long dstHigh, long dstLow, int protocol,
                       int srcPort, int dstPort, int icmpType, boolean nonFirstFragment) {
        AclRule best = null;
        for (AclRule rule : rules) {
            if (best != null && rule.priority() >= best.priority()) {
                continue;
            }
            if (matches(rule, ipv6, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort, dstPort, icmpType,
                nonFirstFragment)) {
                best = rule;
            }
        }
        return best;
    }

    static boolean matches(AclRule rule, boolean ipv6, long srcHigh, long srcLow, long dstHigh, long dstLow,
                           int protocol, int srcPort, int dstPort, int icmpType, boolean nonFirstFragment) {
        if (!rule.appliesToFamily(ipv6 ? IpPrefix.IPV6 : IpPrefix.IPV4)) {
            return false;
        }
        if (rule.srcPrefix() != null && !rule.srcPrefix().contains(srcHigh, srcLow)) {
            return false;
        }
        if (rule.dstPrefix() != null && !rule.dstPrefix().contains(dstHigh, dstLow)) {
            return false;
        }
        int wanted = rule.protocol().ipProtocol();
        if (wanted != -1 && wanted != protocol) {
            return false;
        }
        if (nonFirstFragment && rule.hasLayer4Condition()) {
            return rule.action() == AclAction.PERMIT;
        }
        if (srcPort < rule.srcPortFrom() || srcPort > rule.srcPortTo()
            || dstPort < rule.dstPortFrom() || dstPort > rule.dstPortTo()) {
            return false;
        }
        return rule.icmpType() == AclRule.ANY_ICMP_TYPE || rule.icmpType() == icmpType;
    }
}
