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

    /**
     * Runs {@code work} {@code warmupRuns} times, then {@code measuredRuns} times, and returns the
     * bytes allocated per measured run (rounded down). The probe itself allocates nothing between
     * its two readings.
     */
    public static long bytesPerRun(Runnable work, int warmupRuns, int measuredRuns) {
        for (int i = 0; i < warmupRuns; i++) {
            work.run();
        }
        // Reading the counter once first makes the MXBean initialise itself before we measure.
        allocatedBytes();
        long before = allocatedBytes();
        for (int i = 0; i < measuredRuns; i++) {
            work.run();
        }
        long after = allocatedBytes();
        return (after - before) / measuredRuns;
    }
}
