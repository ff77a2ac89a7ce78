package io.softgate.core.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Several writer and reader threads hammer one small table; between phases every thread parks
 * and the test checks the table at rest. Run for minutes with
 * {@code mvn -o -B -pl softgate-core -am test -Dtest=FlowTableStressTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dsoftgate.stress.seconds=120}.
 *
 * <p>Proves: no lost entries (every key a writer owns and holds is found, at its slot, during the
 * run and at rest); no duplicates (at rest, no key is live in two slots, while two writers race
 * to insert and remove the same hot keys); no torn entries (every value read, concurrently or at
 * rest, is the checksum of the key it was read with).
 */
class FlowTableStressTest {
    private static final long SECONDS = Long.getLong("softgate.stress.seconds", 3);
    private static final long PHASE_MS = 250;
    private static final int WRITERS = 2;
    private static final int READERS = 2;
    private static final int OWNED_PER_WRITER = 1500;
    private static final int HOT_KEYS = 64;
    private static final int CONTENDED_KEYS = 1024;
    private static final long OWNED_BASE = 1_000_000;
    private static final long CONTENDED_BASE = 5_000_000;

    private final FlowTable table = new FlowTable(8192, 3, 3, 16, 0x5EED);
    private final AtomicLong clock = new AtomicLong(1);
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean pauseRequested;
    private volatile boolean stopRequested;
    private final CyclicBarrier parked = new CyclicBarrier(WRITERS + READERS + 1);
    private final CyclicBarrier resumed = new CyclicBarrier(WRITERS + READERS + 1);

    private final boolean[][] ownedPresent = new boolean[WRITERS][OWNED_PER_WRITER];
    private final int[][] ownedEntry = new int[WRITERS][OWNED_PER_WRITER];
    private final long[] created = new long[WRITERS];
    private final long[] existing = new long[WRITERS];
    private final long[] fullInserts = new long[WRITERS];
    private final long[] contendedInserts = new long[WRITERS];
    private final long[] removed = new long[WRITERS];
    private final long[] readerHits = new long[READERS];

    @Test
    void shouldNeverLoseDuplicateOrTearEntriesUnderConcurrentWritersAndReaders() throws Exception {
        Thread[] threads = new Thread[WRITERS + READERS];
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            SplittableRandom random = new SplittableRandom(42 + writer);
            long[] key = new long[3];
            long[] value = new long[3];
            threads[w] = new Thread(() -> runWorker(() -> writeOnce(writer, random, key, value)), "flow-writer-" + w);
        }
        for (int r = 0; r < READERS; r++) {
            int reader = r;
            SplittableRandom random = new SplittableRandom(4242 + reader);
            long[] key = new long[3];
            long[] value = new long[3];
            threads[WRITERS + r] = new Thread(() -> runWorker(() -> readOnce(reader, random, key, value)),
                "flow-reader-" + r);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        for (Thread thread : threads) {
            thread.start();
        }
        int phases = 0;
        try {
            do {
                Thread.sleep(PHASE_MS);
                pauseRequested = true;
                parked.await(30, TimeUnit.SECONDS);
                checkAtRest();
                phases++;
                pauseRequested = false;
                stopRequested = System.nanoTime() > deadline || errors.get() > 0;
                resumed.await(30, TimeUnit.SECONDS);
            } while (!stopRequested);
        } finally {
            stopRequested = true;
            pauseRequested = false;
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        long totalCreated = sum(created);
        String summary = "phases=" + phases + " created=" + totalCreated + " existing=" + sum(existing)
            + " full=" + sum(fullInserts) + " contended=" + sum(contendedInserts) + " removed=" + sum(removed) + " readerHits=" + sum(readerHits)
            + " size=" + table.size();
        System.out.println("FlowTableStressTest " + SECONDS + "s: " + summary);
        assertEquals(0, errors.get(), () -> "first error: " + firstError.get() + " (" + summary + ")");
        assertTrue(totalCreated > 0 && sum(existing) > 0 && sum(removed) > 0 && sum(readerHits) > 0, summary);
    }

    /** The per-thread loop: do work until a pause, park at rest, resume or stop. */
    private void runWorker(Runnable operation) {
        try {
            while (!stopRequested) {
                while (!pauseRequested) {
                    operation.run();
                }
                parked.await(30, TimeUnit.SECONDS);
                resumed.await(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            fail("worker " + Thread.currentThread().getName() + " failed: " + e);
        }
    }

    private void writeOnce(int writer, SplittableRandom random, long[] key, long[] value) {
        long nowNs = clock.incrementAndGet();
        if (random.nextBoolean()) {
            writeOwned(writer, random, key, value, nowNs);
        } else {
            writeContended(writer, random, key, value, nowNs);
        }
    }

    /** Keys only this writer inserts or removes: their presence is known exactly. */
    private void writeOwned(int writer, SplittableRandom random, long[] key, long[] value, long nowNs) {
        int index = random.nextInt(OWNED_PER_WRITER);
        long id = OWNED_BASE + (long) index * WRITERS + writer;
        fillKey(id, key);
        if (!ownedPresent[writer][index]) {
            fillValue(key, value);
            int result = table.insert(key, value, Long.MAX_VALUE, nowNs);
            if (FlowTable.isCreated(result)) {
                created[writer]++;
                ownedPresent[writer][index] = true;
                ownedEntry[writer][index] = FlowTable.entryIndex(result);
                if (table.lookup(key, nowNs) != FlowTable.entryIndex(result)) {
                    fail("lost: owned key " + id + " not found right after its insert");
                }
            } else if (result >= 0) {
                fail("phantom: owned key " + id + " reported existing while its owner had removed it");
            } else {
                countFailure(writer, result);
                if (table.lookup(key, nowNs) != FlowTable.MISSING) {
                    fail("failed insert of owned key " + id + " (" + result + ") left it visible");
                }
            }
            return;
        }
        int entry = ownedEntry[writer][index];
        int found = table.lookup(key, nowNs);
        if (found != entry) {
            fail("lost: owned key " + id + " expected at " + entry + " but lookup gave " + found);
            return;
        }
        if (random.nextBoolean()) {
            if (!table.remove(entry, key)) {
                fail("lost: remove of owned key " + id + " at " + entry + " failed");
            }
            removed[writer]++;
            ownedPresent[writer][index] = false;
            if (table.lookup(key, nowNs) != FlowTable.MISSING) {
                fail("owned key " + id + " still visible after its removal");
            }
        } else if (!table.refresh(entry, Long.MAX_VALUE)) {
            fail("lost: refresh of owned key " + id + " at " + entry + " found no live entry");
        }
    }

    /** Keys both writers insert and remove at once, mostly from a small hot set: races on one key. */
    private void writeContended(int writer, SplittableRandom random, long[] key, long[] value, long nowNs) {
        int index = random.nextInt(4) == 0 ? random.nextInt(CONTENDED_KEYS) : random.nextInt(HOT_KEYS);
        fillKey(CONTENDED_BASE + index, key);
        if (random.nextInt(3) == 0) {
            int entry = table.lookup(key, nowNs);
            if (entry >= 0 && table.remove(entry, key)) {
                removed[writer]++;
            }
            return;
        }
        fillValue(key, value);
        int result = table.insert(key, value, nowNs + 1 + random.nextInt(400), nowNs);
        if (FlowTable.isCreated(result)) {
            created[writer]++;
        } else if (result >= 0) {
            existing[writer]++;
        } else {
            countFailure(writer, result);
        }
    }

    private void countFailure(int writer, int result) {
        if (result == FlowTable.FULL) {
            fullInserts[writer]++;
        } else if (result == FlowTable.CONTENDED) {
            contendedInserts[writer]++;
        } else {
            fail("insert returned an undefined code " + result);
        }
    }

    private void readOnce(int reader, SplittableRandom random, long[] key, long[] valueOut) {
        long id = random.nextBoolean()
            ? OWNED_BASE + random.nextInt(OWNED_PER_WRITER * WRITERS)
            : CONTENDED_BASE + random.nextInt(HOT_KEYS);
        fillKey(id, key);
        int entry = table.lookupInto(key, clock.get(), valueOut);
        if (entry >= 0) {
            readerHits[reader]++;
            if (!valueMatchesKey(key, valueOut)) {
                fail("torn: value read for key " + id + " at " + entry + " is not its checksum");
            }
        }
    }

    /** All threads are parked: the table must be exactly what the writers acknowledged. */
    private void checkAtRest() {
        Map<Long, Integer> liveById = new HashMap<>();
        long[] visited = {0};
        table.forEach((entry, key, value, expiresAtNs) -> {
            visited[0]++;
            Integer previous = liveById.put(key[0], entry);
            if (previous != null) {
                fail("duplicate: key " + key[0] + " live at " + previous + " and " + entry);
            }
            if (!valueMatchesKey(key, value)) {
                fail("torn at rest: entry " + entry + " key " + key[0]);
            }
        });
        if (visited[0] != table.size()) {
            fail("size() " + table.size() + " differs from the " + visited[0] + " live entries at rest");
        }
        long nowNs = clock.get();
        long[] key = new long[3];
        for (int writer = 0; writer < WRITERS; writer++) {
            for (int index = 0; index < OWNED_PER_WRITER; index++) {
                long id = OWNED_BASE + (long) index * WRITERS + writer;
                fillKey(id, key);
                int found = table.lookup(key, nowNs);
                int expected = ownedPresent[writer][index] ? ownedEntry[writer][index] : FlowTable.MISSING;
                if (found != expected) {
                    fail("at rest: owned key " + id + " expected " + expected + " found " + found);
                }
            }
        }
    }

    private static void fillKey(long id, long[] key) {
        key[0] = id;
        key[1] = mix(id);
        key[2] = mix(id ^ 0x5DEECE66DL);
    }

    private static void fillValue(long[] key, long[] value) {
        value[0] = mix(key[0] + key[1]);
        value[1] = mix(key[2] * 31 + key[0]);
        value[2] = ~key[0];
    }

    private static boolean valueMatchesKey(long[] key, long[] value) {
        return value[0] == mix(key[0] + key[1]) && value[1] == mix(key[2] * 31 + key[0]) && value[2] == ~key[0]
            && key[1] == mix(key[0]) && key[2] == mix(key[0] ^ 0x5DEECE66DL);
    }

    private static long mix(long x) {
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    private void fail(String message) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, message);
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long value : values) {
            total += value;
        }
        return total;
    }
}
