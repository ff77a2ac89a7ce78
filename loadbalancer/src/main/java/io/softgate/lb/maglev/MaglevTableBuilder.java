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

    /**
     * Fills at the end of a build done by choosing among the remaining free slots instead of
     * walking permutations (see {@link #populate}); about the square root of M balances the
     * scan of the free slots against the walk it replaces.
     */
    static final int TAIL_SLOTS = 64;

    private final int tableSize;
    private final Map<String, Integer> weights = new TreeMap<>();
    // Scratch reused by every build of this builder (one control thread).
    private final long[] occupied;
    private int[] weight = new int[0];
    private int[] offset = new int[0];
    private int[] position = new int[0];
    private int[] skip = new int[0];
    private int[] inverseSkip = new int[0];
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
        int none = weights.size();
        if (none > MaglevTable.MAX_COMPACT_BACKENDS) {
            throw new IllegalStateException("a compact Maglev table holds at most " + MaglevTable.MAX_COMPACT_BACKENDS
                + " backends, this one " + none);
        }
        if (scratchSlots == null) {
            scratchSlots = new int[tableSize];
        }
        populate(new ArrayList<>(weights.keySet()), scratchSlots);
        char[] compact = new char[tableSize];
        for (int slot = 0; slot < tableSize; slot++) {
            int position = scratchSlots[slot];
            compact[slot] = (char) (position == MaglevTable.NO_BACKEND ? none : position);
        }
        return compact;
    }

    private void populate(List<String> identities, int[] slots) {
        int count = identities.size();
        ensureScratch(count);
        int maxWeight = 0;
        for (int i = 0; i < count; i++) {
            String identity = identities.get(i);
            long hash = MaglevHash.identityHash(identity);
            weight[i] = weights.get(identity);
            offset[i] = MaglevHash.offset(hash, tableSize);
            position[i] = offset[i];
            skip[i] = MaglevHash.skip(hash, tableSize);
            inverseSkip[i] = 0;
            credit[i] = 0;
            maxWeight = Math.max(maxWeight, weight[i]);
        }
        if (maxWeight == 0) {
            Arrays.fill(slots, MaglevTable.NO_BACKEND);
        } else {
            populate(slots, count, maxWeight);
        }
    }

    private void ensureScratch(int count) {
        if (weight.length < count) {
            int capacity = Math.max(count, weight.length * 2);
            weight = new int[capacity];
            offset = new int[capacity];
            position = new int[capacity];
            skip = new int[capacity];
            inverseSkip = new int[capacity];
            credit = new long[capacity];
        }
    }

    /**
     * Fills {@code slots} with backend positions in the paper's order (§3.4, Pseudocode 1, with
     * weights as credit): in each round every backend with enough credit takes the next free slot
     * of its permutation (offset + j * skip) mod M; the size is prime and 0 < skip < M, so the
     * permutation visits every slot. Free slots are kept in a bitset (M / 8 bytes, cache-resident)
     * rather than read from the 4-byte slots. The last {@link #TAIL_SLOTS} fills, where a walk would
     * pass about M / free taken slots each (most of all probes), instead pick among the few free
     * slots the one that comes first in the backend's permutation: the same slot the walk reaches.
     */
    private void populate(int[] slots, int count, int maxWeight) {
        Arrays.fill(occupied, 0L);
        int walkFills = Math.max(0, tableSize - TAIL_SLOTS);
        int[] free = null;
        int freeCount = 0;
        int filled = 0;
        while (true) {
            for (int i = 0; i < count; i++) {
                credit[i] += weight[i];
                if (credit[i] < maxWeight) {
                    continue;
                }
                credit[i] -= maxWeight;
                int candidate;
                if (filled < walkFills) {
                    int step = skip[i];
                    candidate = position[i];
                    while ((occupied[candidate >>> 6] & (1L << candidate)) != 0) {
                        candidate += step;
                        if (candidate >= tableSize) {
                            candidate -= tableSize;
                        }
                    }
                    occupied[candidate >>> 6] |= 1L << candidate;
                    int next = candidate + step;
                    position[i] = next >= tableSize ? next - tableSize : next;
                } else {
                    if (free == null) {
                        free = freeSlots(tableSize - filled);
                        freeCount = free.length;
                    }
                    int chosen = firstInPermutation(i, free, freeCount);
                    candidate = free[chosen];
                    free[chosen] = free[--freeCount];
                }
                slots[candidate] = i;
                if (++filled == tableSize) {
                    return;
                }
            }
        }
    }

    /** The {@code count} slots not yet taken, ascending. */
    private int[] freeSlots(int count) {
        int[] free = new int[count];
        int found = 0;
        for (int slot = 0; slot < tableSize; slot++) {
            if ((occupied[slot >>> 6] & (1L << slot)) == 0) {
                free[found++] = slot;
            }
        }
        return free;
    }

    /**
     * Index into {@code free} of the slot backend {@code i} reaches first: slot s is step
     * j = (s - offset) * skip^-1 mod M of its permutation. Every slot before the backend's current
     * step is taken (its walk only passes taken slots), so the free slot of least j is its next one.
     */
    private int firstInPermutation(int i, int[] free, int freeCount) {
        if (inverseSkip[i] == 0) {
            inverseSkip[i] = modularInverse(skip[i], tableSize);
        }
        long inverse = inverseSkip[i];
        int start = offset[i];
        int best = 0;
        long bestStep = Long.MAX_VALUE;
        for (int k = 0; k < freeCount; k++) {
            int distance = free[k] - start;
            if (distance < 0) {
                distance += tableSize;
            }
            long step = distance * inverse % tableSize;
            if (step < bestStep) {
                bestStep = step;
                best = k;
            }
        }
        return best;
    }

    /** {@code value}^-1 mod the prime {@code modulus} (extended Euclid); 0 < value < modulus. */
    static int modularInverse(int value, int modulus) {
        long oldR = value;
        long r = modulus;
        long oldS = 1;
        long s = 0;
        while (r != 0) {
            long quotient = oldR / r;
            long nextR = oldR - quotient * r;
            oldR = r;
            r = nextR;
            long nextS = oldS - quotient * s;
            oldS = s;
            s = nextS;
        }
        long inverse = oldS % modulus;
        return (int) (inverse < 0 ? inverse + modulus : inverse);
    }
}
