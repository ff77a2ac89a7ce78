package io.softgate.lb.maglev;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

    /** Builds the table; with no backend of positive weight every slot is {@link MaglevTable#NO_BACKEND}. */
    public MaglevTable build() {
        List<String> identities = new ArrayList<>(weights.keySet());
        int count = identities.size();
        int[] slots = new int[tableSize];
        Arrays.fill(slots, MaglevTable.NO_BACKEND);
        int[] weight = new int[count];
        int[] position = new int[count];
        int[] skip = new int[count];
        int maxWeight = 0;
        for (int i = 0; i < count; i++) {
            String identity = identities.get(i);
            weight[i] = weights.get(identity);
            position[i] = MaglevHash.offset(identity, tableSize);
            skip[i] = MaglevHash.skip(identity, tableSize);
            maxWeight = Math.max(maxWeight, weight[i]);
        }
        if (maxWeight == 0) {
            return new MaglevTable(identities, slots);
        }
        long[] credit = new long[count];
        int filled = 0;
        while (true) {
            for (int i = 0; i < count; i++) {
                credit[i] += weight[i];
                if (credit[i] < maxWeight) {
                    continue;
                }
                credit[i] -= maxWeight;
                // Walk backend i's permutation (offset + j * skip) mod M to its next free slot;
                // the size is prime and 0 < skip < M, so the walk visits every slot.
                int candidate = position[i];
                while (slots[candidate] != MaglevTable.NO_BACKEND) {
                    candidate += skip[i];
                    if (candidate >= tableSize) {
                        candidate -= tableSize;
                    }
                }
                slots[candidate] = i;
                int next = candidate + skip[i];
                position[i] = next >= tableSize ? next - tableSize : next;
                if (++filled == tableSize) {
                    return new MaglevTable(identities, slots);
                }
            }
        }
    }
}
