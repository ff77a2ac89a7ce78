package io.softgate.acl.stage;

import io.softgate.acl.classify.AclTables;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-rule hit and byte counters: every worker owns one long array per rule generation,
 * indexed by rule id ({@code 2 * id} = hits, {@code 2 * id + 1} = bytes; default-policy
 * entries follow the rules, see {@link AclTables#counterSlots()}). Workers write with opaque
 * stores and never lock; the control plane sums the arrays of the generation it asks about,
 * while traffic flows.
 *
 * <p>Totals survive a rule-set replace by name: when a worker adopts a new generation it folds
 * its own counts of the old one into the new array, each under the counter of the same name
 * ({@code vpc/rule-name}, or the VPC's default policy), before publishing that array. A rule
 * that keeps its name keeps its totals; a renamed or new rule starts at zero; a removed rule's
 * counts are dropped. Until a worker has adopted the new generation (its first batch after the
 * switch), its counts are in neither generation's sums.
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
        private AclTables tables;

        /**
         * Switches to {@code tables}' rules, carrying this worker's totals over by counter name
         * (allocates only when the generation changes, which is a configuration event, never per
         * packet). Runs on the worker, the array's only writer, so the old counts are final here.
         */
        void adopt(AclTables next) {
            if (next.generation() != generation) {
                long[] fresh = new long[2 * next.counterSlots()];
                if (tables != null) {
                    carryOver(tables, values, next, fresh);
                }
                tables = next;
                generation = next.generation();
                values = fresh;
                current = new Generation(generation, fresh);
            }
        }

        /** Adds every non-zero counter of {@code old} to the counter of the same name in {@code fresh}. */
        private static void carryOver(AclTables previous, long[] old, AclTables next, long[] fresh) {
            Map<String, Integer> counted = new HashMap<>();
            int oldSlots = Math.min(previous.counterSlots(), old.length / 2);
            for (int id = 0; id < oldSlots; id++) {
                if (old[2 * id] != 0 || old[2 * id + 1] != 0) {
                    String key = counterKey(previous, id);
                    if (key != null) {
                        counted.put(key, id);
                    }
                }
            }
            if (counted.isEmpty()) {
                return;
            }
            for (int id = 0; id < next.counterSlots(); id++) {
                String key = counterKey(next, id);
                Integer from = key == null ? null : counted.get(key);
                if (from != null) {
                    fresh[2 * id] += old[2 * from];
                    fresh[2 * id + 1] += old[2 * from + 1];
                }
            }
        }

        /**
         * The name a counter keeps across generations: a rule's {@code vpc/name}, or a VPC's default
         * policy (kept apart from a rule that happens to be named "default"); null for the default
         * slot of a VRF without an ACL.
         */
        private static String counterKey(AclTables tables, int counterId) {
            if (counterId < tables.ruleCount()) {
                return tables.counterName(counterId);
            }
            var classifier = tables.classifier(counterId - tables.ruleCount());
            return classifier == null ? null : "\0default\0" + classifier.vpc();
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
