package io.softgate.core.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link FlowTable#lookupBatch} and {@link FlowTable#lookupIntoBatch}: the same answers as one
 * {@link FlowTable#lookup} / {@link FlowTable#lookupInto} per key, including keys far from home,
 * tombstones, expired copies and misses, and under concurrent inserts and removals a found entry
 * always belongs to its key and a key nobody removes is always found.
 */
class FlowTableBatchLookupTest {
    private static final int KEY_WORDS = 3;
    private static final int VALUE_WORDS = 2;

    private static void key(long id, long[] keys, int index) {
        keys[index * KEY_WORDS] = id;
        keys[index * KEY_WORDS + 1] = id * 0x9E3779B97F4A7C15L;
        keys[index * KEY_WORDS + 2] = ~id;
    }

    private static long[] key(long id) {
        long[] key = new long[KEY_WORDS];
        key(id, key, 0);
        return key;
    }

    /** How a table's batch lookups find a key that is not at its home slot. */
    enum Mode {
        /** Fingerprints first, then the candidate slot. */
        FINGERPRINTS,
        /** The home slot first, then fingerprints (in service: tables over {@link FlowTable#HOME_FIRST_MIN_CAPACITY} slots whose entries have no spare word). */
        HOME_FIRST,
        /** The home slot first, then the slots its home hint names (the same tables with a spare word). */
        HOME_HINTS
    }

    private static FlowTable table(int capacity, int probeWindow, long seed, Mode mode) {
        FlowTable table = new FlowTable(capacity, KEY_WORDS, VALUE_WORDS, probeWindow, seed,
            mode == Mode.FINGERPRINTS ? Integer.MAX_VALUE : 0, mode == Mode.HOME_HINTS);
        // Windows under a fingerprint span use none of them (the slot-by-slot rounds).
        assertEquals(mode != Mode.FINGERPRINTS && probeWindow >= 16, table.readsHomeFirst());
        assertEquals(mode == Mode.HOME_HINTS && probeWindow >= 16, table.keepsHomeHints());
        return table;
    }

    /** A table at about 0.7 load with removals, so many keys sit several slots from home. */
    private static FlowTable crowdedTable(int probeWindow, long nowNs, SplittableRandom random, Mode mode) {
        FlowTable table = table(1024, probeWindow, 0x5EED, mode);
        for (long id = 0; id < 900; id++) {
            long expiresAtNs = random.nextInt(4) == 0 ? nowNs - 1 : nowNs + 1_000; // a quarter already expired
            int result = table.insert(key(id), new long[] {id, ~id}, expiresAtNs, nowNs - 10);
            if (FlowTable.isPresent(result) && random.nextInt(5) == 0) {
                table.remove(FlowTable.entryIndex(result), key(id)); // tombstones inside probe runs
            }
        }
        return table;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void shouldReturnWhatSingleLookupsReturnForEveryKeyOfABatch(Mode mode) {
        shouldReturnWhatSingleLookupsReturn(mode);
    }

    private static void shouldReturnWhatSingleLookupsReturn(Mode mode) {
        SplittableRandom random = new SplittableRandom(11);
        long nowNs = 1_000_000;
        for (int probeWindow : new int[] {1, 2, 3, 5, 16, 24, 32}) {
            FlowTable table = crowdedTable(probeWindow, nowNs, random, mode);
            for (int count : new int[] {0, 1, 7, 32, 64, 100, 256}) {
                long[] keys = new long[count * KEY_WORDS];
                long[] ids = new long[count];
                for (int i = 0; i < count; i++) {
                    ids[i] = random.nextLong(1200); // present, expired, removed, refused and never inserted
                    key(ids[i], keys, i);
                }
                int[] entries = new int[count];
                int[] entriesInto = new int[count];
                long[] values = new long[count * VALUE_WORDS];
                int hits = table.lookupBatch(keys, count, nowNs, entries);
                int hitsInto = table.lookupIntoBatch(keys, count, nowNs, values, entriesInto);
                int[] expected = new int[count];
                int expectedHits = 0;
                long[] value = new long[VALUE_WORDS];
                for (int i = 0; i < count; i++) {
                    expected[i] = table.lookup(key(ids[i]), nowNs);
                    expectedHits += expected[i] >= 0 ? 1 : 0;
                    if (table.lookupInto(key(ids[i]), nowNs, value) >= 0) {
                        assertEquals(value[0], values[i * VALUE_WORDS], "value word 0 of id " + ids[i]);
                        assertEquals(value[1], values[i * VALUE_WORDS + 1], "value word 1 of id " + ids[i]);
                    }
                }
                assertArrayEquals(expected, entries, "window " + probeWindow + ", batch of " + count);
                assertArrayEquals(expected, entriesInto, "window " + probeWindow + ", batch of " + count);
                assertEquals(expectedHits, hits);
                assertEquals(expectedHits, hitsInto);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void shouldFindKeysSeveralSlotsFromHomeAndMissAbsentOnes(Mode mode) {
        shouldFindKeysFarFromHome(mode);
    }

    private static void shouldFindKeysFarFromHome(Mode mode) {
        // Window 32 on a 64-slot table filled to 48: long runs, keys up to dozens of slots from home.
        FlowTable table = table(64, 32, 7, mode);
        int[] present = new int[48];
        for (int id = 0; id < 48; id++) {
            present[id] = FlowTable.entryIndex(table.insert(key(id), new long[] {id, id}, Long.MAX_VALUE, 0));
        }
        long[] keys = new long[64 * KEY_WORDS];
        for (int id = 0; id < 64; id++) {
            key(id, keys, id);
        }
        int[] entries = new int[64];
        assertEquals(48, table.lookupBatch(keys, 64, 0, entries));
        int farFromHome = 0;
        for (int id = 0; id < 64; id++) {
            if (id < 48) {
                assertEquals(present[id], entries[id], "id " + id);
                int home = (int) table.keyHash(key(id)) & (table.capacity() - 1);
                farFromHome += ((entries[id] - home) & (table.capacity() - 1)) >= 4 ? 1 : 0;
            } else {
                assertEquals(FlowTable.MISSING, entries[id], "id " + id);
            }
        }
        assertTrue(farFromHome > 0, "the table should hold keys beyond the batch rounds");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void shouldOnlyEverReturnAnEntryHoldingItsKeyWhileOthersInsertAndRemove(Mode mode) throws Exception {
        shouldOnlyEverReturnItsKeysEntryUnderChurn(mode);
    }

    private static void shouldOnlyEverReturnItsKeysEntryUnderChurn(Mode mode) throws Exception {
        // Stable keys (ids < STABLE) are never removed: every batch must find them. Churned keys
        // come and go: a batch may or may not find them, but a found entry's copied value must
        // be the one stored with that key (value = id, ~id), never another key's.
        final int stable = 2_000;
        final int churned = 2_000;
        FlowTable table = table(8_192, 32, 3, mode);
        for (long id = 0; id < stable; id++) {
            assertTrue(FlowTable.isCreated(table.insert(key(id), new long[] {id, ~id}, Long.MAX_VALUE, 0)));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong batches = new AtomicLong();
        Thread writer = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(5);
            int[] entryOf = new int[churned];
            java.util.Arrays.fill(entryOf, -1);
            while (!stop.get()) {
                int i = random.nextInt(churned);
                long id = stable + i;
                if (entryOf[i] < 0) {
                    int result = table.insert(key(id), new long[] {id, ~id}, Long.MAX_VALUE, 0);
                    entryOf[i] = FlowTable.isPresent(result) ? FlowTable.entryIndex(result) : -1;
                } else {
                    table.remove(entryOf[i], key(id));
                    entryOf[i] = -1;
                }
            }
        }, "batch-test-writer");
        Runnable reader = () -> {
            SplittableRandom random = new SplittableRandom(Thread.currentThread().getId());
            int count = 64;
            long[] keys = new long[count * KEY_WORDS];
            long[] ids = new long[count];
            long[] values = new long[count * VALUE_WORDS];
            int[] entries = new int[count];
            long[] copiedKey = new long[KEY_WORDS];
            try {
                while (!stop.get()) {
                    for (int i = 0; i < count; i++) {
                        ids[i] = random.nextLong(stable + churned + 500);
                        key(ids[i], keys, i);
                    }
                    table.lookupIntoBatch(keys, count, 0, values, entries);
                    for (int i = 0; i < count; i++) {
                        if (ids[i] < stable && entries[i] < 0) {
                            throw new AssertionError("stable id " + ids[i] + " not found");
                        }
                        if (entries[i] >= 0 && (values[i * VALUE_WORDS] != ids[i]
                            || values[i * VALUE_WORDS + 1] != ~ids[i])) {
                            throw new AssertionError("id " + ids[i] + " got value " + values[i * VALUE_WORDS]);
                        }
                        if (ids[i] >= stable + churned && entries[i] >= 0) {
                            throw new AssertionError("never-inserted id " + ids[i] + " found");
                        }
                    }
                    if (entries[0] >= 0 && ids[0] < stable) {
                        // A stable entry never moves: its slot must still hold its key.
                        assertTrue(table.copyKey(entries[0], copiedKey));
                        assertArrayEquals(key(ids[0]), copiedKey);
                    }
                    batches.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Thread reader1 = new Thread(reader, "batch-test-reader-1");
        Thread reader2 = new Thread(reader, "batch-test-reader-2");
        writer.start();
        reader1.start();
        reader2.start();
        TimeUnit.SECONDS.sleep(2);
        stop.set(true);
        writer.join();
        reader1.join();
        reader2.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(batches.get() > 100, "readers made progress: " + batches.get());
    }
}
