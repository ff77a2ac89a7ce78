package io.softgate.acl.classify;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.Arrays;
import java.util.List;

/**
 * The IPv4 classifier of one VPC. Each rule is filed under its more specific address field:
 * a rule whose destination prefix is at least as long as its source prefix goes to the
 * destination index, otherwise to the source index ({@link Ipv4PrefixIndex}, leaf-pushed, one
 * candidate list per leaf). A lookup reads the packet's destination list and source list, which
 * are independent memory reads (their cache misses overlap), and scans each in rank order.
 * Rules that fit neither index well stay in a small {@link PrefixPairTrie}: rules with no
 * prefix on either field, and rules that would be copied into too many leaves (a prefix with
 * more than {@link #MAX_NESTED} longer prefixes of the same index inside it).
 *
 * <p>Threading: immutable after construction; read by any number of workers.
 */
final class Ipv4Classifier {
    /** A prefix with more nested longer prefixes than this is not leaf-pushed (bounds copying). */
    static final int MAX_NESTED = 32;

    private final Ipv4PrefixIndex destinations;
    private final Ipv4PrefixIndex sources;
    private final PrefixPairTrie remainder;
    private final boolean hasRemainder;
    private final int remainderRules;

    Ipv4Classifier(List<AclRule> ordered) {
        this(ordered, MAX_NESTED);
    }

    /** {@code maxNested} is a parameter so that tests can force the fallback path. */
    Ipv4Classifier(List<AclRule> ordered, int maxNested) {
        int count = ordered.size();
        int[] srcPorts = new int[count];
        int[] dstPorts = new int[count];
        int[] misc = new int[count];
        boolean[] applies = new boolean[count];
        int[] dstKey = new int[count];
        int[] dstLength = new int[count];
        int[] srcKey = new int[count];
        int[] srcLength = new int[count];
        for (int rank = 0; rank < count; rank++) {
            AclRule rule = ordered.get(rank);
            applies[rank] = rule.appliesToFamily(IpPrefix.IPV4);
            if (!applies[rank]) {
                continue;
            }
            srcKey[rank] = address(rule.srcPrefix());
            srcLength[rank] = length(rule.srcPrefix());
            dstKey[rank] = address(rule.dstPrefix());
            dstLength[rank] = length(rule.dstPrefix());
            srcPorts[rank] = (rule.srcPortFrom() << 16) | rule.srcPortTo();
            dstPorts[rank] = (rule.dstPortFrom() << 16) | rule.dstPortTo();
            misc[rank] = misc(rule);
        }
        // File each rule under its longer prefix; then send back to the trie the rules whose
        // leaf-pushing would copy them into too many leaves.
        boolean[] byDestination = new boolean[count];
        boolean[] bySource = new boolean[count];
        for (int rank = 0; rank < count; rank++) {
            if (applies[rank] && Math.max(dstLength[rank], srcLength[rank]) > 0) {
                if (dstLength[rank] >= srcLength[rank]) {
                    byDestination[rank] = true;
                } else {
                    bySource[rank] = true;
                }
            }
        }
        limitNesting(byDestination, dstKey, dstLength, maxNested);
        limitNesting(bySource, srcKey, srcLength, maxNested);
        Ipv4PrefixIndex.Builder destinationBuilder = new Ipv4PrefixIndex.Builder();
        Ipv4PrefixIndex.Builder sourceBuilder = new Ipv4PrefixIndex.Builder();
        PrefixPairTrie.Builder trie = new PrefixPairTrie.Builder(IpPrefix.IPV4, 16);
        int rest = 0;
        for (int rank = 0; rank < count; rank++) {
            if (byDestination[rank]) {
                destinationBuilder.add(rank, dstKey[rank], dstLength[rank], srcKey[rank], srcPorts[rank],
                    dstPorts[rank], misc[rank] | (srcLength[rank] << Ipv4PrefixIndex.MISC_OTHER_LENGTH_SHIFT));
            } else if (bySource[rank]) {
                sourceBuilder.add(rank, srcKey[rank], srcLength[rank], dstKey[rank], srcPorts[rank],
                    dstPorts[rank], misc[rank] | (dstLength[rank] << Ipv4PrefixIndex.MISC_OTHER_LENGTH_SHIFT));
            } else if (applies[rank]) {
                AclRule rule = ordered.get(rank);
                trie.add(rank, rule.srcPrefix(), rule.dstPrefix());
                rest++;
            }
        }
        this.destinations = destinationBuilder.build();
        this.sources = sourceBuilder.build();
        this.remainder = trie.build();
        this.hasRemainder = rest > 0;
        this.remainderRules = rest;
    }

    /** The rank of the first matching rule, or -1. Allocation-free. */
    int lookup(CompiledRules rules, long srcHigh, long dstHigh, int protocol, int srcPort, int dstPort,
               int icmpType, boolean nonFirstFragment) {
        int source = (int) (srcHigh >>> 32);
        int destination = (int) (dstHigh >>> 32);
        // Both list offsets first: the two chains of reads are independent, so their misses overlap.
        int destinationList = destinations.listOf(destination);
        int sourceList = sources.listOf(source);
        // Leaf-pushing guarantees the indexed field: each list checks only the other address.
        int best = destinations.firstMatch(destinationList, Integer.MAX_VALUE, source, protocol,
            srcPort, dstPort, icmpType, nonFirstFragment);
        best = sources.firstMatch(sourceList, best, destination, protocol, srcPort, dstPort, icmpType,
            nonFirstFragment);
        if (hasRemainder) {
            int rank = remainder.lookup(rules, srcHigh, 0, dstHigh, 0, protocol, srcPort, dstPort, icmpType,
                nonFirstFragment, best);
            if (rank >= 0) {
                best = rank;
            }
        }
        return best == Integer.MAX_VALUE ? -1 : best;
    }

    /** Rules kept in the fallback trie (no prefix, or too much nesting), for tests and sizing. */
    int remainderRules() {
        return remainderRules;
    }

    /** Ints held by both indexes, for sizing. */
    int indexInts() {
        return destinations.sizeInts() + sources.sizeInts();
    }

    /**
     * Clears {@code filed[rank]} for every rule whose prefix contains more than {@code maxNested}
     * distinct longer prefixes of rules filed in the same index.
     */
    private static void limitNesting(boolean[] filed, int[] key, int[] length, int maxNested) {
        int filedCount = 0;
        for (boolean f : filed) {
            filedCount += f ? 1 : 0;
        }
        // Distinct (start, length) pairs, sorted by unsigned start then length.
        long[] prefixes = new long[filedCount];
        int n = 0;
        for (int rank = 0; rank < filed.length; rank++) {
            if (filed[rank]) {
                prefixes[n++] = ((key[rank] & 0xFFFF_FFFFL) << 6) | length[rank];
            }
        }
        Arrays.sort(prefixes);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || prefixes[distinct - 1] != prefixes[i]) {
                prefixes[distinct++] = prefixes[i];
            }
        }
        for (int rank = 0; rank < filed.length; rank++) {
            if (!filed[rank] || length[rank] == 32) {
                continue;
            }
            long start = key[rank] & 0xFFFF_FFFFL;
            long end = start + (1L << (32 - length[rank])) - 1;
            int at = Arrays.binarySearch(prefixes, 0, distinct, (start << 6) | length[rank]);
            int nested = 0;
            for (int i = at + 1; i < distinct && (prefixes[i] >>> 6) <= end; i++) {
                if (++nested > maxNested) {
                    filed[rank] = false;
                    break;
                }
            }
        }
    }

    /** The masked address (IpPrefix clears host bits), 0 for any. */
    private static int address(IpPrefix prefix) {
        return prefix == null ? 0 : (int) (prefix.high() >>> 32);
    }

    private static int length(IpPrefix prefix) {
        return prefix == null ? 0 : prefix.length();
    }

    /** Protocol + 1 (bits 0-8, 0 = any), ICMP type + 1 (bits 9-17, 0 = any), layer-4 and permit flags. */
    private static int misc(AclRule rule) {
        int misc = (rule.protocol().ipProtocol() + 1) & 0x1FF;
        misc |= ((rule.icmpType() + 1) & 0x1FF) << 9;
        misc |= rule.hasLayer4Condition() ? Ipv4PrefixIndex.MISC_LAYER4 : 0;
        misc |= rule.action() == AclAction.PERMIT ? Ipv4PrefixIndex.MISC_PERMIT : 0;
        return misc;
    }
}
