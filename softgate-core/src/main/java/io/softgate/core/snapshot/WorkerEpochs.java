package io.softgate.core.snapshot;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The snapshot epoch each worker has adopted, one padded slot per worker; a worker that is
 * parked between batches reports {@link #QUIESCENT} so it never holds a grace period open.
 *
 * <p>Threading: worker {@code w} writes only slot {@code w}; any thread reads.
 */
public final class WorkerEpochs {
    /** Written by a worker that holds no snapshot (idle, or stopped). */
    public static final long QUIESCENT = Long.MAX_VALUE;
    /** Longs between two workers' slots (one 64-byte cache line and then some). */
    private static final int STRIDE = 16;

    private final AtomicLongArray slots;
    private final int workerCount;

    public WorkerEpochs(int workerCount) {
        this.workerCount = workerCount;
        this.slots = new AtomicLongArray((workerCount + 1) * STRIDE);
        for (int w = 0; w < workerCount; w++) {
            slots.set(index(w), QUIESCENT);
        }
    }

    private static int index(int worker) {
        return (worker + 1) * STRIDE;
    }

    /** Worker {@code worker} now reads the snapshot of {@code epoch}. */
    public void adopt(int worker, long epoch) {
        slots.setRelease(index(worker), epoch);
    }

    /** Worker {@code worker} holds no snapshot. */
    public void quiesce(int worker) {
        slots.setRelease(index(worker), QUIESCENT);
    }

    public long adopted(int worker) {
        return slots.getAcquire(index(worker));
    }

    public boolean allAdopted(long epoch) {
        for (int w = 0; w < workerCount; w++) {
            if (slots.getAcquire(index(w)) < epoch) {
                return false;
            }
        }
        return true;
    }

    public int workerCount() {
        return workerCount;
    }
}
