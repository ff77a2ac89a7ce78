package io.softgate.core.snapshot;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A typed place for one compiled table in a {@link ConfigSnapshot} (e.g. the ACL classifier);
 * each feature declares its slot once as a constant, and stages read it with an array index.
 *
 * <p>Threading: immutable.
 */
public final class SnapshotSlot<T> {
    private static final AtomicInteger NEXT_INDEX = new AtomicInteger();

    private final String name;
    private final Class<T> type;
    private final int index;

    private SnapshotSlot(String name, Class<T> type, int index) {
        this.name = name;
        this.type = type;
        this.index = index;
    }

    /** Declares a new slot; call once per table kind, from a static final field. */
    public static <T> SnapshotSlot<T> declare(String name, Class<T> type) {
        return new SnapshotSlot<>(name, type, NEXT_INDEX.getAndIncrement());
    }

    static int declaredCount() {
        return NEXT_INDEX.get();
    }

    public String name() {
        return name;
    }

    public Class<T> type() {
        return type;
    }

    int index() {
        return index;
    }

    @Override
    public String toString() {
        return "SnapshotSlot[" + name + "]";
    }
}
