package io.softgate.core.flow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The flow table's live-entry count, split into cache-line-padded stripes chosen by slot index.
 *
 * <p>Why striped and not one {@code AtomicLong}: every insert and remove already does one CAS
 * on its own slot's line; a single shared counter would add a second line that every writer
 * thread bounces between cores. Slots are spread by hash, so two writers almost always hit
 * different stripes. Why not {@code LongAdder}: it allocates cells on contention, and the data
 * path must not allocate. Each slot's +1 (publish) and -1 (remove, reclaim) are done by the
 * single thread whose CAS made that transition, so the sum is exact whenever writers are quiet
 * and off by at most the number of in-flight transitions otherwise.
 *
 * <p>Threading: any thread may add or read; reads are approximate while writers run.
 */
final class StripedLiveCounter {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STRIPES = 8;
    /** 16 longs = 128 bytes between stripes: two lines, so adjacent-line prefetch does not couple them. */
    private static final int SPACING = 16;

    private final long[] cells = new long[(STRIPES + 1) * SPACING];

    void add(int slot, long delta) {
        LONGS.getAndAdd(cells, index(slot), delta);
    }

    long sum() {
        long total = 0;
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            total += (long) LONGS.getOpaque(cells, (stripe + 1) * SPACING);
        }
        return total;
    }

    private static int index(int slot) {
        return ((slot & (STRIPES - 1)) + 1) * SPACING;
    }
}
