package io.softgate.core.snapshot;

import java.util.Arrays;

/**
 * One generation of compiled, fully resolved forwarding state: an immutable set of tables that
 * workers read without locks. Control code builds a new one and publishes it whole.
 *
 * <p>Threading: immutable once built; safe to read from any thread.
 */
public final class ConfigSnapshot {
    private final long epoch;
    private final Object[] tables;

    private ConfigSnapshot(long epoch, Object[] tables) {
        this.epoch = epoch;
        this.tables = tables;
    }

    /** An empty snapshot (epoch 0): no tables, every stage sees "not configured". */
    public static ConfigSnapshot empty() {
        return new ConfigSnapshot(0, new Object[0]);
    }

    public long epoch() {
        return epoch;
    }

    /** The table in {@code slot}, or null when this snapshot has none. */
    @SuppressWarnings("unchecked")
    public <T> T get(SnapshotSlot<T> slot) {
        int index = slot.index();
        return index < tables.length ? (T) tables[index] : null;
    }

    /** A builder that starts from this snapshot's tables (to replace some and keep the rest). */
    public Builder toBuilder() {
        return new Builder(Arrays.copyOf(tables, Math.max(tables.length, SnapshotSlot.declaredCount())));
    }

    public static Builder builder() {
        return new Builder(new Object[SnapshotSlot.declaredCount()]);
    }

    /**
     * Collects tables for the next snapshot.
     *
     * <p>Threading: confined to the control thread that builds the snapshot.
     */
    public static final class Builder {
        private Object[] tables;

        private Builder(Object[] tables) {
            this.tables = tables;
        }

        public <T> Builder with(SnapshotSlot<T> slot, T table) {
            int index = slot.index();
            if (index >= tables.length) {
                tables = Arrays.copyOf(tables, Math.max(index + 1, SnapshotSlot.declaredCount()));
            }
            tables[index] = slot.type().cast(table);
            return this;
        }

        ConfigSnapshot build(long epoch) {
            return new ConfigSnapshot(epoch, tables.clone());
        }
    }
}
