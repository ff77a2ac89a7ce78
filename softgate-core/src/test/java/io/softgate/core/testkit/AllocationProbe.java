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

    /** Measured windows at most: a steady state allocates in every one, a one-off event in one. */
    private static final int WINDOWS = 3;

    /**
     * Runs {@code work} {@code warmupRuns} times, then measures windows of {@code measuredRuns}
     * runs and returns the bytes allocated per measured run (rounded down) in the quietest window:
     * the first that allocated nothing, else the least of {@value #WINDOWS}. Why more than one
     * window: a JIT deoptimisation or recompilation that lands inside a window (on a loaded
     * machine it may come late) can materialise objects once, which is not the code's steady
     * state; code that allocates per run allocates in every window and still fails. The probe
     * itself allocates nothing between its readings.
     */
    public static long bytesPerRun(Runnable work, int warmupRuns, int measuredRuns) {
        for (int i = 0; i < warmupRuns; i++) {
            work.run();
        }
        // Reading the counter once first makes the MXBean initialise itself before we measure.
        allocatedBytes();
        long least = Long.MAX_VALUE;
        for (int window = 0; window < WINDOWS && least > 0; window++) {
            long before = allocatedBytes();
            for (int i = 0; i < measuredRuns; i++) {
                work.run();
            }
            long after = allocatedBytes();
            least = Math.min(least, (after - before) / measuredRuns);
        }
        return least;
    }
}
