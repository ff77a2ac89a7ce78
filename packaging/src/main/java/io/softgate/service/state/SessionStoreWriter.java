package io.softgate.service.state;

import io.softgate.nat.session.SessionKeys;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

/**
 * Drains the journal ring into the {@link SessionStore}: a create stores the session's record, a
 * refresh updates its TCP state and deadline (only if the store holds the session), a delete
 * removes it. Deadlines are converted from the workers' clock to wall-clock time at drain. A
 * store write that fails (e.g. the file is full) is counted, never thrown at the caller.
 *
 * <p>Threading: the store's control thread only (it owns its scratch arrays).
 */
final class SessionStoreWriter implements MessageHandler {
    private final SessionJournalRing journal;
    private final SessionStore store;
    private final WallClock clock;
    private final byte[] key = new byte[SessionRecord.KEY_BYTES];
    private final byte[] value = new byte[SessionRecord.VALUE_BYTES];
    private long offsetNs;
    long created;
    long refreshed;
    long deleted;
    long failedWrites;

    SessionStoreWriter(SessionJournalRing journal, SessionStore store, WallClock clock) {
        this.journal = journal;
        this.store = store;
        this.clock = clock;
    }

    /** Drains at most {@code limit} records; returns how many. */
    int drain(int limit) {
        offsetNs = clock.offsetNs();
        return journal.ring().read(this, limit);
    }

    @Override
    public void onMessage(int type, MutableDirectBuffer buffer, int index, int length) {
        onRecord(type, buffer, index);
    }

    private void onRecord(int type, DirectBuffer buffer, int index) {
        try {
            SessionRecord.key(key, buffer.getLong(index), buffer.getLong(index + 8));
            switch (type) {
                case SessionJournalRing.CREATED:
                    SessionRecord.putLong(value, 0, SessionRecord.VERSION);
                    for (int word = 0; word < 6; word++) {
                        SessionRecord.putLong(value, SessionRecord.OUTSIDE0 + word, buffer.getLong(index + 16 + 8 * word));
                    }
                    SessionRecord.putLong(value, SessionRecord.DEADLINE_EPOCH_NS, buffer.getLong(index + 64) + offsetNs);
                    store.put(key, value);
                    created++;
                    break;
                case SessionJournalRing.REFRESHED:
                    if (store.get(key, value)) {
                        int tcpState = (int) buffer.getLong(index + 24);
                        SessionRecord.putLong(value, SessionRecord.INSIDE_REWRITE1, SessionKeys.withTcpState(
                            SessionRecord.getLong(value, SessionRecord.INSIDE_REWRITE1), tcpState));
                        SessionRecord.putLong(value, SessionRecord.OUTSIDE_REWRITE1, SessionKeys.withTcpState(
                            SessionRecord.getLong(value, SessionRecord.OUTSIDE_REWRITE1), tcpState));
                        SessionRecord.putLong(value, SessionRecord.DEADLINE_EPOCH_NS,
                            buffer.getLong(index + 16) + offsetNs);
                        store.put(key, value);
                        refreshed++;
                    }
                    break;
                case SessionJournalRing.DELETED:
                    store.remove(key);
                    deleted++;
                    break;
                default:
                    break;
            }
        } catch (RuntimeException e) {
            failedWrites++;
        }
    }
}
