package io.softgate.core.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlowTableTest {
    private static final long NOW_NS = 1_000_000_000L;
    private static final long TIMEOUT_NS = 60_000_000_000L;

    private final List<FlowTable> tables = new ArrayList<>();

    @AfterEach
    void closeTables() {
        tables.forEach(FlowTable::close);
    }

    private FlowTable table(int capacity, int keyWords, int valueWords, int probeWindow) {
        FlowTable table = new FlowTable(capacity, keyWords, valueWords, probeWindow);
        tables.add(table);
        return table;
    }

    private static long[] key(long id) {
        return new long[] {id, ~id, id * 31};
    }

    private static long[] value(long id) {
        return new long[] {id + 1, id + 2};
    }

    @Test
    void shouldRoundCapacityUpToPowerOfTwoAndReportMemory() {
        FlowTable table = table(1000, 3, 2, 16);
        assertEquals(1024, table.capacity());
        assertEquals(64, table.bytesPerEntry()); // 8 * (2 + 3 + 2) = 56, rounded up to a line
        assertEquals(1024L * 64 + 1024, table.memoryBytes()); // entries plus one fingerprint byte per slot
    }

    @Test
    void shouldPadLargeEntriesToWholeCacheLines() {
        FlowTable table = table(16, 6, 6, 16);
        assertEquals(128, table.bytesPerEntry()); // 8 * 14 = 112
    }

    @Test
    void shouldRejectKeySizesOutsideOneToSix() {
        assertThrows(IllegalArgumentException.class, () -> new FlowTable(16, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new FlowTable(16, 7, 1));
    }

    @Test
    void shouldFindInsertedKeyWithItsValue() {
        FlowTable table = table(1024, 3, 2, 16);
        int result = table.insert(key(7), value(7), NOW_NS + TIMEOUT_NS, NOW_NS);
        assertTrue(FlowTable.isCreated(result));
        int entry = FlowTable.entryIndex(result);
        assertEquals(entry, table.lookup(key(7), NOW_NS));
        assertEquals(8, table.value(entry, 0));
        assertEquals(9, table.value(entry, 1));
        assertEquals(NOW_NS + TIMEOUT_NS, table.expiresAtNs(entry));
        assertEquals(1, table.size());
    }

    @Test
    void shouldPlaceAKeyInAnEmptyTableAtTheHomeSlotItReports() {
        FlowTable table = table(1024, 3, 2, 16);
        long[] keys = new long[6];
        System.arraycopy(key(7), 0, keys, 3, 3);
        int home = table.homeSlot(keys, 3);
        assertEquals(home, table.homeSlot(key(7), 0));
        // The prefetches only load: the table is unchanged and the key lands at its home.
        table.prefetchHome(home);
        table.prefetchHomeForInsert(home);
        table.prefetchHomeForInsert(table.capacity() - 1); // its next slot wraps to 0
        assertEquals(0, table.size());
        assertEquals(home, FlowTable.entryIndex(table.insert(key(7), value(7), NOW_NS + TIMEOUT_NS, NOW_NS)));
    }

    @Test
    void shouldMissKeyNeverInserted() {
        FlowTable table = table(1024, 3, 2, 16);
        table.insert(key(7), value(7), NOW_NS + TIMEOUT_NS, NOW_NS);
        assertEquals(FlowTable.MISSING, table.lookup(key(8), NOW_NS));
    }

    @Test
    void shouldCopyValueOfTheKeyInLookupInto() {
        FlowTable table = table(1024, 3, 2, 16);
        table.insert(key(7), value(7), NOW_NS + TIMEOUT_NS, NOW_NS);
        long[] out = new long[2];
        assertNotEquals(FlowTable.MISSING, table.lookupInto(key(7), NOW_NS, out));
        assertArrayEquals(value(7), out);
    }

    @Test
    void shouldReturnExistingEntryWithoutOverwritingOnSecondInsert() {
        FlowTable table = table(1024, 3, 2, 16);
        int first = table.insert(key(7), value(7), NOW_NS + TIMEOUT_NS, NOW_NS);
        int second = table.insert(key(7), value(99), NOW_NS + 5, NOW_NS);
        assertFalse(FlowTable.isCreated(second));
        assertTrue(FlowTable.isPresent(second));
        assertEquals(FlowTable.entryIndex(first), FlowTable.entryIndex(second));
        assertEquals(8, table.value(FlowTable.entryIndex(second), 0));
        assertEquals(NOW_NS + TIMEOUT_NS, table.expiresAtNs(FlowTable.entryIndex(second)));
        assertEquals(1, table.size());
    }

    @Test
    void shouldRemoveOnlyWhenSlotStillHoldsTheKey() {
        FlowTable table = table(1024, 3, 2, 16);
        int entry = FlowTable.entryIndex(table.insert(key(7), value(7), NOW_NS + TIMEOUT_NS, NOW_NS));
        assertFalse(table.remove(entry, key(8)));
        assertTrue(table.remove(entry, key(7)));
        assertFalse(table.remove(entry, key(7)));
        assertEquals(FlowTable.MISSING, table.lookup(key(7), NOW_NS));
        assertEquals(0, table.size());
    }

    @Test
    void shouldTreatExpiredEntryAsAbsent() {
        FlowTable table = table(1024, 3, 2, 16);
        table.insert(key(7), value(7), NOW_NS + 100, NOW_NS);
        assertNotEquals(FlowTable.MISSING, table.lookup(key(7), NOW_NS + 100));
        assertEquals(FlowTable.MISSING, table.lookup(key(7), NOW_NS + 101));
    }

    @Test
    void shouldReinsertExpiredKeyIntoItsOwnSlot() {
        FlowTable table = table(1024, 3, 2, 16);
        int old = FlowTable.entryIndex(table.insert(key(7), value(7), NOW_NS + 100, NOW_NS));
        int fresh = table.insert(key(7), value(70), NOW_NS + 1000 + TIMEOUT_NS, NOW_NS + 1000);
        assertTrue(FlowTable.isCreated(fresh));
        assertEquals(old, FlowTable.entryIndex(fresh));
        assertEquals(71, table.value(old, 0));
        assertEquals(1, table.size());
    }

    @Test
    void shouldReclaimExpiredSlotForAnotherKeyWhenWindowIsFull() {
        FlowTable table = table(8, 1, 1, 8); // one window covers the whole table
        for (long id = 0; id < 8; id++) {
            long expiry = id == 3 ? NOW_NS + 10 : NOW_NS + TIMEOUT_NS;
            assertTrue(FlowTable.isCreated(table.insert(new long[] {id}, new long[] {id}, expiry, NOW_NS)));
        }
        assertEquals(FlowTable.FULL, table.insert(new long[] {100}, new long[] {100}, NOW_NS + TIMEOUT_NS, NOW_NS));
        int reclaimed = table.insert(new long[] {100}, new long[] {100}, NOW_NS + TIMEOUT_NS, NOW_NS + 11);
        assertTrue(FlowTable.isCreated(reclaimed));
        assertEquals(8, table.size());
        assertEquals(FlowTable.MISSING, table.lookup(new long[] {3}, NOW_NS));
    }

    @Test
    void shouldReuseDeletedSlot() {
        FlowTable table = table(8, 1, 1, 8);
        for (long id = 0; id < 8; id++) {
            table.insert(new long[] {id}, new long[] {id}, NOW_NS + TIMEOUT_NS, NOW_NS);
        }
        int victim = table.lookup(new long[] {5}, NOW_NS);
        assertTrue(table.remove(victim, new long[] {5}));
        int result = table.insert(new long[] {100}, new long[] {100}, NOW_NS + TIMEOUT_NS, NOW_NS);
        assertEquals(victim, FlowTable.entryIndex(result));
        assertTrue(FlowTable.isCreated(result));
    }

    @Test
    void shouldFailWithFullAndKeepEveryLiveEntryWhenWindowHasNoFreeSlot() {
        FlowTable table = table(64, 1, 1, 4);
        int full = 0;
        int created = 0;
        for (long id = 0; id < 1000; id++) {
            int result = table.insert(new long[] {id}, new long[] {id}, NOW_NS + TIMEOUT_NS, NOW_NS);
            if (result == FlowTable.FULL) {
                full++;
            } else if (FlowTable.isCreated(result)) {
                created++;
            }
        }
        assertEquals(1000, full + created);
        assertTrue(full > 0);
        assertEquals(created, table.size());
        int[] found = {0};
        table.forEach((entry, key, value, expiresAtNs) -> {
            assertEquals(entry, table.lookup(key, NOW_NS));
            assertEquals(key[0], value[0]);
            found[0]++;
        });
        assertEquals(created, found[0]);
    }

    @Test
    void shouldRefreshOnlyLater() {
        FlowTable table = table(1024, 3, 2, 16);
        int entry = FlowTable.entryIndex(table.insert(key(7), value(7), NOW_NS + 100, NOW_NS));
        assertTrue(table.refresh(entry, NOW_NS + 500));
        assertEquals(NOW_NS + 500, table.expiresAtNs(entry));
        assertTrue(table.refresh(entry, NOW_NS + 200));
        assertEquals(NOW_NS + 500, table.expiresAtNs(entry));
    }

    @Test
    void shouldShortenExpiryWhenAskedExplicitly() {
        FlowTable table = table(1024, 3, 2, 16);
        int entry = FlowTable.entryIndex(table.insert(key(7), value(7), NOW_NS + 500, NOW_NS));
        assertTrue(table.expireAt(entry, NOW_NS + 50));
        assertEquals(FlowTable.MISSING, table.lookup(key(7), NOW_NS + 51));
    }

    @Test
    void shouldNotRefreshRemovedEntry() {
        FlowTable table = table(1024, 3, 2, 16);
        int entry = FlowTable.entryIndex(table.insert(key(7), value(7), NOW_NS + 100, NOW_NS));
        table.remove(entry, key(7));
        assertFalse(table.refresh(entry, NOW_NS + 500));
    }

    @Test
    void shouldUpdateValueWordsAtomically() {
        FlowTable table = table(1024, 3, 2, 16);
        int entry = FlowTable.entryIndex(table.insert(key(7), value(7), NOW_NS + 100, NOW_NS));
        table.value(entry, 1, 42);
        assertEquals(42, table.value(entry, 1));
        assertEquals(45, table.addToValue(entry, 1, 3));
        assertTrue(table.compareAndSetValue(entry, 1, 45, 46));
        assertFalse(table.compareAndSetValue(entry, 1, 45, 47));
        assertEquals(46, table.value(entry, 1));
    }

    @Test
    void shouldRejectValueWordOutsideEntry() {
        FlowTable table = table(16, 1, 2, 16);
        assertThrows(IndexOutOfBoundsException.class, () -> table.value(0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> table.value(16, 0));
    }

    @Test
    void shouldSweepExpiredEntries() {
        FlowTable table = table(1024, 3, 2, 16);
        for (long id = 0; id < 10; id++) {
            table.insert(key(id), value(id), id < 4 ? NOW_NS + 10 : NOW_NS + TIMEOUT_NS, NOW_NS);
        }
        assertEquals(10, table.size());
        assertEquals(4, table.removeExpired(NOW_NS + 11));
        assertEquals(6, table.size());
    }

    @Test
    void shouldFindKeysThatCollideOnTheirHomeSlot() {
        FlowTable table = table(1 << 12, 2, 1, 32);
        long[] first = {1, 0};
        long home = table.keyHash(first) & (table.capacity() - 1);
        List<long[]> colliding = new ArrayList<>();
        for (long id = 2; colliding.size() < 20; id++) {
            long[] candidate = {id, 0};
            if ((table.keyHash(candidate) & (table.capacity() - 1)) == home) {
                colliding.add(candidate);
            }
        }
        table.insert(first, new long[] {1}, NOW_NS + TIMEOUT_NS, NOW_NS);
        for (long[] candidate : colliding) {
            assertTrue(FlowTable.isCreated(table.insert(candidate, new long[] {candidate[0]}, NOW_NS + TIMEOUT_NS, NOW_NS)));
        }
        // Remove one in the middle: the ones behind its tombstone must stay reachable.
        long[] middle = colliding.get(5);
        assertTrue(table.remove(table.lookup(middle, NOW_NS), middle));
        for (long[] candidate : colliding) {
            int entry = table.lookup(candidate, NOW_NS);
            if (candidate == middle) {
                assertEquals(FlowTable.MISSING, entry);
            } else {
                assertEquals(candidate[0], table.value(entry, 0));
            }
        }
    }

    @Test
    void shouldCopyKeyOfLiveEntry() {
        FlowTable table = table(1024, 3, 2, 16);
        int entry = FlowTable.entryIndex(table.insert(key(7), value(7), NOW_NS + 100, NOW_NS));
        long[] out = new long[3];
        assertTrue(table.copyKey(entry, out));
        assertArrayEquals(key(7), out);
        table.remove(entry, key(7));
        assertFalse(table.copyKey(entry, out));
    }

    @Test
    void shouldHashKeysByTheTableSeed() {
        long[] key = key(7);
        FlowTable first = table(16, 3, 0, 16);
        FlowTable sameSeed = new FlowTable(16, 3, 0, 16, first.hashSeed());
        tables.add(sameSeed);
        FlowTable otherSeed = new FlowTable(16, 3, 0, 16, first.hashSeed() + 1);
        tables.add(otherSeed);
        assertEquals(first.keyHash(key), sameSeed.keyHash(key));
        assertNotEquals(first.keyHash(key), otherSeed.keyHash(key));
    }

    @Test
    void shouldHashPermutedKeyWordsDifferently() {
        FlowTable table = table(16, 3, 0, 16);
        assertNotEquals(table.keyHash(new long[] {1, 2, 3}), table.keyHash(new long[] {2, 1, 3}));
    }
}
