package io.softgate.core.counter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's counters: a flat array of longs written by the worker with plain increments
 * published in opaque mode, and read by the control thread without locks.
 *
 * <p>Threading: single writer (the owning worker); any thread may call {@link #get}.
 */
public final class WorkerCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Spacing so two workers' arrays never share the cache line of their first counters. */
    private static final int PAD = 8;

    private final CounterLayout layout;
    private final long[] values;

    public WorkerCounters(CounterLayout layout) {
        this.layout = layout;
        this.values = new long[PAD + layout.size() + PAD];
    }

    public void increment(int id) {
        int i = PAD + id;
        LONGS.setOpaque(values, i, values[i] + 1);
    }

    public void add(int id, long amount) {
        int i = PAD + id;
        LONGS.setOpaque(values, i, values[i] + amount);
    }

    /** The current value, as far as the writer has published it. */
    public long get(int id) {
        return (long) LONGS.getOpaque(values, PAD + id);
    }

    public CounterLayout layout() {
        return layout;
    }
}
