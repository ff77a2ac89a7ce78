package io.softgate.core.snapshot;

import java.util.concurrent.locks.LockSupport;

/**
 * Publishes compiled snapshots to workers through one volatile reference, and tells the control
 * plane when every worker has moved past an old one (an RCU-style grace period).
 *
 * <p>Threading: {@link #publish} is for one control thread at a time (it is synchronized);
 * workers call {@link #current()} and report through {@link WorkerEpochs} without locks.
 */
public final class SnapshotPublisher {
    private volatile ConfigSnapshot current = ConfigSnapshot.empty();
    private final WorkerEpochs epochs;
    private long lastEpoch;

    public SnapshotPublisher(WorkerEpochs epochs) {
        this.epochs = epochs;
    }

    /** The latest snapshot; a worker reads this once per batch. */
    public ConfigSnapshot current() {
        return current;
    }

    public WorkerEpochs epochs() {
        return epochs;
    }

    /** Makes {@code next} the current snapshot with the next epoch number and returns it. */
    public synchronized ConfigSnapshot publish(ConfigSnapshot.Builder next) {
        ConfigSnapshot snapshot = next.build(++lastEpoch);
        current = snapshot;
        return snapshot;
    }

    /**
     * Replaces only {@code slot}'s table of the current snapshot and publishes the result, as one
     * step under this publisher's monitor: tables other control threads published meanwhile are
     * kept, and no concurrent {@link #publish} or {@code replace} is lost. Control code that must
     * change several tables together holds the same monitor around read-current / publish.
     */
    public synchronized <T> ConfigSnapshot replace(SnapshotSlot<T> slot, T table) {
        return publish(current.toBuilder().with(slot, table));
    }

    /**
     * Waits until every running worker has adopted {@code epoch} or a later one (or is idle
     * outside a batch), so tables of older snapshots are no longer read. Returns false on timeout.
     */
    public boolean awaitAdoption(long epoch, long timeoutNs) {
        long deadline = System.nanoTime() + timeoutNs;
        while (!epochs.allAdopted(epoch)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(50_000);
        }
        return true;
    }
}
