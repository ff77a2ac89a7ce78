package io.softgate.acl.classify;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.List;

/**
 * The compiled ACL of one VPC (one VRF): its rules in evaluation order, one trie per address
 * family, and the default action. {@link #classify} returns the rank of the first matching rule
 * (or {@link #NO_MATCH}), exactly what a linear first-match scan of the ordered rules returns.
 *
 * <p>Threading: immutable; read by any number of workers.
 */
public final class VrfClassifier {
    /** {@link #classify} result when no rule matches: the default action applies. */
    public static final int NO_MATCH = -1;

    private final String vpc;
    private final int vrfIndex;
    private final AclAction defaultAction;
    private final int firstRuleId;
    private final List<AclRule> orderedRules;
    private final CompiledRules rules;
    private final Ipv4Classifier ipv4;
    private final PrefixPairTrie ipv6;

    VrfClassifier(String vpc, int vrfIndex, AclAction defaultAction, int firstRuleId, List<AclRule> orderedRules) {
        this.vpc = vpc;
        this.vrfIndex = vrfIndex;
        this.defaultAction = defaultAction;
        this.firstRuleId = firstRuleId;
        this.orderedRules = List.copyOf(orderedRules);
        this.rules = new CompiledRules(this.orderedRules);
        PrefixPairTrie.Builder v6 = new PrefixPairTrie.Builder(IpPrefix.IPV6, 16);
        for (int rank = 0; rank < this.orderedRules.size(); rank++) {
            AclRule rule = this.orderedRules.get(rank);
            if (rule.appliesToFamily(IpPrefix.IPV6)) {
                v6.add(rank, rule.srcPrefix(), rule.dstPrefix());
            }
        }
        this.ipv4 = new Ipv4Classifier(this.orderedRules);
        this.ipv6 = v6.build();
    }

    /**
     * The rank of the first rule matching the packet, or {@link #NO_MATCH}. Addresses are
     * 128-bit (an IPv4 address in the top 32 bits of the high word, see {@link IpPrefix}); for
     * ICMP pass the type in {@code icmpType} (else -1). Allocation-free.
     */
    public int classify(boolean ipv6Packet, long srcHigh, long srcLow, long dstHigh, long dstLow,
                        int protocol, int srcPort, int dstPort, int icmpType, boolean nonFirstFragment) {
        if (ipv6Packet) {
            return ipv6.lookup(rules, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort, dstPort, icmpType,
                nonFirstFragment);
        }
        return ipv4.lookup(rules, srcHigh, dstHigh, protocol, srcPort, dstPort, icmpType, nonFirstFragment);
    }

    /** True when the rule of {@code rank} permits; for {@link #NO_MATCH}, the default action. */
    public boolean permits(int rank) {
        return rank < 0 ? defaultAction == AclAction.PERMIT : (rules.flags(rank) & CompiledRules.FLAG_PERMIT) != 0;
    }

    /** {@code CompiledRules.FLAG_*} bits of the rule of {@code rank}. */
    public int ruleFlags(int rank) {
        return rules.flags(rank);
    }

    /** Snapshot-wide rule id of {@code rank} (indexes the per-rule counters). */
    public int ruleId(int rank) {
        return firstRuleId + rank;
    }

    public int ruleCount() {
        return orderedRules.size();
    }

    /** The rule of {@code rank} (control plane: names, descriptions). */
    public AclRule rule(int rank) {
        return orderedRules.get(rank);
    }

    public List<AclRule> orderedRules() {
        return orderedRules;
    }

    public AclAction defaultAction() {
        return defaultAction;
    }

    public String vpc() {
        return vpc;
    }

    public int vrfIndex() {
        return vrfIndex;
    }

    /** IPv4 rules left in the fallback trie (no address prefix, or too much nesting). */
    public int ipv4RemainderRules() {
        return ipv4.remainderRules();
    }

    /** Ints held by the IPv4 indexes (nodes and candidate lists), for sizing. */
    public int ipv4IndexInts() {
        return ipv4.indexInts();
    }
}
