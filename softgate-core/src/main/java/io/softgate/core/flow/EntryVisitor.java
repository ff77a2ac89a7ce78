package io.softgate.core.flow;

/**
 * Receives a consistent copy of each live flow-table entry during {@link FlowTable#forEach}.
 *
 * <p>Threading: called on the thread that runs {@code forEach}; the {@code key} and
 * {@code value} arrays are reused for the next entry, so copy them to keep them.
 */
@FunctionalInterface
public interface EntryVisitor {
    /**
     * @param entry       the entry index (valid for {@link FlowTable#value(int, int)} and friends
     *                    while the entry is not removed)
     * @param key         the entry's key words (scratch, reused)
     * @param value       the entry's value words as read in the same consistent snapshot (scratch, reused)
     * @param expiresAtNs the entry's expiry; it may already be in the past (lazy expiry)
     */
    void visit(int entry, long[] key, long[] value, long expiresAtNs);
}
