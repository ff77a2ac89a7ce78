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

/**
 * {@link HomeHints}: every key off its home keeps its bit in the home's hint through inserts,
 * removals, expiry and the reuse of slots by keys of other homes, from one thread and from
 * several at once, and the batch lookups that follow the hints answer as single lookups do. Run the
 * concurrent case for minutes with {@code mvn -o -B -pl softgate-core -am test
 * -Dtest=FlowTableHomeHintTest -Dsurefire.failIfNoSpecifiedTests=false -Dsoftgate.stress.seconds=120}.
 */
class FlowTableHomeHintTest {
    private static final long SECONDS = Long.getLong("softgate.stress.seconds", 2);
    private static final int KEY_WORDS = 2;
    private static final int VALUE_WORDS = 3;

    private static long[] key(long id) {
        return new long[] {id, id * 0x9E3779B97F4A7C15L};
    }

    /** A hinted table whose batch lookups read home slots first, whatever its size. */
    private static FlowTable hintedTable(int capacity, long seed) {
        FlowTable table = new FlowTable(capacity, KEY_WORDS, VALUE_WORDS, FlowTable.DEFAULT_PROBE_WINDOW, seed, 0, true);
        assertTrue(table.keepsHomeHints());
        assertTrue(table.readsHomeFirst());
        return table;
    }

    @Test
    void shouldKeepEveryOffHomeKeysBitWhileSlotsAreRemovedExpiredAndReused() {
        // 512 slots holding up to ~400 keys of 1,000 ids: long runs, and slots change hands between
        // keys of different homes all the time (removal, expiry, reclaim by a later insert).
        FlowTable table = hintedTable(512, 0xC0FFEE);
        SplittableRandom random = new SplittableRandom(21);
        int[] entryOf = new int[1_000];
        java.util.Arrays.fill(entryOf, -1);
        long nowNs = 1_000;
        long reclaimed = 0;
        for (int step = 1; step <= 200_000; step++) {
            int id = random.nextInt(entryOf.length);
            if (entryOf[id] >= 0 && random.nextInt(3) == 0) {
                table.remove(entryOf[id], key(id));
                entryOf[id] = -1;
            } else {
                // A fifth expire almost at once, so inserts keep reclaiming expired slots.
                long expiresAtNs = nowNs + (random.nextInt(5) == 0 ? 3 : 1_000_000);
                int sizeBefore = table.size();
                int result = table.insert(key(id), new long[] {id, ~id, step}, expiresAtNs, nowNs);
                entryOf[id] = FlowTable.isPresent(result) ? FlowTable.entryIndex(result) : -1;
                reclaimed += FlowTable.isCreated(result) && table.size() == sizeBefore ? 1 : 0;
            }
            nowNs += 1;
            if (step % 5_000 == 0) {
                table.removeExpired(random.nextInt(512), 64, nowNs);
            }
            if (step % 1_000 == 0) {
                assertEquals(0, table.homeHintViolations(), "off-home keys without their bit at step " + step);
                assertBatchAnswersAsSingleLookups(table, nowNs, random);
            }
        }
        assertTrue(reclaimed > 1_000, "expired slots were reclaimed by inserts: " + reclaimed);
    }

    private static void assertBatchAnswersAsSingleLookups(FlowTable table, long nowNs, SplittableRandom random) {
        int count = 64;
        long[] keys = new long[count * KEY_WORDS];
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = random.nextInt(1_100);
            System.arraycopy(key(ids[i]), 0, keys, i * KEY_WORDS, KEY_WORDS);
        }
        int[] entries = new int[count];
        long[] values = new long[count * VALUE_WORDS];
        int hits = table.lookupIntoBatch(keys, count, nowNs, values, entries);
        int[] expected = new int[count];
        int expectedHits = 0;
        for (int i = 0; i < count; i++) {
            expected[i] = table.lookup(key(ids[i]), nowNs);
            expectedHits += expected[i] >= 0 ? 1 : 0;
            if (expected[i] >= 0) {
                assertEquals(ids[i], values[i * VALUE_WORDS], "value of id " + ids[i]);
            }
        }
        assertArrayEquals(expected, entries);
        assertEquals(expectedHits, hits);
    }

    @Test
    void shouldFindEveryStableKeyWhileTwoWritersShareItsHomes() throws Exception {
        // Two writers churn keys (with short expiry, so their inserts reclaim each other's slots)
        // in a table where windows overlap everywhere; stable keys are never removed and every
        // batch must find them, and once the writers stop no off-home key lacks its bit.
        final int stable = 1_000;
        final int churnedPerWriter = 1_500;
        FlowTable table = hintedTable(4_096, 77);
        for (long id = 0; id < stable; id++) {
            assertTrue(FlowTable.isCreated(table.insert(key(id), new long[] {id, ~id, 0}, Long.MAX_VALUE, 0)));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong clock = new AtomicLong(1);
        AtomicLong batches = new AtomicLong();
        Thread[] writers = new Thread[2];
        for (int w = 0; w < writers.length; w++) {
            long base = stable + (long) w * churnedPerWriter;
            writers[w] = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(base);
                int[] entryOf = new int[churnedPerWriter];
                java.util.Arrays.fill(entryOf, -1);
                while (!stop.get()) {
                    int i = random.nextInt(churnedPerWriter);
                    long id = base + i;
                    long nowNs = clock.incrementAndGet();
                    if (entryOf[i] < 0 || random.nextBoolean()) {
                        int result = table.insert(key(id), new long[] {id, ~id, 1}, nowNs + random.nextInt(2_000), nowNs);
                        entryOf[i] = FlowTable.isPresent(result) ? FlowTable.entryIndex(result) : -1;
                    } else {
                        table.remove(entryOf[i], key(id));
                        entryOf[i] = -1;
                    }
                }
            }, "hint-test-writer-" + w);
        }
        Thread reader = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(3);
            int count = 64;
            long[] keys = new long[count * KEY_WORDS];
            long[] ids = new long[count];
            long[] values = new long[count * VALUE_WORDS];
            int[] entries = new int[count];
            try {
                while (!stop.get()) {
                    for (int i = 0; i < count; i++) {
                        ids[i] = random.nextInt(stable + 2 * churnedPerWriter + 300);
                        System.arraycopy(key(ids[i]), 0, keys, i * KEY_WORDS, KEY_WORDS);
                    }
                    table.lookupIntoBatch(keys, count, clock.get(), values, entries);
                    for (int i = 0; i < count; i++) {
                        if (ids[i] < stable && entries[i] < 0) {
                            throw new AssertionError("stable id " + ids[i] + " not found");
                        }
                        if (entries[i] >= 0 && values[i * VALUE_WORDS] != ids[i]) {
                            throw new AssertionError("id " + ids[i] + " got value " + values[i * VALUE_WORDS]);
                        }
                        if (ids[i] >= stable + 2 * churnedPerWriter && entries[i] >= 0) {
                            throw new AssertionError("never-inserted id " + ids[i] + " found");
                        }
                    }
                    batches.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "hint-test-reader");
        for (Thread writer : writers) {
            writer.start();
        }
        reader.start();
        TimeUnit.SECONDS.sleep(SECONDS);
        stop.set(true);
        for (Thread writer : writers) {
            writer.join();
        }
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(batches.get() > 100, "the reader made progress: " + batches.get());
        assertEquals(0, table.homeHintViolations(), "off-home keys without their bit");
    }
}
