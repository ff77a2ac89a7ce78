package io.softgate.evpn.forwarding.table;

import io.softgate.evpn.forwarding.model.Ipv6Prefix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * IPv6 longest-prefix match by binary search on prefix lengths (Waldvogel et al., "Scalable
 * High Speed IP Routing Lookups", 1997): one open-addressed hash table holds, for every
 * distinct prefix length, the prefixes of that length plus "markers" that steer the search
 * toward longer lengths; every entry carries its precomputed best matching prefix, so the
 * search never backtracks.
 *
 * <p>Cost: a lookup probes the hash table once per step of a binary search over the distinct
 * lengths, so at most ceil(log2(L + 1)) <= 8 probes for L distinct lengths (L <= 128), each a
 * short linear probe at load factor <= 0.5; it allocates nothing. Memory: each prefix adds at
 * most one entry per step of its search path, so at most 8N entries of 24 bytes (N routes),
 * in practice far fewer.
 *
 * <p>Threading: immutable after {@link #build}; lookups from any thread.
 */
public final class Ipv6RouteTable {
    private static final Ipv6RouteTable EMPTY = new Ipv6RouteTable(new int[0], RouteResult.NO_ROUTE, new long[16],
        new long[16], new int[16], new int[16]);

    private final int[] lengths;
    private final int defaultResult;
    private final long[] keyHigh;
    private final long[] keyLow;
    /** Per slot: prefix length + 1 (0 = empty). */
    private final int[] keyLength;
    private final int[] results;
    private final int mask;

    private Ipv6RouteTable(int[] lengths, int defaultResult, long[] keyHigh, long[] keyLow, int[] keyLength,
                           int[] results) {
        this.lengths = lengths;
        this.defaultResult = defaultResult;
        this.keyHigh = keyHigh;
        this.keyLow = keyLow;
        this.keyLength = keyLength;
        this.results = results;
        this.mask = keyHigh.length - 1;
    }

    /** The {@link RouteResult} of the longest prefix containing the address {@code (high, low)}. */
    public int lookup(long high, long low) {
        int best = defaultResult;
        int lo = 0;
        int hi = lengths.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int length = lengths[mid];
            int slot = find(high & Ipv6Prefix.maskHigh(length), low & Ipv6Prefix.maskLow(length), length);
            if (slot >= 0) {
                best = results[slot];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    private int find(long high, long low, int length) {
        int tag = length + 1;
        int slot = hash(high, low, length) & mask;
        while (true) {
            int stored = keyLength[slot];
            if (stored == 0) {
                return -1;
            }
            if (stored == tag && keyHigh[slot] == high && keyLow[slot] == low) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static int hash(long high, long low, int length) {
        long h = high * 0x9E37_79B9_7F4A_7C15L + low * 0xC2B2_AE3D_27D4_EB4FL + length;
        h ^= h >>> 31;
        h *= 0x94D0_49BB_1331_11EBL;
        return (int) (h ^ (h >>> 32));
    }

    /** Number of hash entries (prefixes plus markers). */
    public int entryCount() {
        int count = 0;
        for (int length : keyLength) {
            count += length != 0 ? 1 : 0;
        }
        return count;
    }

    /** Distinct prefix lengths searched (excluding /0, which is the default result). */
    public int distinctLengths() {
        return lengths.length;
    }

    /**
     * Builds a table from prefixes and their results; the prefixes must be distinct and have no
     * host bits (the compiler checks both).
     */
    public static Ipv6RouteTable build(List<Ipv6Prefix> prefixes, int[] results) {
        if (prefixes.isEmpty()) {
            // Immutable, so every VRF without IPv6 routes shares one (about 500 bytes saved per VPC).
            return EMPTY;
        }
        Map<Key, Integer> real = new HashMap<>();
        TreeSet<Integer> lengthSet = new TreeSet<>();
        int defaultResult = RouteResult.NO_ROUTE;
        for (int i = 0; i < prefixes.size(); i++) {
            Ipv6Prefix prefix = prefixes.get(i);
            if (prefix.length() == 0) {
                defaultResult = results[i];
                continue;
            }
            real.put(new Key(prefix.high(), prefix.low(), prefix.length()), results[i]);
            lengthSet.add(prefix.length());
        }
        int[] lengths = new int[lengthSet.size()];
        int next = 0;
        for (int length : lengthSet) {
            lengths[next++] = length;
        }

        // Every real prefix, plus a marker at each shorter length the binary search visits on
        // its way to the prefix's own length (so a hit there sends the search to longer lengths).
        Map<Key, Integer> entries = new HashMap<>();
        for (Key key : real.keySet()) {
            int lo = 0;
            int hi = lengths.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int length = lengths[mid];
                if (length == key.length) {
                    break;
                }
                if (length < key.length) {
                    entries.putIfAbsent(key.truncate(length), 0);
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            entries.put(key, 0);
        }
        // Each entry's result is the best matching real prefix of its bits, so a hit is final
        // for everything up to its length.
        for (Map.Entry<Key, Integer> entry : entries.entrySet()) {
            Key key = entry.getKey();
            int best = defaultResult;
            for (int i = lengths.length - 1; i >= 0; i--) {
                if (lengths[i] > key.length) {
                    continue;
                }
                Integer result = real.get(key.truncate(lengths[i]));
                if (result != null) {
                    best = result;
                    break;
                }
            }
            entry.setValue(best);
        }

        int capacity = 16;
        while (capacity < entries.size() * 2) {
            capacity <<= 1;
        }
        long[] keyHigh = new long[capacity];
        long[] keyLow = new long[capacity];
        int[] keyLength = new int[capacity];
        int[] slotResults = new int[capacity];
        int mask = capacity - 1;
        for (Map.Entry<Key, Integer> entry : entries.entrySet()) {
            Key key = entry.getKey();
            int slot = hash(key.high, key.low, key.length) & mask;
            while (keyLength[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            keyHigh[slot] = key.high;
            keyLow[slot] = key.low;
            keyLength[slot] = key.length + 1;
            slotResults[slot] = entry.getValue();
        }
        return new Ipv6RouteTable(lengths, defaultResult, keyHigh, keyLow, keyLength, slotResults);
    }

    private record Key(long high, long low, int length) {
        Key truncate(int shorter) {
            return new Key(high & Ipv6Prefix.maskHigh(shorter), low & Ipv6Prefix.maskLow(shorter), shorter);
        }
    }
}
