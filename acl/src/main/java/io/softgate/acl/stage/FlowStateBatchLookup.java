package io.softgate.acl.stage;

import io.softgate.core.flow.FlowTable;

/**
 * The flow-table lookups of a whole batch done at once: for every packet the ACL stage may answer
 * from flow state, its own tuple's key (is it return traffic?) and its reversed tuple's key (is it
 * a flow already permitted?) go into one {@link FlowTable#lookupIntoBatch}, so the cache and TLB
 * misses of a table far larger than the caches overlap instead of being paid two per packet, one
 * after another. The stage's main pass then takes each answer from here ({@link #lookupInto}).
 *
 * <p>An answer, found or missing, is one a single lookup could have given during the batch
 * lookup; it stays good only while this stage has not changed the table since (an earlier packet
 * of the batch may insert, claim, rewrite or remove the very entry a later one needs), so after
 * {@link #tableChanged} every lookup goes to the table again.
 *
 * <p>Threading: one instance per stage instance (per worker); allocation-free after the first
 * batch of the largest size.
 */
final class FlowStateBatchLookup {
    private static final int KEY_WORDS = AclRuntime.KEY_WORDS;
    private static final int VALUE_WORDS = AclRuntime.VALUE_WORDS;

    private final FlowTable table;
    private long[] keys = new long[0];
    private long[] values = new long[0];
    private int[] entries = new int[0];
    /** Index of the slot's first key (its own tuple; the reversed one follows), or -1. */
    private int[] keyOfSlot = new int[0];
    private int count;
    private boolean tableChanged;

    FlowStateBatchLookup(FlowTable table) {
        this.table = table;
    }

    /** Starts a batch of {@code slotCapacity} slots: no keys yet, the table unchanged. */
    void begin(int slotCapacity) {
        if (keyOfSlot.length < slotCapacity) {
            // Once, on the first batch (or a larger one).
            keys = new long[2 * slotCapacity * KEY_WORDS];
            values = new long[2 * slotCapacity * VALUE_WORDS];
            entries = new int[2 * slotCapacity];
            keyOfSlot = new int[slotCapacity];
        }
        count = 0;
        tableChanged = false;
    }

    /** Marks {@code slot} as having no keys in this batch (it will look up directly if it must). */
    void skip(int slot) {
        keyOfSlot[slot] = -1;
    }

    /** Queues {@code slot}'s own key and then its reversed key (each {@code KEY_WORDS} long). */
    void add(int slot, long[] ownKey, long[] reversedKey) {
        keyOfSlot[slot] = count;
        System.arraycopy(ownKey, 0, keys, count * KEY_WORDS, KEY_WORDS);
        System.arraycopy(reversedKey, 0, keys, (count + 1) * KEY_WORDS, KEY_WORDS);
        count += 2;
    }

    /** Looks every queued key up at once. */
    void lookUp(long nowNs) {
        table.lookupIntoBatch(keys, count, nowNs, values, entries);
    }

    /**
     * Touches the rule counter of every entry found, so the counting of a batch spread over
     * many VPCs' rules pays its counter cache misses together rather than one per packet.
     *
     * @return a sum of the words read (only so the reads cannot be optimised away)
     */
    long touchCounters(AclRuleCounters.WorkerArray counters) {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            if (entries[i] >= 0) {
                sum += counters.touch((int) (values[i * VALUE_WORDS + 1] >>> 32));
            }
        }
        return sum;
    }

    /** The stage inserted, claimed, rewrote or removed an entry: later lookups go to the table. */
    void tableChanged() {
        tableChanged = true;
    }

    /**
     * {@link FlowTable#lookupInto} of {@code key} for the packet in {@code slot}: the batch's
     * answer (found or missing) when it looked up this very key and the stage has not changed
     * the table since; otherwise a lookup now.
     */
    int lookupInto(int slot, long[] key, long nowNs, long[] valueOut) {
        int first = keyOfSlot[slot];
        if (first >= 0 && !tableChanged) {
            int index = sameKey(first, key) ? first : sameKey(first + 1, key) ? first + 1 : -1;
            if (index >= 0) {
                int entry = entries[index];
                if (entry >= 0) {
                    System.arraycopy(values, index * VALUE_WORDS, valueOut, 0, VALUE_WORDS);
                }
                return entry;
            }
        }
        return table.lookupInto(key, nowNs, valueOut);
    }

    private boolean sameKey(int index, long[] key) {
        int at = index * KEY_WORDS;
        for (int w = 0; w < KEY_WORDS; w++) {
            if (keys[at + w] != key[w]) {
                return false;
            }
        }
        return true;
    }
}
