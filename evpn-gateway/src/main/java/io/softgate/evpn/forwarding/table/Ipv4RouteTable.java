package io.softgate.evpn.forwarding.table;

import io.softgate.evpn.forwarding.model.Ipv4Prefix;
import java.util.Arrays;
import java.util.List;

/**
 * IPv4 longest-prefix match as a multibit trie with controlled prefix expansion: a root of
 * 2^{@code rootBits} entries (16 for tables of more than {@value #SMALL_TABLE_ROUTES} routes, 8
 * below, so a small VRF costs 1 KiB rather than 256 KiB), then 8-bit chunks of 256 entries. An
 * entry >= 0 is a {@link RouteResult}; a negative entry points at a child chunk
 * ({@code entry & 0x7FFFFFFF} = its first index). All nodes live in one int array.
 *
 * A table of at most {@value #LIST_TABLE_ROUTES} routes is instead a list scanned longest prefix
 * first (one cache line, ~64 bytes: 100,000 VPCs with a few routes each stay small).
 *
 * <p>Cost: a lookup reads at most 3 entries (root 16) or 4 (root 8) and allocates nothing.
 * Memory: the root, plus 1 KiB per distinct /16 (and per distinct /24) that holds a longer
 * prefix; the worst case for N routes is the root + 2N KiB (every route a /32 in its own /16).
 *
 * <p>Threading: immutable after {@link #build}; lookups from any thread.
 */
public final class Ipv4RouteTable {
    /** Tables with at most this many routes use an 8-bit root. */
    public static final int SMALL_TABLE_ROUTES = 64;
    private static final int STRIDE = 8;
    private static final int CHUNK = 1 << STRIDE;
    private static final int CHILD = 0x8000_0000;
    private static final int INDEX_MASK = 0x7FFF_FFFF;

    /** Tables with at most this many routes are a short list instead of a trie. */
    public static final int LIST_TABLE_ROUTES = 4;

    private final int[] nodes;
    private final int rootShift;
    /**
     * A small table (at most {@value #LIST_TABLE_ROUTES} routes, typical of a VPC: its subnets and
     * a default route): (prefix, mask, result) triples, longest prefix first, in one or two cache
     * lines instead of a 1 KiB root and its chunks; null for a trie.
     */
    private final int[] list;

    private Ipv4RouteTable(int[] nodes, int rootBits, int[] list) {
        this.nodes = nodes;
        this.rootShift = 32 - rootBits;
        this.list = list;
    }

    /** The {@link RouteResult} of the longest prefix containing {@code address} (network order int). */
    public int lookup(int address) {
        int[] small = list;
        if (small != null) {
            for (int i = 0; i < small.length; i += 3) {
                if ((address & small[i + 1]) == small[i]) {
                    return small[i + 2];
                }
            }
            return RouteResult.NO_ROUTE;
        }
        int shift = rootShift;
        int entry = nodes[address >>> shift];
        while (entry < 0) {
            shift -= STRIDE;
            entry = nodes[(entry & INDEX_MASK) + ((address >>> shift) & (CHUNK - 1))];
        }
        return entry;
    }

    /** Number of ints in the node array or the small list (memory = 4 bytes each). */
    public int nodeCount() {
        return list != null ? list.length : nodes.length;
    }

    /**
     * Builds a table from prefixes and their results; the prefixes must be distinct and have
     * no host bits (the compiler checks both).
     */
    public static Ipv4RouteTable build(List<Ipv4Prefix> prefixes, int[] results) {
        if (prefixes.size() <= LIST_TABLE_ROUTES) {
            int[] small = new int[prefixes.size() * 3];
            int next = 0;
            // Longest first: the first match is the longest (prefixes are distinct, so no ties matter).
            for (int length = 32; length >= 0; length--) {
                for (int i = 0; i < prefixes.size(); i++) {
                    Ipv4Prefix prefix = prefixes.get(i);
                    if (prefix.length() == length) {
                        int mask = length == 0 ? 0 : -1 << (32 - length);
                        small[next++] = prefix.address() & mask;
                        small[next++] = mask;
                        small[next++] = results[i];
                    }
                }
            }
            return new Ipv4RouteTable(null, 8, small);
        }
        int rootBits = prefixes.size() > SMALL_TABLE_ROUTES ? 16 : 8;
        Builder builder = new Builder(rootBits);
        // Shorter prefixes first: a longer one then overwrites what it covers (prefix expansion).
        for (int length = 0; length <= 32; length++) {
            for (int i = 0; i < prefixes.size(); i++) {
                Ipv4Prefix prefix = prefixes.get(i);
                if (prefix.length() == length) {
                    builder.insert(prefix.address(), length, results[i]);
                }
            }
        }
        return new Ipv4RouteTable(Arrays.copyOf(builder.nodes, builder.used), rootBits, null);
    }

    private static final class Builder {
        private final int rootBits;
        private int[] nodes;
        private int used;

        Builder(int rootBits) {
            this.rootBits = rootBits;
            this.nodes = new int[(1 << rootBits) + 16 * CHUNK];
            this.used = 1 << rootBits;
        }

        void insert(int address, int length, int result) {
            int base = 0;
            int levelBits = rootBits;
            int consumed = rootBits;
            while (length > consumed) {
                int index = base + ((address >>> (32 - consumed)) & ((1 << levelBits) - 1));
                int entry = nodes[index];
                if (entry >= 0) {
                    int child = allocateChunk(entry);
                    nodes[index] = CHILD | child;
                    base = child;
                } else {
                    base = entry & INDEX_MASK;
                }
                levelBits = STRIDE;
                consumed += STRIDE;
            }
            int first = (address >>> (32 - consumed)) & ((1 << levelBits) - 1);
            int span = 1 << (consumed - length);
            for (int i = first; i < first + span; i++) {
                overwrite(base + i, result);
            }
        }

        /** Sets a leaf, or every leaf below a child pointer (they all hold shorter prefixes). */
        private void overwrite(int index, int result) {
            int entry = nodes[index];
            if (entry >= 0) {
                nodes[index] = result;
                return;
            }
            int child = entry & INDEX_MASK;
            for (int i = 0; i < CHUNK; i++) {
                overwrite(child + i, result);
            }
        }

        private int allocateChunk(int fill) {
            if (used + CHUNK > nodes.length) {
                long grown = Math.max((long) nodes.length * 2, (long) used + CHUNK);
                if (grown > INDEX_MASK) {
                    throw new IllegalArgumentException("IPv4 route table too large");
                }
                nodes = Arrays.copyOf(nodes, (int) grown);
            }
            int chunk = used;
            Arrays.fill(nodes, chunk, chunk + CHUNK, fill);
            used += CHUNK;
            return chunk;
        }
    }
}
