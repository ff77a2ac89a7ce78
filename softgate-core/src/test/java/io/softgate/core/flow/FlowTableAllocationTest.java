package io.softgate.core.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class FlowTableAllocationTest {
    private static final int KEYS = 4096;
    private static final long TIMEOUT_NS = 1_000_000_000L;

    @Test
    void shouldAllocateNothingInSteadyStateLookupInsertRefreshRemove() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        try (FlowTable table = new FlowTable(2 * KEYS, 3, 2)) {
            long[][] keys = new long[KEYS][];
            for (int i = 0; i < KEYS; i++) {
                keys[i] = new long[] {i, i * 0x9E3779B97F4A7C15L, ~i};
            }
            long[] value = new long[2];
            long[] valueOut = new long[2];
            long[] checksum = new long[1];
            for (int round = 0; round < 200; round++) { // warm-up: let the JIT compile the loop
                churn(table, keys, value, valueOut, checksum, round);
            }
            long before = threads.getThreadAllocatedBytes(thread);
            for (int round = 200; round < 400; round++) {
                churn(table, keys, value, valueOut, checksum, round);
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertTrue(checksum[0] != 0); // keep the work observable
            assertEquals(0, allocated, "bytes allocated in steady state");
        }
    }

    @Test
    void shouldAllocateNothingInSteadyStateBatchLookups() {
        assertNoAllocationInBatchLookups(false, false);
    }

    @Test
    void shouldAllocateNothingInSteadyStateBatchLookupsReadingHomeSlotsFirst() {
        assertNoAllocationInBatchLookups(true, false);
    }

    @Test
    void shouldAllocateNothingInSteadyStateBatchLookupsFollowingHomeHints() {
        assertNoAllocationInBatchLookups(true, true);
    }

    private static void assertNoAllocationInBatchLookups(boolean homeFirst, boolean homeHints) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        try (FlowTable table = new FlowTable(2 * KEYS, 3, 2, FlowTable.DEFAULT_PROBE_WINDOW, 1,
                homeFirst ? 0 : Integer.MAX_VALUE, homeHints)) {
            assertEquals(homeFirst, table.readsHomeFirst());
            assertEquals(homeHints, table.keepsHomeHints());
            long[] keys = new long[KEYS * 3];
            for (int i = 0; i < KEYS; i++) {
                keys[i * 3] = i;
                keys[i * 3 + 1] = i * 0x9E3779B97F4A7C15L;
                keys[i * 3 + 2] = ~i;
                if ((i & 3) != 0) {
                    table.insert(new long[] {keys[i * 3], keys[i * 3 + 1], keys[i * 3 + 2]}, new long[] {i, i},
                        Long.MAX_VALUE, 0);
                }
            }
            int[] entries = new int[KEYS];
            long[] values = new long[KEYS * 2];
            long hits = 0;
            for (int round = 0; round < 300; round++) { // warm-up
                hits += table.lookupBatch(keys, KEYS, 0, entries) + table.lookupIntoBatch(keys, KEYS, 0, values, entries);
            }
            long before = threads.getThreadAllocatedBytes(thread);
            for (int round = 0; round < 300; round++) {
                hits += table.lookupBatch(keys, KEYS, 0, entries) + table.lookupIntoBatch(keys, KEYS, 0, values, entries);
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertEquals(600L * 2 * (KEYS - KEYS / 4), hits);
            assertEquals(0, allocated, "bytes allocated in steady state");
        }
    }

    private static void churn(FlowTable table, long[][] keys, long[] value, long[] valueOut, long[] checksum, int round) {
        long nowNs = round * 1_000L;
        for (int i = 0; i < keys.length; i++) {
            long[] key = keys[i];
            value[0] = i;
            value[1] = round;
            checksum[0] += table.prefetch(key);
            int result = table.insert(key, value, nowNs + TIMEOUT_NS, nowNs);
            int entry = FlowTable.entryIndex(result);
            checksum[0] += table.lookup(key, nowNs);
            checksum[0] += table.lookupInto(key, nowNs, valueOut);
            table.refresh(entry, nowNs + 2 * TIMEOUT_NS);
            table.addToValue(entry, 1, 1);
            if ((i & 1) == 0) {
                table.remove(entry, key);
            }
        }
        checksum[0] += table.size();
    }
}
