package io.softgate.core.flow;

/**
 * Encoding of a flow-table slot's state word: {@code incarnation << 3 | tag}.
 *
 * <p>The incarnation grows by one each time an inserter claims the slot and never wraps in
 * practice (61 bits), so a state word value is never seen twice: comparing two reads of the
 * word tells a reader whether the slot changed in between (no ABA).
 *
 * <p>Threading: stateless static helpers, safe from any thread.
 */
final class SlotState {
    /** Never used since the table was made; a probe may stop here. */
    static final int EMPTY = 0;
    /** Owned by one inserter that is writing key, value and expiry; nobody else reads them. */
    static final int CLAIMED = 1;
    /** Key, value and expiry written; the inserter is checking the window for a duplicate. */
    static final int PENDING = 2;
    /** Visible to lookups (unless its expiry has passed). */
    static final int LIVE = 3;
    /** Removed, aborted or killed; reusable by an inserter, but not a probe stop. */
    static final int DELETED = 4;

    private static final long TAG_MASK = 7L;

    private SlotState() {
    }

    static int tag(long state) {
        return (int) (state & TAG_MASK);
    }

    static long withTag(long state, int tag) {
        return (state & ~TAG_MASK) | tag;
    }

    /** The state an inserter CASes in to own a free slot: next incarnation, {@link #CLAIMED}. */
    static long claimedAfter(long state) {
        return (((state >>> 3) + 1) << 3) | CLAIMED;
    }

    static long incarnation(long state) {
        return state >>> 3;
    }

    static String name(int tag) {
        switch (tag) {
            case EMPTY: return "EMPTY";
            case CLAIMED: return "CLAIMED";
            case PENDING: return "PENDING";
            case LIVE: return "LIVE";
            case DELETED: return "DELETED";
            default: return "UNKNOWN(" + tag + ")";
        }
    }
}
