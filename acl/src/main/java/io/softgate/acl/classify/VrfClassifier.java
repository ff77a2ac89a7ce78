package io.softgate.acl.classify;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.List;

/**
 * The compiled ACL of one VPC (one VRF): its rules in evaluation order, one
 * {@link PrefixClassifier} per address family, and the default action. {@link #classify} returns the rank of the first matching rule
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
    private final PrefixClassifier ipv4;
    private final PrefixClassifier ipv6;

    VrfClassifier(String vpc, int vrfIndex, AclAction defaultAction, int firstRuleId, List<AclRule> orderedRules) {
        this.vpc = vpc;
        this.vrfIndex = vrfIndex;
        this.defaultAction = defaultAction;
        this.firstRuleId = firstRuleId;
        this.orderedRules = List.copyOf(orderedRules);
        this.rules = new CompiledRules(this.orderedRules);
        this.ipv4 = new PrefixClassifier(IpPrefix.IPV4, this.orderedRules);
        this.ipv6 = new PrefixClassifier(IpPrefix.IPV6, this.orderedRules);
    }

    /**
     * The rank of the first rule matching the packet, or {@link #NO_MATCH}. Addresses are
     * 128-bit (an IPv4 address in the top 32 bits of the high word, see {@link IpPrefix}); for
     * ICMP pass the type in {@code icmpType} (else -1). Allocation-free.
     */
    public int classify(boolean ipv6Packet, long srcHigh, long srcLow, long dstHigh, long dstLow,
                        int protocol, int srcPort, int dstPort, int icmpType, boolean nonFirstFragment) {
        return (ipv6Packet ? ipv6 : ipv4).lookup(rules, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort,
            dstPort, icmpType, nonFirstFragment);
    }

    /**
     * Classifies every packet of {@code batch} (both families may be mixed): afterwards
     * {@link ClassifyBatch#rank(int)} is what {@link #classify(boolean, long, long, long, long,
     * int, int, int, int, boolean)} returns for that packet. Allocation-free.
     */
    public void classify(ClassifyBatch batch) {
        int size = batch.size();
        int[] v4 = batch.ipv4Members;
        int[] v6 = batch.ipv6Members;
        int v4Count = 0;
        int v6Count = 0;
        boolean[] family = batch.ipv6;
        for (int p = 0; p < size; p++) {
            // Branch-free split: each index is written to both lists, only one count advances.
            int isV6 = family[p] ? 1 : 0;
            v4[v4Count] = p;
            v6[v6Count] = p;
            v4Count += 1 - isV6;
            v6Count += isV6;
        }
        if (v4Count > 0) {
            ipv4.classify(rules, batch, v4, v4Count);
        }
        if (v6Count > 0) {
            ipv6.classify(rules, batch, v6, v6Count);
        }
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

    /** Rules of a family left in its fallback trie (too much nesting). */
    public int remainderRules(boolean ipv6Family) {
        return (ipv6Family ? ipv6 : ipv4).remainderRules();
    }

    /** Ints held by a family's indexes (nodes and candidate lists), for sizing. */
    public int indexInts(boolean ipv6Family) {
        return (ipv6Family ? ipv6 : ipv4).indexInts();
    }

    /** Dense nodes (256 values, one load per step) in a family's indexes, for sizing. */
    public int indexDenseNodes(boolean ipv6Family) {
        return (ipv6Family ? ipv6 : ipv4).denseNodes();
    }

    /** Node reads on the longest path of a family's indexes (the walk's worst case). */
    public int indexDepth(boolean ipv6Family) {
        return (ipv6Family ? ipv6 : ipv4).maxDepth();
    }

    /** Candidates on the longest list of a family's indexes (the scan's worst case), for sizing. */
    public int indexLongestList(boolean ipv6Family) {
        return (ipv6Family ? ipv6 : ipv4).longestList();
    }
}
