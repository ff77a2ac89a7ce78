package io.softgate.nat.stage;

import java.util.Arrays;

/**
 * A fixed set of doubly linked lists over record indexes {@code 0 .. records - 1}, each record in
 * at most one list of the set at a time: appending and unlinking are O(1) and allocate nothing
 * ({@link HeldFragments} keeps its records in arrival order, in the order they were found, and by
 * key with three of these).
 *
 * <p>Threading: not thread-safe; owned by one worker's stage.
 */
final class RecordLists {
    private final int[] previous;
    private final int[] next;
    private final int[] head;
    private final int[] tail;

    RecordLists(int records, int lists) {
        this.previous = new int[records];
        this.next = new int[records];
        this.head = new int[lists];
        this.tail = new int[lists];
        Arrays.fill(head, -1);
        Arrays.fill(tail, -1);
    }

    /** Adds {@code record} (in no list of this set) at the end of {@code list}. */
    void append(int list, int record) {
        int last = tail[list];
        previous[record] = last;
        next[record] = -1;
        if (last >= 0) {
            next[last] = record;
        } else {
            head[list] = record;
        }
        tail[list] = record;
    }

    /** Takes {@code record} out of {@code list}, the list it is in. */
    void unlink(int list, int record) {
        int before = previous[record];
        int after = next[record];
        if (before >= 0) {
            next[before] = after;
        } else {
            head[list] = after;
        }
        if (after >= 0) {
            previous[after] = before;
        } else {
            tail[list] = before;
        }
    }

    /** The first record of {@code list}, or -1 when it is empty. */
    int head(int list) {
        return head[list];
    }

    /** The last record of {@code list}, or -1 when it is empty. */
    int tail(int list) {
        return tail[list];
    }

    /** The record after {@code record} in its list, or -1. */
    int next(int record) {
        return next[record];
    }

    /** The record before {@code record} in its list, or -1. */
    int previous(int record) {
        return previous[record];
    }
}
