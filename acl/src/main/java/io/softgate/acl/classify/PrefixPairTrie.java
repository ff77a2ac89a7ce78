package io.softgate.acl.classify;

import io.softgate.acl.model.IpPrefix;
import java.util.Arrays;

/**
 * The classifier of one address family: a hierarchical multibit trie, destination first, then
 * source (stride 8 bits). A rule whose destination prefix has length {@code L} hangs on the
 * destination node at depth {@code L / 8}; inside that node a source trie holds it at depth
 * {@code srcLength / 8}, in a list sorted by rank. A lookup walks the packet's destination path
 * and, at every destination node with rules, the packet's source path, checking the short lists
 * it meets; every node knows the best (lowest) rank beneath it, so the walk stops as soon as
 * nothing below can beat the match in hand.
 *
 * <p>Cost of a lookup: at most (depth + 1)^2 node visits (25 for IPv4, 289 for IPv6) plus the
 * rules on lists of visited nodes whose rank is below the best match so far; it never depends
 * on how many rules live elsewhere in the trie. See acl/README.md for the worst case.
 *
 * <p>Threading: immutable after construction; read by any number of workers.
 */
public final class PrefixPairTrie {
    static final int STRIDE_BITS = 8;

    /** Child keys must fit 32 bits: node ids below 2^24. */
    static final int MAX_NODES = 1 << 24;
    private static final int NONE = -1;

    private final int maxDepth;
    /**
     * Per node, one long: best rank beneath it (high half) and its payload (low half): for a
     * destination node the root of its source trie; for a source node its rules: a single rule
     * inline as {@code -2 - rank} (saves a cache miss on the common one-rule list), else the start
     * of its list in {@link #ruleList} (a length, then the ranks); {@link #NONE} when absent.
     */
    private final long[] nodeInfo;
    private final int[] ruleList;
    /**
     * Child table, open addressing, two longs per slot: (child key, child node) and a copy of the
     * child's info, so a step down the trie reads one cache line and not two.
     */
    private final long[] children;
    private final int childMask;
    private final int childShift;

    private PrefixPairTrie(Builder builder) {
        this.maxDepth = builder.maxDepth;
        int count = builder.nodeCount;
        this.nodeInfo = new long[count];
        int listWords = 0;
        for (int node = 0; node < count; node++) {
            if (builder.listHead[node] >= 0) {
                listWords++;
            }
        }
        this.ruleList = new int[builder.entryCount + listWords];
        int position = 0;
        for (int node = 0; node < count; node++) {
            int payload = builder.sourceRoot[node];
            int head = builder.listHead[node];
            if (head >= 0 && builder.entryNext[head] < 0) {
                payload = inlineRank(builder.entryRule[head]);
            } else if (head >= 0) {
                payload = position;
                int lengthAt = position++;
                for (int entry = builder.listHead[node]; entry >= 0; entry = builder.entryNext[entry]) {
                    ruleList[position++] = builder.entryRule[entry];
                }
                ruleList[lengthAt] = position - lengthAt - 1;
            }
            nodeInfo[node] = ((long) builder.subtreeBest[node] << 32) | (payload & 0xFFFF_FFFFL);
        }
        // Re-pack the child table at the size it needs (load <= 1/2) to keep it cache-dense.
        int capacity = Integer.highestOneBit(Math.max(16, builder.childCount * 2) - 1) << 1;
        this.children = new long[capacity * 2];
        this.childMask = capacity - 1;
        this.childShift = 64 - Integer.numberOfTrailingZeros(capacity);
        for (int i = 0; i < builder.childKeys.length; i++) {
            long key = builder.childKeys[i];
            if (key != 0) {
                int index = hash(key, childShift);
                while (children[index * 2] != 0) {
                    index = (index + 1) & childMask;
                }
                int child = builder.childNodes[i];
                children[index * 2] = (key << 32) | child;
                children[index * 2 + 1] = nodeInfo[child];
            }
        }
    }

    /** Number of trie nodes (destination and source), for tests and sizing. */
    public int nodeCount() {
        return nodeInfo.length;
    }

    /** The rank of the first rule matching the packet, or -1. Allocation-free. */
    public int lookup(CompiledRules rules, long srcHigh, long srcLow, long dstHigh, long dstLow,
                      int protocol, int srcPort, int dstPort, int icmpType, boolean nonFirstFragment) {
        return lookup(rules, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort, dstPort, icmpType,
            nonFirstFragment, Integer.MAX_VALUE);
    }

    /**
     * The rank of the first rule matching the packet if it is below {@code bound} (a match
     * already found elsewhere), or -1. Allocation-free.
     */
    public int lookup(CompiledRules rules, long srcHigh, long srcLow, long dstHigh, long dstLow,
                      int protocol, int srcPort, int dstPort, int icmpType, boolean nonFirstFragment, int bound) {
        int best = bound;
        long[] table = children;
        int destinationNode = 0;
        long destinationInfo = nodeInfo[0];
        int destinationDepth = 0;
        while ((int) (destinationInfo >> 32) < best) {
            int sourceNode = (int) destinationInfo;
            if (sourceNode != NONE) {
                long sourceInfo = nodeInfo[sourceNode];
                int sourceDepth = 0;
                while ((int) (sourceInfo >> 32) < best) {
                    int listStart = (int) sourceInfo;
                    if (listStart < NONE) {
                        int rank = inlineRank(listStart);
                        if (rank < best && rules.matches(rank, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort,
                            dstPort, icmpType, nonFirstFragment)) {
                            best = rank;
                        }
                    } else if (listStart != NONE) {
                        int end = listStart + 1 + ruleList[listStart];
                        for (int i = listStart + 1; i < end; i++) {
                            int rank = ruleList[i];
                            if (rank >= best) {
                                break;
                            }
                            if (rules.matches(rank, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort, dstPort,
                                icmpType, nonFirstFragment)) {
                                best = rank;
                                break;
                            }
                        }
                    }
                    if (sourceDepth == maxDepth) {
                        break;
                    }
                    int slot = findChild(sourceNode, byteAt(srcHigh, srcLow, sourceDepth));
                    if (slot < 0) {
                        break;
                    }
                    sourceNode = (int) table[slot];
                    sourceInfo = table[slot + 1];
                    sourceDepth++;
                }
            }
            if (destinationDepth == maxDepth) {
                break;
            }
            int slot = findChild(destinationNode, byteAt(dstHigh, dstLow, destinationDepth));
            if (slot < 0) {
                break;
            }
            destinationNode = (int) table[slot];
            destinationInfo = table[slot + 1];
            destinationDepth++;
        }
        return best == bound ? -1 : best;
    }

    /** Index in {@link #children} of the slot of ({@code node}, {@code label}), or -1. */
    private int findChild(int node, int label) {
        long key = childKey(node, label);
        int index = hash(key, childShift);
        long[] table = children;
        while (true) {
            long slot = table[index * 2];
            if (slot >>> 32 == key) {
                return index * 2;
            }
            if (slot == 0) {
                return -1;
            }
            index = (index + 1) & childMask;
        }
    }

    /** Encodes a rank inline in a payload, and decodes it (the map is its own inverse). */
    static int inlineRank(int value) {
        return -2 - value;
    }

    static long childKey(int node, int label) {
        return ((((long) node) << STRIDE_BITS) | label) + 1;
    }

    static int hash(long key, int shift) {
        return (int) ((key * 0x9E37_79B9_7F4A_7C15L) >>> shift);
    }

    /** Byte {@code depth} (0 = most significant) of a 128-bit address. */
    static int byteAt(long high, long low, int depth) {
        return depth < 8
            ? (int) (high >>> (56 - (depth << 3))) & 0xFF
            : (int) (low >>> (56 - ((depth - 8) << 3))) & 0xFF;
    }

    /**
     * Builds a trie from rules added in rank order.
     *
     * <p>Threading: confined to the compiling thread.
     */
    static final class Builder {
        private final int maxDepth;
        private int nodeCount;
        private int[] subtreeBest = new int[64];
        private int[] sourceRoot = new int[64];
        private int[] listHead = new int[64];
        private int[] listTail = new int[64];
        private int entryCount;
        private int[] entryRule = new int[64];
        private int[] entryNext = new int[64];
        private long[] childKeys;
        private int[] childNodes;
        private int childMask;
        private int childShift;
        private int childCount;
        private int lastRank = -1;

        Builder(int family, int expectedRules) {
            this.maxDepth = (family == IpPrefix.IPV4 ? 32 : 128) / STRIDE_BITS;
            int capacity = Integer.highestOneBit(Math.max(64, expectedRules * 8) - 1) << 1;
            allocateChildren(capacity);
            newNode(-1);
        }

        private void allocateChildren(int capacity) {
            childKeys = new long[capacity];
            childNodes = new int[capacity];
            childMask = capacity - 1;
            childShift = 64 - Integer.numberOfTrailingZeros(capacity);
        }

        /** Adds rule {@code rank}; ranks must arrive in increasing order. Null prefix = any. */
        void add(int rank, IpPrefix source, IpPrefix destination) {
            if (rank <= lastRank) {
                throw new IllegalStateException("ranks must increase");
            }
            lastRank = rank;
            int node = 0;
            if (rank < subtreeBest[0]) {
                subtreeBest[0] = rank;
            }
            long dstHigh = destination == null ? 0 : destination.high();
            long dstLow = destination == null ? 0 : destination.low();
            int dstDepth = destination == null ? 0 : destination.length() / STRIDE_BITS;
            for (int depth = 0; depth < dstDepth; depth++) {
                node = childOrCreate(node, byteAt(dstHigh, dstLow, depth), rank);
            }
            if (sourceRoot[node] < 0) {
                // newNode may grow sourceRoot: take the node first, then store into the new array.
                int created = newNode(rank);
                sourceRoot[node] = created;
            }
            node = sourceRoot[node];
            long srcHigh = source == null ? 0 : source.high();
            long srcLow = source == null ? 0 : source.low();
            int srcDepth = source == null ? 0 : source.length() / STRIDE_BITS;
            for (int depth = 0; depth < srcDepth; depth++) {
                node = childOrCreate(node, byteAt(srcHigh, srcLow, depth), rank);
            }
            append(node, rank);
        }

        private int childOrCreate(int node, int label, int rank) {
            long key = childKey(node, label);
            int index = hash(key, childShift);
            while (true) {
                long candidate = childKeys[index];
                if (candidate == key) {
                    return childNodes[index];
                }
                if (candidate == 0) {
                    break;
                }
                index = (index + 1) & childMask;
            }
            int created = newNode(rank);
            childKeys[index] = key;
            childNodes[index] = created;
            if (++childCount * 2 > childKeys.length) {
                rehash();
            }
            return created;
        }

        private void rehash() {
            long[] oldKeys = childKeys;
            int[] oldNodes = childNodes;
            allocateChildren(oldKeys.length * 2);
            for (int i = 0; i < oldKeys.length; i++) {
                long key = oldKeys[i];
                if (key != 0) {
                    int index = hash(key, childShift);
                    while (childKeys[index] != 0) {
                        index = (index + 1) & childMask;
                    }
                    childKeys[index] = key;
                    childNodes[index] = oldNodes[i];
                }
            }
        }

        private int newNode(int rank) {
            if (nodeCount == subtreeBest.length) {
                int size = nodeCount * 2;
                subtreeBest = Arrays.copyOf(subtreeBest, size);
                sourceRoot = Arrays.copyOf(sourceRoot, size);
                listHead = Arrays.copyOf(listHead, size);
                listTail = Arrays.copyOf(listTail, size);
            }
            if (nodeCount == MAX_NODES) {
                throw new IllegalArgumentException("rule set too large for one VPC's classifier");
            }
            int node = nodeCount++;
            // Ranks arrive in increasing order, so the rule that creates a node is the best under it.
            subtreeBest[node] = rank < 0 ? Integer.MAX_VALUE : rank;
            sourceRoot[node] = -1;
            listHead[node] = -1;
            listTail[node] = -1;
            return node;
        }

        private void append(int node, int rank) {
            if (entryCount == entryRule.length) {
                entryRule = Arrays.copyOf(entryRule, entryCount * 2);
                entryNext = Arrays.copyOf(entryNext, entryCount * 2);
            }
            int entry = entryCount++;
            entryRule[entry] = rank;
            entryNext[entry] = -1;
            if (listTail[node] < 0) {
                listHead[node] = entry;
            } else {
                entryNext[listTail[node]] = entry;
            }
            listTail[node] = entry;
            if (rank < subtreeBest[node]) {
                subtreeBest[node] = rank;
            }
        }

        PrefixPairTrie build() {
            return new PrefixPairTrie(this);
        }
    }
}
