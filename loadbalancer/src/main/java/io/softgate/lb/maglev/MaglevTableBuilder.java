package io.softgate.lb.maglev;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds a weighted Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software
 * Network Load Balancer", NSDI 2016, §3.4) in the control plane.
 *
 * <p>Deterministic by construction: backends are ordered by their identity string (so the order
 * in which they were added does not matter), and each backend's permutation comes only from
 * {@link MaglevHash#offset} and {@link MaglevHash#skip} of that string. The same backends and
 * weights give the same table in every process on every node.
 *
 * <p>Weights: in each round every backend earns credit equal to its weight and claims one slot
 * (its next free preferred slot) per {@code maxWeight} of credit, so the share of slots follows
 * the weights; a weight of 0 claims none (the backend keeps its existing connections only).
 *
 * <p>Threading: a builder is confined to one control thread; the tables it builds are immutable.
 */
public final class MaglevTableBuilder {
    /** The table size the paper uses and our default: a prime, about 65 slots per backend at 1000. */
    public static final int DEFAULT_TABLE_SIZE = 65_537;
    /** Largest accepted table size (about 64 MiB of slots). */
    public static final int MAX_TABLE_SIZE = 16_777_259;
    /** Largest accepted weight. */
    public static final int MAX_WEIGHT = 10_000;

    private final int tableSize;
    private final Map<String, Integer> weights = new TreeMap<>();
    // Scratch reused by every build of this builder (one control thread).
    private final long[] occupied;
    private int[] weight = new int[0];
    private int[] position = new int[0];
    private int[] skip = new int[0];
    private long[] credit = new long[0];
    private int[] scratchSlots;

    public MaglevTableBuilder() {
        this(DEFAULT_TABLE_SIZE);
    }

    /** @throws IllegalArgumentException when {@code tableSize} is not a prime in [3, {@link #MAX_TABLE_SIZE}]. */
    public MaglevTableBuilder(int tableSize) {
        if (!isValidTableSize(tableSize)) {
            throw new IllegalArgumentException("Maglev table size must be a prime between 3 and "
                + MAX_TABLE_SIZE + ": " + tableSize);
        }
        this.tableSize = tableSize;
        this.occupied = new long[(tableSize + 63) >>> 6];
    }

    /** True when {@code tableSize} is a prime in [3, {@link #MAX_TABLE_SIZE}]. */
    public static boolean isValidTableSize(int tableSize) {
        return tableSize >= 3 && tableSize <= MAX_TABLE_SIZE && isPrime(tableSize);
    }

    static boolean isPrime(int value) {
        if (value < 2) {
            return false;
        }
        if (value % 2 == 0) {
            return value == 2;
        }
        for (int divisor = 3; (long) divisor * divisor <= value; divisor += 2) {
            if (value % divisor == 0) {
                return false;
            }
        }
        return true;
    }

    public int tableSize() {
        return tableSize;
    }

    /**
     * Adds a backend by its identity string (the compiler uses {@code "address:port"}) with a
     * weight in [0, {@link #MAX_WEIGHT}].
     */
    public MaglevTableBuilder add(String identity, int weight) {
        if (identity == null || identity.isEmpty()) {
            throw new IllegalArgumentException("backend identity must not be empty");
        }
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight of " + identity + " must be in [0, " + MAX_WEIGHT + "]: " + weight);
        }
        if (weights.putIfAbsent(identity, weight) != null) {
            throw new IllegalArgumentException("duplicate backend identity: " + identity);
        }
        return this;
    }

    /** Forgets every backend (the table size stays). */
    public MaglevTableBuilder clear() {
        weights.clear();
        return this;
    }

    /** The backends added so far with their weights, ascending by identity (a copy). */
    public SortedMap<String, Integer> backends() {
        return new TreeMap<>(weights);
    }

    /** Builds the table; with no backend of positive weight every slot is {@link MaglevTable#NO_BACKEND}. */
    public MaglevTable build() {
        List<String> identities = new ArrayList<>(weights.keySet());
        int[] slots = new int[tableSize];
        populate(identities, slots);
        return new MaglevTable(identities, slots);
    }

    /**
     * The table {@link #build()} would give, as {@link MaglevTable#compactSlots()}: 16-bit backend
     * positions in ascending identity order, the backend count meaning "no backend". Fills a
     * scratch array of this builder instead of allocating int slots per table.
     *
     * @throws IllegalStateException with more than {@link MaglevTable#MAX_COMPACT_BACKENDS} backends
     */
    public char[] buildCompact() {
        if (weights.size() > MaglevTable.MAX_COMPACT_BACKENDS) {
            throw new IllegalStateException("a compact Maglev table holds at most " + MaglevTable.MAX_COMPACT_BACKENDS
                + " backends, this one " + weights.size());
        }
        if (scratchSlots == null) {
            scratchSlots = new int[tableSize];
        }
        populate(new ArrayList<>(weights.keySet()), scratchSlots);
        return MaglevTable.compact(scratchSlots, weights.size());
    }

    private void populate(List<String> identities, int[] slots) {
        int count = identities.size();
        ensureScratch(count);
        int maxWeight = 0;
        for (int i = 0; i < count; i++) {
            String identity = identities.get(i);
            long hash = MaglevHash.identityHash(identity);
            weight[i] = weights.get(identity);
            position[i] = MaglevHash.offset(hash, tableSize);
            skip[i] = MaglevHash.skip(hash, tableSize);
            credit[i] = 0;
            maxWeight = Math.max(maxWeight, weight[i]);
        }
        if (maxWeight == 0) {
            Arrays.fill(slots, MaglevTable.NO_BACKEND);
        } else {
            fill(slots, count, maxWeight);
        }
    }

    private void ensureScratch(int count) {
        if (weight.length < count) {
            int capacity = Math.max(count, weight.length * 2);
            weight = new int[capacity];
            position = new int[capacity];
            skip = new int[capacity];
            credit = new long[capacity];
        }
    }

    /**
     * Fills {@code slots} with backend positions in the paper's order (§3.4, Pseudocode 1, with
     * weights as credit): in turn, every backend with enough credit takes the next free slot of its
     * permutation (offset + j * skip) mod M; the size is prime and 0 < skip < M, so the permutation
     * visits every slot. Free slots are kept in a bitset (M / 8 bytes, stays in the L1 cache)
     * rather than read from the 4-byte slots (M * 4 bytes): most probes near the end of a build
     * with many backends hit taken slots.
     */
    private void fill(int[] slots, int count, int maxWeight) {
        Arrays.fill(occupied, 0L);
        int backend = 0;
        for (int filled = 0; filled < tableSize; ) {
            credit[backend] += weight[backend];
            if (credit[backend] >= maxWeight) {
                credit[backend] -= maxWeight;
                int step = skip[backend];
                int candidate = position[backend];
                while ((occupied[candidate >>> 6] & (1L << candidate)) != 0) {
                    candidate += step;
                    if (candidate >= tableSize) {
                        candidate -= tableSize;
                    }
                }
                occupied[candidate >>> 6] |= 1L << candidate;
                slots[candidate] = backend;
                int next = candidate + step;
                position[backend] = next >= tableSize ? next - tableSize : next;
                filled++;
            }
            backend = backend + 1 == count ? 0 : backend + 1;
        }
    }
}
