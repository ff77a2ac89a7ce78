package io.softgate.acl.classify;

import io.softgate.acl.model.IpPrefix;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules of one address family indexed by one address field (destination or source): a
 * leaf-pushed multibit trie over the address (32 bits for IPv4, 128 for IPv6), 8-bit strides,
 * whose leaves are candidate lists. Every address that reaches a leaf lies inside the indexed
 * prefix of every rule on the leaf's list (so that field needs no check), and the list holds
 * every indexed rule whose prefix contains the address, sorted by rank. The list stores each
 * candidate's remaining match data inline ({@link #recordInts(int)} ints: rank, both port ranges,
 * protocol/ICMP type/flags/other prefix length, then the other address: 1 int for IPv4, 4 for
 * IPv6), so scanning it reads contiguous memory and never the rule table.
 *
 * <p>A list of more than {@link #PORT_SPLIT_MIN} candidates is also split by destination port
 * (when that pays, see {@link #PORT_SPLIT_MAX_COPIES} and {@link #PORT_SPLIT_MIN_GAIN}): the
 * trie's leaf then points to a port table instead ({@link #portList}), whose sub-list for the
 * packet's destination port holds, in rank order, exactly the candidates whose destination port
 * range contains it. Non-first fragments carry no ports: they get the list less the candidates
 * that cannot be their first match ({@link Builder#fragmentList}).
 *
 * <p>Nodes are compressed: 256 child values become a 256-bit "a new run starts here" bitmap
 * followed by one value per run; a child is found with popcounts, with no loop. A node is
 * written right before the lists only it points to (a leaf node and its lists share cache lines
 * or sit in adjacent ones). A lookup is at most {@code W/8} node reads plus one list; the
 * batch walk ({@link #resolve}) takes one level for every packet of a batch before the next
 * level, so the cache misses of different packets overlap.
 *
 * <p>Threading: immutable after construction; read by any number of workers.
 */
final class PrefixIndex {
    static final int RANK = 0;
    static final int SRC_PORTS = 1;
    static final int DST_PORTS = 2;
    static final int MISC = 3;
    static final int OTHER = 4;
    static final int MISC_LAYER4 = 1 << 18;
    static final int MISC_PERMIT = 1 << 19;
    /** The other field's prefix length sits in misc bits 20-27. */
    static final int MISC_OTHER_LENGTH_SHIFT = 20;
    /** Node header: one int of run counts before each 64-bit bitmap word, then the 4 words as 8 ints. */
    static final int HEADER_INTS = 9;
    /**
     * Flag in a node's start ({@code ~value}) marking a dense node: its 256 child values in
     * order, no header, so a step is one load (the value's line) instead of header, bitmap word
     * and value. A node is dense when it has at least {@link #DENSE_MIN_RUNS} runs, where the
     * 256 values take at most twice the compressed form.
     */
    static final int DENSE = 1 << 30;
    static final int DENSE_MIN_RUNS = 128;

    private final int family;
    private final int recordInts;
    /** Root value: a list offset ({@code >= 0}) or {@code ~nodeStart}. */
    private final int root;
    /**
     * Nodes and lists. A node: the runs before bitmap word 1, 2, 3 (bytes 1-3 of one int), the
     * 256-bit run bitmap as 4 longs (8 ints, low half first), then one value per run; a dense
     * node ({@link #DENSE}) is its 256 values. A list: a count, then {@link #recordInts} per
     * candidate; offset 0 is the empty list.
     */
    private final int[] words;
    /**
     * For a large index, the value after the first two levels for every 16-bit address start
     * (one load instead of two node steps), else null. Built when the index holds at least
     * {@link #DIRECT_ROOT_MIN_INTS} ints, so it at most doubles the index's memory.
     */
    private final int[] directRoot;
    /**
     * For an index with a {@link #directRoot} whose deeper nodes all lie under a few consecutive
     * 16-bit starts (at most {@link #WINDOW_MAX_SPAN}: a VPC's own range, say), the value after the
     * first three levels for every 24-bit start in that span, else null; one load instead of the
     * direct root and a node step. Every 16-bit start outside the span has a list in the direct
     * root, so an address outside the window is resolved there.
     */
    private final int[] window;
    /** The first 24-bit start of the {@link #window} ({@code 16-bit start << 8}). */
    private final int windowBase;
    /** A window spans at most this many 16-bit starts (65,536 ints, as much as the direct root). */
    static final int WINDOW_MAX_SPAN = 256;

    /**
     * Lists of more candidates than this get a port table. A scan stops at the first match, but a
     * packet that matches none of a list's candidates reads them all: "tcp any -> server/32 port
     * N" for 10,000 ports N is one 10,000-candidate list, read in full by every packet to the
     * server on a port no rule names.
     */
    static final int PORT_SPLIT_MIN = 16;
    /**
     * A list is split by port only if its sub-lists hold at most this many candidates per
     * candidate of the list, in all (before identical sub-lists are shared): a candidate with a
     * wide port range is copied into every sub-list its range spans ("deny the rest" into all of
     * them), so this bounds the memory and compile time a split may cost.
     */
    static final int PORT_SPLIT_MAX_COPIES = 16;
    /**
     * A list is split by port only if its sub-lists are on average at most this fraction (1/4) of
     * it: a list whose candidates mostly span every port gains little from the split.
     */
    static final int PORT_SPLIT_MIN_GAIN = 4;
    /**
     * Port table layout: {@code -intervals}, the whole list, the non-first fragments' list, then
     * the interval starts, then their sub-lists.
     */
    private static final int PORT_TABLE_WHOLE = 1;
    private static final int PORT_TABLE_FRAGMENTS = 2;
    private static final int PORT_TABLE_STARTS = 3;

    /** Size from which an index gets a {@link #directRoot} (as many ints as the root table itself: 64 Ki). */
    static final int DIRECT_ROOT_MIN_INTS = 1 << 16;

    /**
     * Lists of more ints than this (256 KB) are touched before they are scanned
     * ({@link #touchLists}). Measured on AclBenchmark: touching smaller lists, or touching each
     * level's nodes before walking it, costs more than it saves; the breadth-first walk already
     * keeps the node misses of different packets in flight together.
     */
    static final int COLD_INTS = 64 * 1024;
    private final boolean coldLists;

    private PrefixIndex(int family, int root, int[] words, int[] nodeIntsByLevel) {
        this.family = family;
        int nodeInts = 0;
        for (int level = 0; level < nodeIntsByLevel.length; level++) {
            nodeInts += nodeIntsByLevel[level];
        }
        this.coldLists = words.length - nodeInts > COLD_INTS;
        this.recordInts = recordInts(family);
        this.root = root;
        this.words = words;
        this.directRoot = root < 0 && words.length >= DIRECT_ROOT_MIN_INTS ? directRoot(root, words) : null;
        int first = Integer.MAX_VALUE;
        int last = -1;
        for (int start = 0; directRoot != null && start < directRoot.length; start++) {
            if (directRoot[start] < 0) {
                first = Math.min(first, start);
                last = start;
            }
        }
        boolean windowed = last >= 0 && last - first < WINDOW_MAX_SPAN;
        this.window = windowed ? window(directRoot, words, first, last) : null;
        this.windowBase = windowed ? first << 8 : 0;
    }

    private static int[] window(int[] direct, int[] words, int first, int last) {
        int[] window = new int[(last - first + 1) << 8];
        for (int start = first; start <= last; start++) {
            int afterSecond = direct[start];
            for (int third = 0; third < 256; third++) {
                window[((start - first) << 8) | third] = afterSecond < 0 ? step(words, afterSecond, third) : afterSecond;
            }
        }
        return window;
    }

    private static int[] directRoot(int root, int[] words) {
        int[] direct = new int[1 << 16];
        for (int first = 0; first < 256; first++) {
            int afterFirst = step(words, root, first);
            for (int second = 0; second < 256; second++) {
                direct[(first << 8) | second] = afterFirst < 0 ? step(words, afterFirst, second) : afterFirst;
            }
        }
        return direct;
    }

    static int recordInts(int family) {
        return family == IpPrefix.IPV4 ? OTHER + 1 : OTHER + 4;
    }

    /** Offset of the candidate list of the address {@code high:low}. Allocation-free. */
    int listOf(long high, long low) {
        int value = root;
        int level = 0;
        int inWindow = (int) (high >>> 40) - windowBase;
        if (window != null && Integer.compareUnsigned(inWindow, window.length) < 0) {
            value = window[inWindow];
            level = 3;
        } else if (directRoot != null) {
            value = directRoot[(int) (high >>> 48)];
            level = 2;
        }
        while (value < 0) {
            value = step(words, value, byteAt(high, low, level));
            level++;
        }
        return value;
    }

    /**
     * Walks the addresses of the batch members {@code members[0..count)} down the trie, one
     * level for all of them before the next: {@code value[p]} starts at the root and ends
     * as member {@code p}'s list offset. The loads of one level are independent across packets,
     * so the out-of-order core keeps many cache misses in flight instead of one per packet.
     * {@code pending} is scratch (length >= count). Allocation-free; no data-dependent branch.
     */
    void resolve(long[] high, long[] low, int[] value, int[] members, int count, int[] pending) {
        int[] c = words;
        int[] direct = directRoot;
        int waiting = 0;
        int level;
        int[] windowed = window;
        if (windowed != null) {
            int base = windowBase;
            int last = windowed.length - 1;
            for (int i = 0; i < count; i++) {
                int p = members[i];
                long h = high[p];
                int inWindow = (int) (h >>> 40) - base;
                // -1 outside the window, 0 inside: both tables are read, the mask picks, no branch.
                int outside = (inWindow | (last - inWindow)) >> 31;
                int v = (windowed[inWindow & ~outside] & ~outside) | (direct[(int) (h >>> 48)] & outside);
                value[p] = v;
                pending[waiting] = p;
                // Outside the window the direct root holds a list: only windowed packets go on.
                waiting += v >>> 31;
            }
            level = 3;
        } else if (direct != null) {
            for (int i = 0; i < count; i++) {
                int p = members[i];
                int v = direct[(int) (high[p] >>> 48)];
                value[p] = v;
                pending[waiting] = p;
                waiting += v >>> 31;
            }
            level = 2;
        } else {
            int start = root;
            for (int i = 0; i < count; i++) {
                int p = members[i];
                value[p] = start;
                pending[waiting] = p;
                waiting += start >>> 31;
            }
            level = 0;
        }
        while (waiting > 0) {
            // The key byte of this level: hoisted, so the inner loop has no branch but its own.
            long[] keyWords = level < 8 ? high : low;
            int shift = 56 - ((level & 7) << 3);
            int next = 0;
            for (int i = 0; i < waiting; i++) {
                int p = pending[i];
                int v = step(c, value[p], (int) (keyWords[p] >>> shift) & 0xFF);
                value[p] = v;
                pending[next] = p;
                next += v >>> 31;
            }
            waiting = next;
            level++;
        }
    }

    /** The child of node {@code value} (a {@code ~nodeStart}) for key byte {@code label}. */
    private static int step(int[] c, int value, int label) {
        int base = ~value;
        if ((base & DENSE) != 0) {
            // All nodes of a level tend to be of one kind: the branch is predicted.
            return c[(base ^ DENSE) + label];
        }
        int word = label >>> 6;
        long bits = ((long) c[base + 2 + 2 * word] << 32) | (c[base + 1 + 2 * word] & 0xFFFF_FFFFL);
        // Runs starting at or before label: no loop, so no mispredicted branch per level.
        int runs = ((c[base] >>> (word << 3)) & 0xFF) + Long.bitCount(bits & (-1L >>> (63 - (label & 63))));
        return c[base + HEADER_INTS + runs - 1];
    }

    /** Byte {@code level} (0 = most significant) of a 128-bit address. */
    static int byteAt(long high, long low, int level) {
        long word = level < 8 ? high : low;
        return (int) (word >>> (56 - ((level & 7) << 3))) & 0xFF;
    }

    /**
     * Reads the first two lines of each member's list in each index asked for ({@code touchFirst},
     * {@code touchSecond}) whose lists exceed {@link #COLD_INTS}, so that they are on their way
     * before any list is scanned; returns a sum to keep the loads. Both indexes in one loop when
     * both are touched (one pass over the members: measured 0.3-0.5 ns a packet less than two
     * loops at 100,000 rules).
     */
    static int touchLists(PrefixIndex first, int[] firstLists, boolean touchFirst, PrefixIndex second,
                          int[] secondLists, boolean touchSecond, int[] members, int count) {
        boolean firstCold = touchFirst && first.coldLists;
        boolean secondCold = touchSecond && second.coldLists;
        if (!firstCold || !secondCold) {
            return (firstCold ? first.touchLists(firstLists, members, count) : 0)
                + (secondCold ? second.touchLists(secondLists, members, count) : 0);
        }
        int[] a = first.words;
        int[] b = second.words;
        int lastA = a.length - 1;
        int lastB = b.length - 1;
        int touched = 0;
        for (int i = 0; i < count; i++) {
            int p = members[i];
            int x = firstLists[p];
            int y = secondLists[p];
            touched += a[x] + a[Math.min(x + 16, lastA)] + b[y] + b[Math.min(y + 16, lastB)];
        }
        return touched;
    }

    private int touchLists(int[] lists, int[] members, int count) {
        int[] c = words;
        int last = c.length - 1;
        int touched = 0;
        for (int i = 0; i < count; i++) {
            int list = lists[members[i]];
            touched += c[list] + c[Math.min(list + 16, last)];
        }
        return touched;
    }

    /**
     * The rank of the first candidate on list {@code list} that matches the packet, if it is
     * below {@code bound}; else {@code bound}. {@code otherHigh:otherLow} is the packet's address
     * in the field this index does not index. Allocation-free.
     */
    int firstMatch(int list, int bound, long otherHigh, long otherLow, int protocol, int srcPort, int dstPort,
                   int icmpType, boolean nonFirstFragment) {
        int scanned = words[list] < 0 ? portList(words, list, dstPort, nonFirstFragment) : list;
        return family == IpPrefix.IPV4
            ? firstMatch32(words, scanned, bound, (int) (otherHigh >>> 32), protocol, srcPort, dstPort, icmpType,
                nonFirstFragment)
            : firstMatch128(words, scanned, bound, otherHigh, otherLow, protocol, srcPort, dstPort, icmpType,
                nonFirstFragment);
    }

    /**
     * {@link #firstMatch} on an IPv4 index's {@code words}: {@code other} is the packet's address
     * in the field the index does not index. The first candidate is tested before the loop: most
     * lists a packet reaches hold one or two candidates and most scans end on the first, and C2
     * makes of a loop that sometimes takes a second turn code that costs far more than the straight
     * test of one candidate (AclBenchmark, 100,000 rules: 27.2-28.2 ns a packet peeled against
     * 28.3-32.4 looped, three forks of JMH 35.0-35.7 M against 33.4 M packets/s; 10 rules unchanged).
     */
    private static int firstMatch32(int[] r, int list, int bound, int other, int protocol, int srcPort,
                                    int dstPort, int icmpType, boolean nonFirstFragment) {
        int count = r[list];
        if (count == 0) {
            return bound;
        }
        int first = list + 1;
        if (r[first + RANK] >= bound) {
            return bound;
        }
        if (matches32(r, first, other, protocol, srcPort, dstPort, icmpType, nonFirstFragment)) {
            return r[first + RANK];
        }
        int end = first + count * (OTHER + 1);
        for (int at = first + OTHER + 1; at < end; at += OTHER + 1) {
            int rank = r[at + RANK];
            if (rank >= bound) {
                return bound;
            }
            if (matches32(r, at, other, protocol, srcPort, dstPort, icmpType, nonFirstFragment)) {
                return rank;
            }
        }
        return bound;
    }

    /** True when the IPv4 candidate at {@code r[at]} matches the packet. */
    private static boolean matches32(int[] r, int at, int other, int protocol, int srcPort, int dstPort,
                                     int icmpType, boolean nonFirstFragment) {
        int misc = r[at + MISC];
        // (int) (-1L << 32) == 0: a zero length masks everything away.
        int otherMask = (int) (-1L << (32 - (misc >>> MISC_OTHER_LENGTH_SHIFT)));
        // The other address rejects most candidates: test it first; the rest is branch-free.
        return (other & otherMask) == r[at + OTHER]
            && matchesRest(r, at, misc, protocol, srcPort, dstPort, icmpType, nonFirstFragment);
    }

    /** {@link #firstMatch} on an IPv6 index's {@code words} (see {@link #firstMatch32}). */
    private static int firstMatch128(int[] r, int list, int bound, long otherHigh, long otherLow, int protocol,
                                     int srcPort, int dstPort, int icmpType, boolean nonFirstFragment) {
        int count = r[list];
        if (count == 0) {
            return bound;
        }
        int first = list + 1;
        if (r[first + RANK] >= bound) {
            return bound;
        }
        if (matches128(r, first, otherHigh, otherLow, protocol, srcPort, dstPort, icmpType, nonFirstFragment)) {
            return r[first + RANK];
        }
        int end = first + count * (OTHER + 4);
        for (int at = first + OTHER + 4; at < end; at += OTHER + 4) {
            int rank = r[at + RANK];
            if (rank >= bound) {
                return bound;
            }
            if (matches128(r, at, otherHigh, otherLow, protocol, srcPort, dstPort, icmpType, nonFirstFragment)) {
                return rank;
            }
        }
        return bound;
    }

    /** True when the IPv6 candidate at {@code r[at]} matches the packet. */
    private static boolean matches128(int[] r, int at, long otherHigh, long otherLow, int protocol, int srcPort,
                                      int dstPort, int icmpType, boolean nonFirstFragment) {
        int misc = r[at + MISC];
        return matchesOther128(r, at, misc, otherHigh, otherLow)
            && matchesRest(r, at, misc, protocol, srcPort, dstPort, icmpType, nonFirstFragment);
    }

    /**
     * The list to scan behind the port table at {@code table}: the sub-list of the interval that
     * holds {@code dstPort} (binary search over the interval starts, the first of which is 0), or
     * for a non-first fragment the whole list less the candidates that cannot be its first match
     * ({@link Builder#fragmentList}). Exact: a candidate left out of that sub-list has a
     * destination port range without {@code dstPort}, so it has layer-4 conditions and
     * {@link #matchesRest} rejects it for a packet that is not a non-first fragment.
     */
    static int portList(int[] r, int table, int dstPort, boolean nonFirstFragment) {
        if (nonFirstFragment) {
            return r[table + PORT_TABLE_FRAGMENTS];
        }
        int intervals = -r[table];
        int starts = table + PORT_TABLE_STARTS;
        return r[starts + intervals + intervalOf(r, starts, intervals, dstPort)];
    }

    /**
     * Index of the interval holding {@code port} among the {@code intervals} ascending interval
     * starts at {@code r[starts..]}, the first of which is 0: the last start at or below it.
     */
    static int intervalOf(int[] r, int starts, int intervals, int port) {
        int lo = 0;
        int hi = intervals - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (r[starts + mid] <= port) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static boolean matchesOther128(int[] r, int at, int misc, long otherHigh, long otherLow) {
        int length = misc >>> MISC_OTHER_LENGTH_SHIFT;
        long high = ((long) r[at + OTHER] << 32) | (r[at + OTHER + 1] & 0xFFFF_FFFFL);
        long low = ((long) r[at + OTHER + 2] << 32) | (r[at + OTHER + 3] & 0xFFFF_FFFFL);
        return (otherHigh & IpPrefix.maskHigh(length)) == high & (otherLow & IpPrefix.maskLow(length)) == low;
    }

    /**
     * Protocol, ports and ICMP type, without branches. A rule without layer-4 conditions has full
     * port ranges and any ICMP type, so its layer-4 test passes by itself. RFC 791 §3.2 / RFC 8200
     * §4.5: a non-first fragment has no ports; a rule with layer-4 conditions matches it only if
     * the rule permits.
     */
    private static boolean matchesRest(int[] r, int at, int misc, int protocol, int srcPort, int dstPort,
                                       int icmpType, boolean nonFirstFragment) {
        int ruleProtocol = (misc & 0x1FF) - 1;
        boolean protocolMatches = ruleProtocol < 0 | ruleProtocol == protocol;
        int srcPorts = r[at + SRC_PORTS];
        int dstPorts = r[at + DST_PORTS];
        int ruleIcmpType = ((misc >>> 9) & 0x1FF) - 1;
        boolean layer4Matches = srcPort >= (srcPorts >>> 16) & srcPort <= (srcPorts & 0xFFFF)
            & dstPort >= (dstPorts >>> 16) & dstPort <= (dstPorts & 0xFFFF)
            & (ruleIcmpType < 0 | ruleIcmpType == icmpType);
        boolean fragmentMatches = (misc & MISC_LAYER4) == 0 | (misc & MISC_PERMIT) != 0;
        return protocolMatches & (nonFirstFragment ? fragmentMatches : layer4Matches);
    }

    /** True when the index's lists are large enough to be touched before a scan (for tests). */
    boolean coldLists() {
        return coldLists;
    }

    /** True when the index has a {@link #window} (for tests and sizing). */
    boolean hasWindow() {
        return window != null;
    }

    /** Ints held (nodes, lists, the direct root and window if any), for sizing. */
    int sizeInts() {
        return words.length + (directRoot == null ? 0 : directRoot.length) + (window == null ? 0 : window.length);
    }

    /** Dense nodes (at least {@link #DENSE_MIN_RUNS} runs, stored as 256 values), for tests and sizing. */
    int denseNodes() {
        return denseNodes(root);
    }

    private int denseNodes(int value) {
        if (value >= 0) {
            return 0;
        }
        int base = ~value;
        boolean dense = (base & DENSE) != 0;
        int start = dense ? base ^ DENSE : base + HEADER_INTS;
        int children = dense ? 256 : runs(base);
        int count = dense ? 1 : 0;
        for (int i = 0; i < children; i++) {
            // Neighbouring runs of a dense node often share a child: count each child once.
            if (i == 0 || words[start + i] != words[start + i - 1]) {
                count += denseNodes(words[start + i]);
            }
        }
        return count;
    }

    /** Runs (values) of the compressed node starting at {@code base}. */
    private int runs(int base) {
        long lastWord = ((long) words[base + 8] << 32) | (words[base + 7] & 0xFFFF_FFFFL);
        return ((words[base] >>> 24) & 0xFF) + Long.bitCount(lastWord);
    }

    /** Candidates on the longest list (the worst-case scan), for tests and sizing. */
    int longestList() {
        return longestList(root);
    }

    private int longestList(int value) {
        if (value >= 0 && words[value] < 0) {
            int intervals = -words[value];
            int longest = 0;
            for (int i = 0; i < intervals; i++) {
                longest = Math.max(longest, words[words[value + PORT_TABLE_STARTS + intervals + i]]);
            }
            return Math.max(longest, words[words[value + PORT_TABLE_FRAGMENTS]]);
        }
        if (value >= 0) {
            return words[value];
        }
        int base = ~value;
        boolean dense = (base & DENSE) != 0;
        int start = dense ? base ^ DENSE : base + HEADER_INTS;
        int children = dense ? 256 : runs(base);
        int longest = 0;
        for (int i = 0; i < children; i++) {
            if (i == 0 || words[start + i] != words[start + i - 1]) {
                longest = Math.max(longest, longestList(words[start + i]));
            }
        }
        return longest;
    }

    /** Nodes on the longest path (the worst-case walk), for tests and sizing. */
    int depth() {
        return depth(root);
    }

    private int depth(int value) {
        if (value >= 0) {
            return 0;
        }
        int base = ~value;
        if ((base & DENSE) != 0) {
            int deepest = 0;
            for (int i = 0; i < 256; i++) {
                deepest = Math.max(deepest, depth(words[(base ^ DENSE) + i]));
            }
            return 1 + deepest;
        }
        int runs = runs(base);
        int deepest = 0;
        for (int i = 0; i < runs; i++) {
            deepest = Math.max(deepest, depth(words[base + HEADER_INTS + i]));
        }
        return 1 + deepest;
    }

    /**
     * Builds an index from entries added in rank order.
     *
     * <p>Threading: confined to the compiling thread.
     */
    static final class Builder {
        private final int family;
        private final int levels;
        private final int recordInts;
        private final IntList entryRank = new IntList();
        private final LongList entryKeyHigh = new LongList();
        private final LongList entryKeyLow = new LongList();
        private final IntList entryLength = new IntList();
        private final IntList entryRecord = new IntList();
        private final IntList out = new IntList();
        private final Scratch[] scratches;
        private final int[] nodeIntsByLevel;
        private int[] internTable = new int[1024];
        private int internCount;

        Builder(int family) {
            this.family = family;
            this.levels = (family == IpPrefix.IPV4 ? 32 : 128) / 8;
            this.recordInts = PrefixIndex.recordInts(family);
            this.scratches = new Scratch[levels + 1];
            this.nodeIntsByLevel = new int[levels + 1];
            out.add(0);
        }

        /**
         * Indexes rule {@code rank} under the prefix {@code keyHigh:keyLow/length} of this index's
         * field; {@code otherHigh:otherLow} is the other field's masked address, {@code misc}
         * carries protocol, ICMP type, flags and the other field's prefix length.
         */
        void add(int rank, long keyHigh, long keyLow, int length, long otherHigh, long otherLow, int srcPorts,
                 int dstPorts, int misc) {
            entryRank.add(rank);
            entryKeyHigh.add(keyHigh);
            entryKeyLow.add(keyLow);
            entryLength.add(length);
            entryRecord.add(rank);
            entryRecord.add(srcPorts);
            entryRecord.add(dstPorts);
            entryRecord.add(misc);
            if (family == IpPrefix.IPV4) {
                entryRecord.add((int) (otherHigh >>> 32));
            } else {
                entryRecord.add((int) (otherHigh >>> 32));
                entryRecord.add((int) otherHigh);
                entryRecord.add((int) (otherLow >>> 32));
                entryRecord.add((int) otherLow);
            }
        }

        PrefixIndex build() {
            int[] all = new int[entryRank.size];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            int root = node(0, all, all.length);
            return new PrefixIndex(family, root, out.toArray(), nodeIntsByLevel);
        }

        /** Value of the region whose first {@code 8 * level} key bits are fixed, holding {@code entries}. */
        private int node(int level, int[] entries, int count) {
            int fixedBits = 8 * level;
            boolean deeper = false;
            for (int i = 0; i < count && !deeper; i++) {
                deeper = entryLength.get(entries[i]) > fixedBits;
            }
            if (!deeper || level == levels) {
                return intern(entries, count);
            }
            // Scratch per level (the recursion is at most W/8 deep): compiling allocates little.
            Scratch scratch = scratch(level);
            IntList covering = scratch.covering;
            covering.size = 0;
            IntList[] buckets = scratch.buckets;
            for (int child = 0; child < 256; child++) {
                buckets[child].size = 0;
            }
            for (int i = 0; i < count; i++) {
                int entry = entries[i];
                int length = entryLength.get(entry);
                if (length <= fixedBits) {
                    covering.add(entry);
                    continue;
                }
                int first = byteAt(entryKeyHigh.get(entry), entryKeyLow.get(entry), level);
                int span = length >= fixedBits + 8 ? 1 : 1 << (fixedBits + 8 - length);
                for (int child = first; child < first + span; child++) {
                    buckets[child].add(entry);
                }
            }
            // Children first (deeper nodes and their lists), then this node, then the lists only
            // this node points to: a leaf node sits right before its candidate lists.
            int[] values = scratch.values;
            boolean[] isList = scratch.isList;
            for (int child = 0; child < 256; child++) {
                IntList bucket = buckets[child];
                isList[child] = !(level + 1 < levels && hasDeeper(bucket.data, bucket.size, fixedBits + 8));
                if (!isList[child]) {
                    int merged = merge(covering, bucket, scratch);
                    values[child] = node(level + 1, scratch.merged, merged);
                }
            }
            // Runs: a child starts one when it is a node or its list differs from the previous child's.
            int runs = 0;
            for (int child = 0; child < 256; child++) {
                if (child == 0 || !isList[child] || !isList[child - 1]
                    || !sameEntries(buckets[child], buckets[child - 1])) {
                    runs++;
                }
            }
            // Reserve the node, write its own lists right after it, then fill the node in.
            int base = out.size;
            int nodeInts = runs >= DENSE_MIN_RUNS ? 256 : HEADER_INTS + runs;
            nodeIntsByLevel[level] += nodeInts;
            for (int i = 0; i < nodeInts; i++) {
                out.add(0);
            }
            int coveringValue = -1;
            for (int child = 0; child < 256; child++) {
                if (!isList[child]) {
                    continue;
                }
                IntList bucket = buckets[child];
                if (bucket.size == 0) {
                    if (coveringValue < 0) {
                        coveringValue = intern(covering.data, covering.size);
                    }
                    values[child] = coveringValue;
                } else if (child > 0 && isList[child - 1] && sameEntries(bucket, buckets[child - 1])) {
                    values[child] = values[child - 1];
                } else {
                    int merged = merge(covering, bucket, scratch);
                    values[child] = intern(scratch.merged, merged);
                }
            }
            return compress(values, base, runs);
        }

        private static boolean sameEntries(IntList a, IntList b) {
            if (a.size != b.size) {
                return false;
            }
            for (int i = 0; i < a.size; i++) {
                if (a.data[i] != b.data[i]) {
                    return false;
                }
            }
            return true;
        }

        private boolean hasDeeper(int[] entries, int count, int fixedBits) {
            for (int i = 0; i < count; i++) {
                if (entryLength.get(entries[i]) > fixedBits) {
                    return true;
                }
            }
            return false;
        }

        private Scratch scratch(int level) {
            if (scratches[level] == null) {
                scratches[level] = new Scratch();
            }
            return scratches[level];
        }

        /** Entries are numbered in rank order, so merging by number keeps rank order. */
        private static int merge(IntList a, IntList b, Scratch scratch) {
            int total = a.size + b.size;
            if (scratch.merged.length < total) {
                scratch.merged = new int[Math.max(total, scratch.merged.length * 2)];
            }
            int[] out = scratch.merged;
            int i = 0;
            int j = 0;
            int k = 0;
            while (i < a.size && j < b.size) {
                out[k++] = a.data[i] < b.data[j] ? a.data[i++] : b.data[j++];
            }
            while (i < a.size) {
                out[k++] = a.data[i++];
            }
            while (j < b.size) {
                out[k++] = b.data[j++];
            }
            return total;
        }

        /**
         * Writes the node reserved at {@code base} ({@code runs} values); returns {@code ~base}, or
         * {@code ~(base | DENSE)} for a dense node (its 256 values, no header).
         */
        private int compress(int[] values, int base, int runs) {
            int[] node = out.data;
            if (base >= DENSE) {
                throw new IllegalStateException("index too large: " + base + " ints");
            }
            if (runs >= DENSE_MIN_RUNS) {
                System.arraycopy(values, 0, node, base, 256);
                return ~(base | DENSE);
            }
            int written = 0;
            for (int i = 0; i < 256; i++) {
                if ((i & 63) == 0 && i > 0) {
                    // At most 192 runs precede word 3: each count fits its byte.
                    node[base] |= written << ((i >>> 6) << 3);
                }
                if (i == 0 || values[i] != values[i - 1]) {
                    node[base + 1 + (i >>> 5)] |= 1 << (i & 31);
                    node[base + HEADER_INTS + written] = values[i];
                    written++;
                }
            }
            if (written != runs) {
                throw new IllegalStateException("runs " + written + " != " + runs);
            }
            return ~base;
        }

        /**
         * Offset of the list of {@code entries} (same ranks = same list, stored once): an
         * open-addressing table of list offsets, compared against the lists already written.
         */
        private int intern(int[] entries, int count) {
            return intern(entries, count, true);
        }

        /** {@link #intern}; {@code splittable} is false for the sub-lists of a port table. */
        private int intern(int[] entries, int count, boolean splittable) {
            if (count == 0) {
                return 0;
            }
            int hash = count;
            for (int i = 0; i < count; i++) {
                hash = hash * 31 + entryRank.get(entries[i]);
            }
            int mask = internTable.length - 1;
            int slot = (hash * 0x9E37_79B9) >>> 8 & mask;
            while (internTable[slot] != 0) {
                if (sameList(internTable[slot], entries, count)) {
                    // A port table's sub-list must be a plain list, never another port table.
                    return splittable ? internTable[slot] : wholeList(internTable[slot]);
                }
                slot = (slot + 1) & mask;
            }
            int offset = out.size;
            out.add(count);
            for (int i = 0; i < count; i++) {
                int from = entries[i] * recordInts;
                for (int k = 0; k < recordInts; k++) {
                    out.add(entryRecord.get(from + k));
                }
            }
            int value = splittable && count > PORT_SPLIT_MIN ? portTable(entries, count, offset) : offset;
            // Sub-lists interned meanwhile may have grown the table: find this list's slot again.
            slot = (hash * 0x9E37_79B9) >>> 8 & (internTable.length - 1);
            while (internTable[slot] != 0) {
                slot = (slot + 1) & (internTable.length - 1);
            }
            internTable[slot] = value;
            if (++internCount * 2 > internTable.length) {
                rehashIntern();
            }
            return value;
        }

        /**
         * Writes the port table of the list of {@code entries} (written at {@code whole}) and
         * returns its offset, or returns {@code whole} when splitting does not pay. Interval
         * starts: 0 and every candidate's destination port range start and end + 1; each
         * interval's candidates are those whose range contains its start (a range holds a whole
         * interval or none of it). Neighbouring intervals with the same candidates are merged.
         */
        private int portTable(int[] entries, int count, int whole) {
            int[] bounds = new int[2 * count + 1];
            int n = 0;
            bounds[n++] = 0;
            for (int i = 0; i < count; i++) {
                int ports = entryRecord.get(entries[i] * recordInts + DST_PORTS);
                bounds[n++] = ports >>> 16;
                bounds[n++] = (ports & 0xFFFF) + 1;
            }
            Arrays.sort(bounds, 0, n);
            int intervals = 0;
            for (int i = 0; i < n; i++) {
                if (bounds[i] <= 0xFFFF && (intervals == 0 || bounds[i] != bounds[intervals - 1])) {
                    bounds[intervals++] = bounds[i];
                }
            }
            // Each candidate spans the intervals from the one holding its range start to the one
            // holding its range end; the sum of those spans is how many copies the split makes.
            int[] first = new int[count];
            int[] last = new int[count];
            long copies = 0;
            for (int i = 0; i < count; i++) {
                int ports = entryRecord.get(entries[i] * recordInts + DST_PORTS);
                first[i] = intervalOf(bounds, 0, intervals, ports >>> 16);
                last[i] = intervalOf(bounds, 0, intervals, ports & 0xFFFF);
                copies += last[i] - first[i] + 1;
            }
            if (intervals < 2 || copies > (long) PORT_SPLIT_MAX_COPIES * count
                || copies * PORT_SPLIT_MIN_GAIN > (long) intervals * count) {
                return whole;
            }
            // Sub-lists in one array, interval by interval; candidates go in rank order.
            int[] at = new int[intervals + 1];
            for (int i = 0; i < count; i++) {
                for (int interval = first[i]; interval <= last[i]; interval++) {
                    at[interval + 1]++;
                }
            }
            for (int interval = 0; interval < intervals; interval++) {
                at[interval + 1] += at[interval];
            }
            int[] members = new int[(int) copies];
            int[] filled = Arrays.copyOf(at, intervals);
            for (int i = 0; i < count; i++) {
                for (int interval = first[i]; interval <= last[i]; interval++) {
                    members[filled[interval]++] = entries[i];
                }
            }
            int[] starts = new int[intervals];
            int[] lists = new int[intervals];
            int kept = 0;
            for (int interval = 0; interval < intervals; interval++) {
                int size = at[interval + 1] - at[interval];
                int list = intern(Arrays.copyOfRange(members, at[interval], at[interval + 1]), size, false);
                if (kept > 0 && list == lists[kept - 1]) {
                    continue; // the same candidates as the interval before (or none, both): one interval
                }
                starts[kept] = bounds[interval];
                lists[kept] = list;
                kept++;
            }
            int fragments = fragmentList(entries, count);
            int table = out.size;
            out.add(-kept);
            out.add(whole);
            out.add(fragments);
            for (int i = 0; i < kept; i++) {
                out.add(starts[i]);
            }
            for (int i = 0; i < kept; i++) {
                out.add(lists[i]);
            }
            return table;
        }

        /**
         * The list a non-first fragment scans instead of the whole list of {@code entries}. Such a
         * packet has no ports (RFC 791 §3.2, RFC 8200 §4.5), so whether a candidate matches it
         * depends only on its protocol, its other prefix and whether it permits
         * ({@link #matchesRest}): a candidate with layer-4 conditions that denies never matches
         * one and is left out, and of candidates alike in those three only the first (lowest
         * rank) can be the first match, so only it is kept. Many rules "tcp any -> server port
         * N" become one candidate here, so a flood of fragments does not scan them all.
         */
        private int fragmentList(int[] entries, int count) {
            int[] kept = new int[count];
            int size = 0;
            Set<List<Integer>> seen = new HashSet<>();
            for (int i = 0; i < count; i++) {
                int at = entries[i] * recordInts;
                int misc = entryRecord.get(at + MISC);
                boolean layer4 = (misc & MISC_LAYER4) != 0;
                boolean permit = (misc & MISC_PERMIT) != 0;
                if (layer4 && !permit) {
                    continue;
                }
                Integer[] alike = new Integer[recordInts - OTHER + 2];
                alike[0] = misc & 0x1FF; // the protocol field
                alike[1] = (misc >>> MISC_OTHER_LENGTH_SHIFT) & 0xFF;
                for (int k = OTHER; k < recordInts; k++) {
                    alike[k - OTHER + 2] = entryRecord.get(at + k);
                }
                if (seen.add(List.of(alike))) {
                    kept[size++] = entries[i];
                }
            }
            return intern(kept, size, false);
        }

        /** The list written at {@code offset}: itself, or the whole list behind a port table. */
        private int wholeList(int offset) {
            return out.data[offset] < 0 ? out.data[offset + PORT_TABLE_WHOLE] : offset;
        }

        private boolean sameList(int value, int[] entries, int count) {
            int offset = wholeList(value);
            if (out.data[offset] != count) {
                return false;
            }
            for (int i = 0; i < count; i++) {
                if (out.data[offset + 1 + i * recordInts + RANK] != entryRank.get(entries[i])) {
                    return false;
                }
            }
            return true;
        }

        private void rehashIntern() {
            int[] old = internTable;
            internTable = new int[old.length * 2];
            int mask = internTable.length - 1;
            for (int value : old) {
                if (value != 0) {
                    int offset = wholeList(value);
                    int count = out.data[offset];
                    int hash = count;
                    for (int i = 0; i < count; i++) {
                        hash = hash * 31 + out.data[offset + 1 + i * recordInts + RANK];
                    }
                    int slot = (hash * 0x9E37_79B9) >>> 8 & mask;
                    while (internTable[slot] != 0) {
                        slot = (slot + 1) & mask;
                    }
                    internTable[slot] = value;
                }
            }
        }
    }

    /**
     * One recursion level's reusable buffers.
     *
     * <p>Threading: confined to the compiling thread.
     */
    private static final class Scratch {
        final IntList covering = new IntList();
        final IntList[] buckets = new IntList[256];
        final int[] values = new int[256];
        final boolean[] isList = new boolean[256];
        int[] merged = new int[16];

        Scratch() {
            for (int i = 0; i < 256; i++) {
                buckets[i] = new IntList();
            }
        }
    }

    /** A growable int array (compile time only). */
    static final class IntList {
        int[] data = new int[4];
        int size;

        void add(int value) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = value;
        }

        int get(int index) {
            return data[index];
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    /** A growable long array (compile time only). */
    static final class LongList {
        long[] data = new long[4];
        int size;

        void add(long value) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = value;
        }

        long get(int index) {
            return data[index];
        }
    }
}
