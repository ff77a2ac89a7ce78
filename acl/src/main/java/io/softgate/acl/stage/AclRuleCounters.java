package io.softgate.acl.stage;

import io.softgate.acl.classify.AclTables;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-rule hit and byte counters: every worker owns one long array per rule generation,
 * indexed by rule id ({@code 2 * id} = hits, {@code 2 * id + 1} = bytes; default-policy
 * entries follow the rules, see {@link AclTables#counterSlots()}). Workers write with opaque
 * stores and never lock; the control plane sums the arrays of the generation it asks about,
 * while traffic flows.
 *
 * <p>Threading: {@link #forWorker} arrays have a single writer (the worker); {@link #hits} and
 * {@link #bytes} may be called from any thread.
 */
public final class AclRuleCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final ConcurrentHashMap<Integer, WorkerArray> workers = new ConcurrentHashMap<>();

    /** The counters of worker {@code workerId} (the same object for every ACL stage of that worker). */
    public WorkerArray forWorker(int workerId) {
        return workers.computeIfAbsent(workerId, id -> new WorkerArray());
    }

    /** Hits of counter {@code counterId} under {@code tables}, summed over workers. */
    public long hits(AclTables tables, int counterId) {
        return sum(tables, 2 * counterId);
    }

    /** Inner IP bytes of counter {@code counterId} under {@code tables}, summed over workers. */
    public long bytes(AclTables tables, int counterId) {
        return sum(tables, 2 * counterId + 1);
    }

    private long sum(AclTables tables, int index) {
        long total = 0;
        for (WorkerArray worker : workers.values()) {
            Generation current = worker.current;
            if (current != null && current.generation == tables.generation() && index < current.values.length) {
                total += (long) LONGS.getOpaque(current.values, index);
            }
        }
        return total;
    }

    /** One generation's array, published whole. */
    private record Generation(long generation, long[] values) {
    }

    /**
     * One worker's counters for the rule generation it runs.
     *
     * <p>Threading: written by its worker only; {@link #current} is read by the control plane.
     */
    public static final class WorkerArray {
        private volatile Generation current;
        private long[] values = new long[0];
        private long generation = -1;

        /**
         * Switches to {@code tables}' rules (allocates only when the generation changes, which is
         * a configuration event, never per packet).
         */
        void adopt(AclTables tables) {
            if (tables.generation() != generation) {
                generation = tables.generation();
                values = new long[2 * tables.counterSlots()];
                current = new Generation(generation, values);
            }
        }

        /**
         * Reads counter {@code counterId}'s hit word so that a later {@link #count} finds its cache
         * line loaded (a batch touches all its counters first, so their misses overlap); returns
         * the word, or 0 for an id out of range.
         */
        long touch(int counterId) {
            long[] array = values;
            int index = 2 * counterId;
            return index >= 0 && index + 1 < array.length ? array[index] : 0;
        }

        void count(int counterId, int bytes) {
            long[] array = values;
            int index = 2 * counterId;
            if (index + 1 < array.length) {
                LONGS.setOpaque(array, index, array[index] + 1);
                LONGS.setOpaque(array, index + 1, array[index + 1] + bytes);
            }
        }
    }
}
