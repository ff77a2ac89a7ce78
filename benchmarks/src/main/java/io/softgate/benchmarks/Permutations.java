package io.softgate.benchmarks;

import java.util.function.IntUnaryOperator;

/**
 * Shuffled visiting orders for the benchmarks' set-ups (flows, sessions, connections in a random
 * order, so a table's lookups land where mixed traffic would put them).
 *
 * <p>Threading: stateless static functions.
 */
public final class Permutations {
    private Permutations() {
    }

    /**
     * {@code 0 .. count - 1} in a random order (Fisher-Yates, from the last index down), drawing
     * each swap partner as {@code below.applyAsInt(i + 1)}: pass a seeded generator's
     * {@code nextInt} so the order is the same every run.
     */
    public static int[] shuffled(int count, IntUnaryOperator below) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = below.applyAsInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
