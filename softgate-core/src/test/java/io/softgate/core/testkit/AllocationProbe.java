package io.softgate.core.testkit;

import java.lang.management.ManagementFactory;

/**
 * Measures bytes allocated by the current thread around a piece of work, for the steady-state
 * zero-allocation tests every stage has.
 *
 * <p>Threading: measures only the calling thread.
 */
public final class AllocationProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationProbe() {
    }

    /** Bytes the calling thread has allocated so far. */
    public static long allocatedBytes() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Measured windows: a steady state allocates in every one, a one-off event in one. */
    private static final int WINDOWS = 3;

    /**
     * Runs {@code work} {@code warmupRuns} times, then {@code measuredRuns} times in
     * {@value #WINDOWS} windows of about a third each (one window when fewer than three runs), and
     * returns the median window's bytes allocated per run (rounded down). Why windows: a JIT
     * deoptimisation or recompilation that lands inside the measurement (on a loaded machine it may
     * come late) can materialise objects once, which is not the code's steady state; the median
     * ignores one such window, while code that allocates in two windows of three still fails. The
     * work runs exactly {@code warmupRuns + measuredRuns} times, so callers may count its effects.
     * The probe itself allocates nothing between its readings.
     */
    public static long bytesPerRun(Runnable work, int warmupRuns, int measuredRuns) {
        for (int i = 0; i < warmupRuns; i++) {
            work.run();
        }
        // Reading the counter once first makes the MXBean initialise itself before we measure.
        allocatedBytes();
        if (measuredRuns < WINDOWS) {
            return window(work, measuredRuns);
        }
        int third = measuredRuns / WINDOWS;
        long first = window(work, third);
        long second = window(work, third);
        long last = window(work, measuredRuns - 2 * third);
        return Math.max(Math.min(first, second), Math.min(Math.max(first, second), last));
    }

    private static long window(Runnable work, int runs) {
        long before = allocatedBytes();
        for (int i = 0; i < runs; i++) {
            work.run();
        }
        return runs == 0 ? 0 : (allocatedBytes() - before) / runs;
    }
}
