package io.softgate.acl.classify;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The classifier of one address family (IPv4 or IPv6) of one VPC. Each rule is filed under its
 * more specific address field: a rule whose destination prefix is at least as long as its
 * source prefix goes to the destination index, otherwise to the source index
 * ({@link PrefixIndex}, leaf-pushed, one candidate list per leaf), unless that prefix is crowded
 * and the other one is not (see {@link #CROWDED}). A lookup reads the packet's
 * destination list and source list and scans each in rank order. Rules with no prefix on either
 * field form one more list, the "anywhere" list every packet scans (split by port like any long
 * list). Rules that would be copied into too many leaves (a prefix with more than
 * {@link #MAX_NESTED} longer prefixes of the same index inside it) stay in a small
 * {@link PrefixPairTrie}.
 *
 * <p>Threading: immutable after construction; read by any number of workers.
 */
final class PrefixClassifier {
    /** A prefix with more nested longer prefixes than this is not leaf-pushed (bounds copying). */
    static final int MAX_NESTED = 32;
    /**
     * Rules sharing one exact prefix of an index beyond this count make that prefix crowded: its
     * list is scanned in full by every packet it admits that matches none of them, so the scan
     * would grow with the rule count. A rule filed under a crowded prefix that has a prefix on its
     * other field too is filed there instead while that field's prefix holds fewer rules than
     * this: an allow-list of 10,000 client addresses to one server becomes 10,000 one-rule source
     * lists instead of one 10,000-rule destination list. Rules with no prefix on the other field
     * (say, "any source to one server, port N", for many ports) stay; their list is split by port
     * instead ({@link PrefixIndex#PORT_SPLIT_MIN}).
     */
    static final int CROWDED = 8;

    private final PrefixIndex destinations;
    private final PrefixIndex sources;
    /** The rules with no prefix on either field: one list (index root), with a port table when long. */
    private final PrefixIndex anywhere;
    private final int anywhereList;
    private final boolean hasAnywhere;
    private final PrefixPairTrie remainder;
    private final boolean hasRemainder;
    private final int remainderRules;

    PrefixClassifier(int family, List<AclRule> ordered) {
        this(family, ordered, MAX_NESTED);
    }

    /** {@code maxNested} is a parameter so that tests can force the fallback path. */
    PrefixClassifier(int family, List<AclRule> ordered, int maxNested) {
        int count = ordered.size();
        boolean[] applies = new boolean[count];
        long[] dstHigh = new long[count];
        long[] dstLow = new long[count];
        int[] dstLength = new int[count];
        long[] srcHigh = new long[count];
        long[] srcLow = new long[count];
        int[] srcLength = new int[count];
        // File each rule under its longer prefix; then send back to the trie the rules whose
        // leaf-pushing would copy them into too many leaves.
        boolean[] byDestination = new boolean[count];
        boolean[] bySource = new boolean[count];
        for (int rank = 0; rank < count; rank++) {
            AclRule rule = ordered.get(rank);
            applies[rank] = rule.appliesToFamily(family);
            if (!applies[rank]) {
                continue;
            }
            IpPrefix src = rule.srcPrefix();
            IpPrefix dst = rule.dstPrefix();
            srcHigh[rank] = src == null ? 0 : src.high();
            srcLow[rank] = src == null ? 0 : src.low();
            srcLength[rank] = src == null ? 0 : src.length();
            dstHigh[rank] = dst == null ? 0 : dst.high();
            dstLow[rank] = dst == null ? 0 : dst.low();
            dstLength[rank] = dst == null ? 0 : dst.length();
            if (Math.max(dstLength[rank], srcLength[rank]) > 0) {
                if (dstLength[rank] >= srcLength[rank]) {
                    byDestination[rank] = true;
                } else {
                    bySource[rank] = true;
                }
            }
        }
        spreadCrowdedPrefixes(byDestination, bySource, dstHigh, dstLow, dstLength, srcHigh, srcLow, srcLength);
        limitNesting(byDestination, dstHigh, dstLow, dstLength, maxNested);
        limitNesting(bySource, srcHigh, srcLow, srcLength, maxNested);
        PrefixIndex.Builder destinationBuilder = new PrefixIndex.Builder(family);
        PrefixIndex.Builder sourceBuilder = new PrefixIndex.Builder(family);
        PrefixIndex.Builder anywhereBuilder = new PrefixIndex.Builder(family);
        int anywhereRules = 0;
        PrefixPairTrie.Builder trie = new PrefixPairTrie.Builder(family, 16);
        int rest = 0;
        for (int rank = 0; rank < count; rank++) {
            if (!applies[rank]) {
                continue;
            }
            AclRule rule = ordered.get(rank);
            int srcPorts = (rule.srcPortFrom() << 16) | rule.srcPortTo();
            int dstPorts = (rule.dstPortFrom() << 16) | rule.dstPortTo();
            if (byDestination[rank]) {
                destinationBuilder.add(rank, dstHigh[rank], dstLow[rank], dstLength[rank], srcHigh[rank], srcLow[rank],
                    srcPorts, dstPorts, misc(rule) | (srcLength[rank] << PrefixIndex.MISC_OTHER_LENGTH_SHIFT));
            } else if (bySource[rank]) {
                sourceBuilder.add(rank, srcHigh[rank], srcLow[rank], srcLength[rank], dstHigh[rank], dstLow[rank],
                    srcPorts, dstPorts, misc(rule) | (dstLength[rank] << PrefixIndex.MISC_OTHER_LENGTH_SHIFT));
            } else if (Math.max(dstLength[rank], srcLength[rank]) == 0) {
                // No address condition: indexed under the empty prefix, the other one empty too.
                anywhereBuilder.add(rank, 0, 0, 0, 0, 0, srcPorts, dstPorts, misc(rule));
                anywhereRules++;
            } else {
                trie.add(rank, rule.srcPrefix(), rule.dstPrefix());
                rest++;
            }
        }
        this.destinations = destinationBuilder.build();
        this.sources = sourceBuilder.build();
        this.anywhere = anywhereBuilder.build();
        this.anywhereList = anywhere.listOf(0, 0);
        this.hasAnywhere = anywhereRules > 0;
        this.remainder = trie.build();
        this.hasRemainder = rest > 0;
        this.remainderRules = rest;
    }

    /** The rank of the first matching rule, or -1. Allocation-free. */
    int lookup(CompiledRules rules, long srcHigh, long srcLow, long dstHigh, long dstLow, int protocol,
               int srcPort, int dstPort, int icmpType, boolean nonFirstFragment) {
        int destinationList = destinations.listOf(dstHigh, dstLow);
        int sourceList = sources.listOf(srcHigh, srcLow);
        return finish(rules, destinationList, sourceList, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort,
            dstPort, icmpType, nonFirstFragment);
    }

    /**
     * Classifies the batch members {@code members[0..count)} (all of this family) into
     * {@code batch.rank}. Breadth-first: both indexes are walked one level at a time for every
     * member, then every member's lists are touched (large indexes only), then scanned; so the
     * independent cache misses of different packets are in flight together instead of one after
     * another. Allocation-free.
     */
    void classify(CompiledRules rules, ClassifyBatch batch, int[] members, int count) {
        int[] destinationList = batch.destinationList;
        int[] sourceList = batch.sourceList;
        destinations.resolve(batch.dstHigh, batch.dstLow, destinationList, members, count, batch.pending);
        sources.resolve(batch.srcHigh, batch.srcLow, sourceList, members, count, batch.pending);
        // Start every list's first lines on their way before scanning any (a loop of loads only),
        // when the lists are large.
        int side = batch.vpcSide();
        int touched = PrefixIndex.touchLists(destinations, destinationList, (side & ClassifyBatch.DESTINATION) != 0,
            sources, sourceList, (side & ClassifyBatch.SOURCE) != 0, members, count);
        batch.touched = touched;
        long[] srcHigh = batch.srcHigh;
        long[] srcLow = batch.srcLow;
        long[] dstHigh = batch.dstHigh;
        long[] dstLow = batch.dstLow;
        for (int i = 0; i < count; i++) {
            int p = members[i];
            batch.rank[p] = finish(rules, destinationList[p], sourceList[p], srcHigh[p], srcLow[p], dstHigh[p],
                dstLow[p], batch.protocol[p], batch.srcPort[p], batch.dstPort[p], batch.icmpType[p],
                batch.nonFirstFragment[p]);
        }
    }

    private int finish(CompiledRules rules, int destinationList, int sourceList, long srcHigh, long srcLow,
                       long dstHigh, long dstLow, int protocol, int srcPort, int dstPort, int icmpType,
                       boolean nonFirstFragment) {
        // Leaf-pushing guarantees the indexed field: each list checks only the other address.
        int best = destinations.firstMatch(destinationList, Integer.MAX_VALUE, srcHigh, srcLow, protocol,
            srcPort, dstPort, icmpType, nonFirstFragment);
        best = sources.firstMatch(sourceList, best, dstHigh, dstLow, protocol, srcPort, dstPort, icmpType,
            nonFirstFragment);
        if (hasAnywhere) {
            best = anywhere.firstMatch(anywhereList, best, dstHigh, dstLow, protocol, srcPort, dstPort, icmpType,
                nonFirstFragment);
        }
        if (hasRemainder) {
            int rank = remainder.lookup(rules, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort, dstPort,
                icmpType, nonFirstFragment, best);
            if (rank >= 0) {
                best = rank;
            }
        }
        return best == Integer.MAX_VALUE ? -1 : best;
    }

    /** True when both indexes' lists are touched before a batch's scans (for tests). */
    boolean touchesBothIndexes() {
        return destinations.coldLists() && sources.coldLists();
    }

    /** True when the destination index resolves a 24-bit window in one load (for tests). */
    boolean hasDestinationWindow() {
        return destinations.hasWindow();
    }

    /** Rules kept in the fallback trie (too much nesting), for tests and sizing. */
    int remainderRules() {
        return remainderRules;
    }

    /** Ints held by the indexes (nodes and candidate lists), for sizing. */
    int indexInts() {
        return destinations.sizeInts() + sources.sizeInts() + anywhere.sizeInts();
    }

    /** Dense nodes (one load per step) of both indexes, for tests and sizing. */
    int denseNodes() {
        return destinations.denseNodes() + sources.denseNodes();
    }

    /** Node reads on the longest path of either index (the walk's worst case). */
    int maxDepth() {
        return Math.max(destinations.depth(), sources.depth());
    }

    /** Candidates on the longest list of any index (the scan's worst case), for tests and sizing. */
    int longestList() {
        return Math.max(Math.max(destinations.longestList(), sources.longestList()), anywhere.longestList());
    }

    /**
     * Moves rules filed under a {@link #CROWDED} prefix to their other field's index, in rank
     * order, while the prefix stays crowded and the other field's prefix (with a length above 0)
     * holds fewer than {@link #CROWDED} rules. Any filing is exact (each list checks the other
     * address inline); this only bounds how many candidates one list holds.
     */
    private static void spreadCrowdedPrefixes(boolean[] byDestination, boolean[] bySource, long[] dstHigh,
                                              long[] dstLow, int[] dstLength, long[] srcHigh, long[] srcLow,
                                              int[] srcLength) {
        Map<Prefix, Integer> destinationRules = new HashMap<>();
        Map<Prefix, Integer> sourceRules = new HashMap<>();
        for (int rank = 0; rank < byDestination.length; rank++) {
            if (byDestination[rank]) {
                destinationRules.merge(new Prefix(dstHigh[rank], dstLow[rank], dstLength[rank]), 1, Integer::sum);
            } else if (bySource[rank]) {
                sourceRules.merge(new Prefix(srcHigh[rank], srcLow[rank], srcLength[rank]), 1, Integer::sum);
            }
        }
        for (int rank = 0; rank < byDestination.length; rank++) {
            if (dstLength[rank] == 0 || srcLength[rank] == 0 || !(byDestination[rank] || bySource[rank])) {
                continue;
            }
            Prefix destination = new Prefix(dstHigh[rank], dstLow[rank], dstLength[rank]);
            Prefix source = new Prefix(srcHigh[rank], srcLow[rank], srcLength[rank]);
            Map<Prefix, Integer> from = byDestination[rank] ? destinationRules : sourceRules;
            Map<Prefix, Integer> to = byDestination[rank] ? sourceRules : destinationRules;
            Prefix filed = byDestination[rank] ? destination : source;
            Prefix other = byDestination[rank] ? source : destination;
            if (from.get(filed) > CROWDED && to.getOrDefault(other, 0) < CROWDED) {
                from.merge(filed, -1, Integer::sum);
                to.merge(other, 1, Integer::sum);
                byDestination[rank] = !byDestination[rank];
                bySource[rank] = !bySource[rank];
            }
        }
    }

    /** One exact prefix of one index, as a map key. */
    private record Prefix(long high, long low, int length) {
    }

    /**
     * Clears {@code filed[rank]} for every rule whose prefix contains more than {@code maxNested}
     * distinct longer prefixes of rules filed in the same index.
     */
    private static void limitNesting(boolean[] filed, long[] high, long[] low, int[] length, int maxNested) {
        int filedCount = 0;
        for (boolean f : filed) {
            filedCount += f ? 1 : 0;
        }
        // Distinct prefixes sorted by (unsigned start, length): a prefix's nested prefixes follow it.
        int[] order = new int[filedCount];
        int n = 0;
        for (int rank = 0; rank < filed.length; rank++) {
            if (filed[rank]) {
                order[n++] = rank;
            }
        }
        sortByPrefix(order, high, low, length);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || comparePrefix(order[distinct - 1], order[i], high, low, length) != 0) {
                order[distinct++] = order[i];
            }
        }
        for (int rank = 0; rank < filed.length; rank++) {
            if (!filed[rank]) {
                continue;
            }
            int at = bisect(order, distinct, rank, high, low, length);
            int nested = 0;
            for (int i = at + 1; i < distinct && contains(rank, order[i], high, low, length); i++) {
                if (++nested > maxNested) {
                    filed[rank] = false;
                    break;
                }
            }
        }
    }

    /** Index in {@code sorted[0..size)} of the prefix equal to rule {@code rank}'s. */
    private static int bisect(int[] sorted, int size, int rank, long[] high, long[] low, int[] length) {
        int lo = 0;
        int hi = size - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (comparePrefix(sorted[mid], rank, high, low, length) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** True when the prefix of {@code outer} contains the start of {@code inner}'s. */
    private static boolean contains(int outer, int inner, long[] high, long[] low, int[] length) {
        int bits = length[outer];
        return (high[inner] & IpPrefix.maskHigh(bits)) == high[outer]
            && (low[inner] & IpPrefix.maskLow(bits)) == low[outer];
    }

    private static int comparePrefix(int a, int b, long[] high, long[] low, int[] length) {
        int byHigh = Long.compareUnsigned(high[a], high[b]);
        if (byHigh != 0) {
            return byHigh;
        }
        int byLow = Long.compareUnsigned(low[a], low[b]);
        return byLow != 0 ? byLow : Integer.compare(length[a], length[b]);
    }

    /** Sorts rule indexes by prefix (a packed primitive sort when the addresses fit 58 bits). */
    private static void sortByPrefix(int[] order, long[] high, long[] low, int[] length) {
        boolean packable = true;
        for (int rank : order) {
            packable &= low[rank] == 0 && (high[rank] & 0xFFFF_FFFFL) == 0;
        }
        if (packable) {
            // IPv4: (address << 6 | length) sorts as (start, length); the rank rides in the low bits.
            if (high.length >= 1 << 24) {
                throw new IllegalArgumentException("too many rules in one VPC");
            }
            long[] packed = new long[order.length];
            for (int i = 0; i < order.length; i++) {
                int rank = order[i];
                packed[i] = ((((high[rank] >>> 32) << 6) | length[rank]) << 24) | rank;
            }
            Arrays.sort(packed);
            for (int i = 0; i < order.length; i++) {
                order[i] = (int) (packed[i] & 0xFF_FFFF);
            }
            return;
        }
        Integer[] boxed = new Integer[order.length];
        for (int i = 0; i < order.length; i++) {
            boxed[i] = order[i];
        }
        Arrays.sort(boxed, (a, b) -> comparePrefix(a, b, high, low, length));
        for (int i = 0; i < order.length; i++) {
            order[i] = boxed[i];
        }
    }

    /** Protocol + 1 (bits 0-8, 0 = any), ICMP type + 1 (bits 9-17, 0 = any), layer-4 and permit flags. */
    private static int misc(AclRule rule) {
        int misc = (rule.protocol().ipProtocol() + 1) & 0x1FF;
        misc |= ((rule.icmpType() + 1) & 0x1FF) << 9;
        misc |= rule.hasLayer4Condition() ? PrefixIndex.MISC_LAYER4 : 0;
        misc |= rule.action() == AclAction.PERMIT ? PrefixIndex.MISC_PERMIT : 0;
        return misc;
    }
}
