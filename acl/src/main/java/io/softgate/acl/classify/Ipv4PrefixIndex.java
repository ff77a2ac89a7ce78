package io.softgate.acl.classify;

import java.util.Arrays;

/**
 * IPv4 rules indexed by one address field (destination or source): a leaf-pushed multibit trie
 * over the 32-bit key, 8-bit strides, whose leaves are candidate lists. Every key that reaches a
 * leaf lies inside the indexed prefix of every rule on the leaf's list (so that field needs no
 * check), and the list holds every indexed rule whose prefix contains the key, sorted by rank.
 * The list stores each candidate's remaining match data inline (5 ints: rank, the other
 * address, both port ranges, protocol/ICMP type/flags/other prefix length), so scanning it reads
 * contiguous memory and never the rule table. Lists are written just before the node that
 * points to them, in the same array, so a leaf and its node usually share a page.
 *
 * <p>Nodes are compressed: 256 child values become a 256-bit "a new run starts here" bitmap
 * followed by one value per run; a child is found with popcounts, in the node's own cache
 * line(s). A lookup is at most 4 node reads plus one list, about 2 cache misses when the index
 * is large (the upper levels stay cached).
 *
 * <p>Threading: immutable after construction; read by any number of workers.
 */
final class Ipv4PrefixIndex {
    /** Ints per candidate in a list: rank, other address, srcPorts, dstPorts, misc. */
    static final int RECORD_INTS = 5;
    static final int MISC_LAYER4 = 1 << 18;
    static final int MISC_PERMIT = 1 << 19;
    /** The other field's prefix length sits in misc bits 20-25. */
    static final int MISC_OTHER_LENGTH_SHIFT = 20;
    /** Node header: one int of run counts before each 64-bit bitmap word, then the 4 words as 8 ints. */
    private static final int HEADER_INTS = 9;

    /** Root value: a list offset ({@code >= 0}) or {@code ~nodeStart}. */
    private final int root;
    /**
     * Nodes and lists. A node: the runs before bitmap word 1, 2, 3 (bytes 1-3 of one int), the
     * 256-bit run bitmap as 4 longs (8 ints, low half first), then one value per run. A list: a count, then
     * {@link #RECORD_INTS} per candidate; offset 0 is the empty list.
     */
    private final int[] words;

    private Ipv4PrefixIndex(int root, int[] words) {
        this.root = root;
        this.words = words;
    }

    /** Offset of the candidate list of {@code key}. Allocation-free. */
    int listOf(int key) {
        int value = root;
        int shift = 24;
        int[] c = words;
        while (value < 0) {
            int base = ~value;
            int index = (key >>> shift) & 0xFF;
            int word = index >>> 6;
            long bits = ((long) c[base + 2 + 2 * word] << 32) | (c[base + 1 + 2 * word] & 0xFFFF_FFFFL);
            // Runs starting at or before index: no loop, so no mispredicted branch per level.
            int runs = ((c[base] >>> (word << 3)) & 0xFF) + Long.bitCount(bits & (-1L >>> (63 - (index & 63))));
            value = c[base + HEADER_INTS + runs - 1];
            shift -= 8;
        }
        return value;
    }

    /**
     * The rank of the first candidate on list {@code list} that matches the packet, if it is
     * below {@code bound}; else {@code bound}. Allocation-free.
     */
    int firstMatch(int list, int bound, int other, int protocol, int srcPort, int dstPort,
                   int icmpType, boolean nonFirstFragment) {
        int[] r = words;
        int end = list + 1 + r[list] * RECORD_INTS;
        for (int at = list + 1; at < end; at += RECORD_INTS) {
            int rank = r[at];
            if (rank >= bound) {
                return bound;
            }
            if (matches(r, at, other, protocol, srcPort, dstPort, icmpType, nonFirstFragment)) {
                return rank;
            }
        }
        return bound;
    }

    private static boolean matches(int[] r, int at, int other, int protocol, int srcPort,
                                   int dstPort, int icmpType, boolean nonFirstFragment) {
        int misc = r[at + 4];
        // (int) (-1L << 32) == 0: a zero length masks everything away.
        int otherMask = (int) (-1L << (32 - (misc >>> MISC_OTHER_LENGTH_SHIFT)));
        if ((other & otherMask) != r[at + 1]) {
            return false;
        }
        int ruleProtocol = (misc & 0x1FF) - 1;
        if (ruleProtocol >= 0 && ruleProtocol != protocol) {
            return false;
        }
        if ((misc & MISC_LAYER4) == 0) {
            return true;
        }
        if (nonFirstFragment) {
            // RFC 791 §3.2: no ports in a non-first fragment; only a permit with L4 conditions matches.
            return (misc & MISC_PERMIT) != 0;
        }
        int srcPorts = r[at + 2];
        int dstPorts = r[at + 3];
        if (srcPort < (srcPorts >>> 16) || srcPort > (srcPorts & 0xFFFF)
            || dstPort < (dstPorts >>> 16) || dstPort > (dstPorts & 0xFFFF)) {
            return false;
        }
        int ruleIcmpType = ((misc >>> 9) & 0x1FF) - 1;
        return ruleIcmpType < 0 || ruleIcmpType == icmpType;
    }

    /** Ints held (nodes and lists), for sizing. */
    int sizeInts() {
        return words.length;
    }

    /**
     * Builds an index from entries added in rank order.
     *
     * <p>Threading: confined to the compiling thread.
     */
    static final class Builder {
        private final IntList entryRank = new IntList();
        private final IntList entryKey = new IntList();
        private final IntList entryLength = new IntList();
        private final IntList entryOther = new IntList();
        private final IntList entrySrcPorts = new IntList();
        private final IntList entryDstPorts = new IntList();
        private final IntList entryMisc = new IntList();
        private final IntList out = new IntList();
        private final Scratch[] scratches = new Scratch[5];
        private int[] internTable = new int[1024];
        private int internCount;

        Builder() {
            out.add(0);
        }

        /**
         * Indexes rule {@code rank} under the prefix {@code key/length} of this index's field;
         * {@code other} is the other field's masked address, {@code misc} carries protocol, ICMP
         * type, flags and the other field's prefix length (see {@link #RECORD_INTS}).
         */
        void add(int rank, int key, int length, int other, int srcPorts, int dstPorts, int misc) {
            entryRank.add(rank);
            entryKey.add(key);
            entryLength.add(length);
            entryOther.add(other);
            entrySrcPorts.add(srcPorts);
            entryDstPorts.add(dstPorts);
            entryMisc.add(misc);
        }

        boolean isEmpty() {
            return entryRank.size == 0;
        }

        Ipv4PrefixIndex build() {
            int[] all = new int[entryRank.size];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            int root = node(0, all, all.length);
            return new Ipv4PrefixIndex(root, out.toArray());
        }

        /** Value of the region whose first {@code 8 * level} key bits are fixed, holding {@code entries}. */
        private int node(int level, int[] entries, int count) {
            int fixedBits = 8 * level;
            boolean deeper = false;
            for (int i = 0; i < count && !deeper; i++) {
                deeper = entryLength.get(entries[i]) > fixedBits;
            }
            if (!deeper) {
                return intern(entries, count);
            }
            // Scratch per level (the recursion is at most 4 deep): compiling allocates little.
            Scratch scratch = scratch(level);
            int shift = 24 - fixedBits;
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
                int first = (entryKey.get(entry) >>> shift) & 0xFF;
                int span = length >= fixedBits + 8 ? 1 : 1 << (fixedBits + 8 - length);
                for (int child = first; child < first + span; child++) {
                    buckets[child].add(entry);
                }
            }
            int[] values = scratch.values;
            int coveringValue = -1;
            for (int child = 0; child < 256; child++) {
                IntList bucket = buckets[child];
                if (bucket.size == 0) {
                    if (coveringValue < 0) {
                        coveringValue = intern(covering.data, covering.size);
                    }
                    values[child] = coveringValue;
                } else {
                    int merged = merge(covering, bucket, scratch);
                    values[child] = node(level + 1, scratch.merged, merged);
                }
            }
            return compress(values);
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

        private int compress(int[] values) {
            boolean uniform = true;
            for (int i = 1; i < 256 && uniform; i++) {
                uniform = values[i] == values[0];
            }
            if (uniform) {
                return values[0];
            }
            int base = out.size;
            for (int i = 0; i < HEADER_INTS; i++) {
                out.add(0);
            }
            int runs = 0;
            for (int i = 0; i < 256; i++) {
                if ((i & 63) == 0 && i > 0) {
                    // At most 192 runs precede word 3: each count fits its byte.
                    out.data[base] |= runs << ((i >>> 6) << 3);
                }
                if (i == 0 || values[i] != values[i - 1]) {
                    out.data[base + 1 + (i >>> 5)] |= 1 << (i & 31);
                    out.add(values[i]);
                    runs++;
                }
            }
            return ~base;
        }

        /**
         * Offset of the list of {@code entries} (same ranks = same list, stored once): an
         * open-addressing table of list offsets, compared against the lists already written.
         */
        private int intern(int[] entries, int count) {
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
                    return internTable[slot];
                }
                slot = (slot + 1) & mask;
            }
            int offset = out.size;
            out.add(count);
            for (int i = 0; i < count; i++) {
                int entry = entries[i];
                out.add(entryRank.get(entry));
                out.add(entryOther.get(entry));
                out.add(entrySrcPorts.get(entry));
                out.add(entryDstPorts.get(entry));
                out.add(entryMisc.get(entry));
            }
            internTable[slot] = offset;
            if (++internCount * 2 > internTable.length) {
                rehashIntern();
            }
            return offset;
        }

        private boolean sameList(int offset, int[] entries, int count) {
            if (out.data[offset] != count) {
                return false;
            }
            for (int i = 0; i < count; i++) {
                if (out.data[offset + 1 + i * RECORD_INTS] != entryRank.get(entries[i])) {
                    return false;
                }
            }
            return true;
        }

        private void rehashIntern() {
            int[] old = internTable;
            internTable = new int[old.length * 2];
            int mask = internTable.length - 1;
            for (int offset : old) {
                if (offset != 0) {
                    int count = out.data[offset];
                    int hash = count;
                    for (int i = 0; i < count; i++) {
                        hash = hash * 31 + out.data[offset + 1 + i * RECORD_INTS];
                    }
                    int slot = (hash * 0x9E37_79B9) >>> 8 & mask;
                    while (internTable[slot] != 0) {
                        slot = (slot + 1) & mask;
                    }
                    internTable[slot] = offset;
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
}
