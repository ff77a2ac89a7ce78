package io.softgate.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {
    private static final SnapshotSlot<String> NAMES = SnapshotSlot.declare("test-names", String.class);
    private static final SnapshotSlot<Integer> SIZES = SnapshotSlot.declare("test-sizes", Integer.class);

    @Test
    void shouldNumberEpochsAndKeepUntouchedTablesWhenRebuilding() {
        SnapshotPublisher publisher = new SnapshotPublisher(new WorkerEpochs(1));
        assertEquals(0, publisher.current().epoch());
        assertNull(publisher.current().get(NAMES));

        ConfigSnapshot first = publisher.publish(ConfigSnapshot.builder().with(NAMES, "a").with(SIZES, 1));
        ConfigSnapshot second = publisher.publish(first.toBuilder().with(SIZES, 2));

        assertEquals(1, first.epoch());
        assertEquals(2, second.epoch());
        assertSame(second, publisher.current());
        assertEquals("a", second.get(NAMES));
        assertEquals(2, second.get(SIZES));
        assertEquals(1, first.get(SIZES));
    }

    @Test
    void shouldHoldGracePeriodOpenUntilEveryWorkerAdoptsOrQuiesces() {
        WorkerEpochs epochs = new WorkerEpochs(2);
        SnapshotPublisher publisher = new SnapshotPublisher(epochs);
        ConfigSnapshot first = publisher.publish(ConfigSnapshot.builder());
        epochs.adopt(0, first.epoch());
        epochs.adopt(1, first.epoch());
        ConfigSnapshot second = publisher.publish(first.toBuilder());

        assertFalse(publisher.awaitAdoption(second.epoch(), 1_000_000));
        epochs.adopt(0, second.epoch());
        assertFalse(epochs.allAdopted(second.epoch()));
        epochs.quiesce(1);
        assertTrue(publisher.awaitAdoption(second.epoch(), 1_000_000));
    }

    @Test
    void shouldReplaceOneTableAndKeepTheOthers() {
        SnapshotPublisher publisher = new SnapshotPublisher(new WorkerEpochs(1));
        publisher.publish(ConfigSnapshot.builder().with(NAMES, "a").with(SIZES, 1));

        ConfigSnapshot replaced = publisher.replace(SIZES, 7);

        assertSame(replaced, publisher.current());
        assertEquals(2, replaced.epoch());
        assertEquals("a", replaced.get(NAMES));
        assertEquals(7, replaced.get(SIZES));
    }
}
