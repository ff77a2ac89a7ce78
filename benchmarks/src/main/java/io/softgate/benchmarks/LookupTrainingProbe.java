package io.softgate.benchmarks;

import io.softgate.core.flow.FlowTable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * Whether the JIT's branch profile changes the speed of {@link FlowTable#lookupIntoBatch} hits: a
 * table shaped like the NAT's session table at 1M sessions (4M slots, 2M entries of 2 key words
 * and 3 value words, home-first lookups) is looked up 64 present keys at a time, in thread CPU
 * time per key (best of 10 passes of 1M keys). With {@code trained}, the batch lookup first runs
 * 1.28M times on keys another table does not hold, as a service's lookups do while its first flows
 * are created, so C2 compiles it from a profile of misses.
 *
 * <pre>
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1 java -Xms3g -Xmx3g -XX:MaxDirectMemorySize=6g -XX:+UseParallelGC \
 *     -XX:+UseTransparentHugePages -cp benchmarks/target/benchmarks.jar io.softgate.benchmarks.LookupTrainingProbe trained
 * </pre>
 *
 * <p>Threading: runs everything on the calling thread.
 */
public final class LookupTrainingProbe {
    private static final int KEY_WORDS = 2;
    private static final int VALUE_WORDS = 3;
    private static final int CAPACITY = 1 << 22;
    private static final int ENTRIES = CAPACITY / 2;
    private static final int LOOKED_UP = ENTRIES / 2;
    private static final int BATCH = 64;
    private static final int BATCHES_PER_PASS = 16_384;

    private LookupTrainingProbe() {
    }

    public static void main(String[] args) {
        boolean trained = args.length > 0 && args[0].equals("trained");
        long sink = trained ? trainOnMisses() : 0;
        FlowTable table = new FlowTable(CAPACITY, KEY_WORDS, VALUE_WORDS);
        long[] keys = new long[ENTRIES * KEY_WORDS];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < keys.length; i++) {
            keys[i] = random.nextLong();
        }
        // Insert in a random order, so the looked-up keys sit where a table filled by mixed
        // traffic puts them (three in four at home), not where the first half of an ordered fill would.
        int[] order = Permutations.shuffled(ENTRIES, random::nextInt);
        long[] key = new long[KEY_WORDS];
        long[] value = new long[VALUE_WORDS];
        for (int id : order) {
            System.arraycopy(keys, id * KEY_WORDS, key, 0, KEY_WORDS);
            table.insert(key, value, Long.MAX_VALUE, 0);
        }
        long[] batchKeys = new long[BATCH * KEY_WORDS];
        long[] batchValues = new long[BATCH * VALUE_WORDS];
        int[] batchEntries = new int[BATCH];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int cursor = 0;
        double best = Double.MAX_VALUE;
        for (int pass = 0; pass < 14; pass++) {
            long before = threads.getCurrentThreadCpuTime();
            for (int b = 0; b < BATCHES_PER_PASS; b++) {
                System.arraycopy(keys, cursor * KEY_WORDS, batchKeys, 0, batchKeys.length);
                cursor = cursor + BATCH >= LOOKED_UP ? 0 : cursor + BATCH;
                sink += table.lookupIntoBatch(batchKeys, BATCH, 0, batchValues, batchEntries);
            }
            double ns = (threads.getCurrentThreadCpuTime() - before) / ((double) BATCHES_PER_PASS * BATCH);
            if (pass >= 4) {
                best = Math.min(best, ns);
            }
        }
        System.out.printf("%s: lookupIntoBatch best %.1f ns per key (hits %d)%n",
            trained ? "trained on misses" : "untrained", best, sink);
    }

    /** 1.28M batch lookups of absent keys in a nearly empty 4M-slot table; returns their hits (0). */
    private static long trainOnMisses() {
        FlowTable empty = new FlowTable(CAPACITY, KEY_WORDS, VALUE_WORDS);
        SplittableRandom random = new SplittableRandom(5);
        long[] key = new long[KEY_WORDS];
        long[] value = new long[VALUE_WORDS];
        for (int i = 0; i < 30_000; i++) {
            key[0] = random.nextLong();
            key[1] = random.nextLong();
            empty.insert(key, value, Long.MAX_VALUE, 0);
        }
        long[] batchKeys = new long[BATCH * KEY_WORDS];
        long[] batchValues = new long[BATCH * VALUE_WORDS];
        int[] batchEntries = new int[BATCH];
        long hits = 0;
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < batchKeys.length; i++) {
                batchKeys[i] = random.nextLong();
            }
            hits += empty.lookupIntoBatch(batchKeys, BATCH, 0, batchValues, batchEntries);
        }
        empty.close();
        return hits;
    }
}
