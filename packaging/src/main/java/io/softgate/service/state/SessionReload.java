package io.softgate.service.state;

import io.softgate.nat.compile.NatTables;
import io.softgate.nat.session.NatSessionJournal;
import io.softgate.nat.session.SessionRestorer;
import java.util.ArrayList;
import java.util.List;

/**
 * Start-up reload (DESIGN §4): every session in the {@link SessionStore} whose wall-clock deadline
 * has not passed goes back into the NAT's flow tables through the {@link SessionRestorer}, with its
 * deadline moved onto this process's nanosecond clock (plus the journal's refresh granularity, so a
 * session is never expired early). Sessions that expired while the node was down, or that the
 * current configuration refuses, are removed from the store.
 *
 * <p>Threading: the control thread, before the workers run.
 */
public final class SessionReload {
    private SessionReload() {
    }

    /** What a reload did. */
    public record Result(int stored, int restored, int expired, int[] byResult, long durationNs) {
        /** One line for the log. */
        public String summary() {
            StringBuilder line = new StringBuilder();
            line.append(restored).append(" of ").append(stored).append(" persisted NAT session(s) restored in ")
                .append(String.format("%.1f ms", durationNs / 1e6)).append(", ").append(expired)
                .append(" expired while down");
            for (int code = 0; code < byResult.length; code++) {
                if (code != SessionRestorer.RESTORED && byResult[code] > 0) {
                    line.append(", ").append(byResult[code]).append(' ').append(SessionRestorer.resultName(code));
                }
            }
            return line.toString();
        }
    }

    public static Result reload(SessionStore store, SessionRestorer restorer, NatTables tables, WallClock clock) {
        long startNs = clock.nanoNow();
        long nowNs = clock.nanoNow();
        long epochNow = clock.epochNow();
        long offsetNs = epochNow - nowNs;
        int[] byResult = new int[SessionRestorer.RESULTS];
        int[] counts = new int[2]; // stored, expired
        List<byte[]> toRemove = new ArrayList<>();
        store.forEach((key, value) -> {
            counts[0]++;
            if (key.length != SessionRecord.KEY_BYTES || value.length != SessionRecord.VALUE_BYTES
                || SessionRecord.getLong(value, 0) != SessionRecord.VERSION) {
                byResult[SessionRestorer.MALFORMED]++;
                toRemove.add(key);
                return;
            }
            long deadlineEpochNs = SessionRecord.getLong(value, SessionRecord.DEADLINE_EPOCH_NS)
                + NatSessionJournal.REFRESH_GRANULARITY_NS;
            if (deadlineEpochNs < epochNow) {
                counts[1]++;
                toRemove.add(key);
                return;
            }
            int result = restorer.restore(tables, SessionRecord.getLong(key, 0), SessionRecord.getLong(key, 1),
                SessionRecord.getLong(value, SessionRecord.OUTSIDE0), SessionRecord.getLong(value, SessionRecord.OUTSIDE1),
                SessionRecord.getLong(value, SessionRecord.INSIDE_REWRITE0),
                SessionRecord.getLong(value, SessionRecord.INSIDE_REWRITE1),
                SessionRecord.getLong(value, SessionRecord.OUTSIDE_REWRITE0),
                SessionRecord.getLong(value, SessionRecord.OUTSIDE_REWRITE1), deadlineEpochNs - offsetNs, nowNs);
            byResult[result]++;
            if (result != SessionRestorer.RESTORED && result != SessionRestorer.ALREADY_PRESENT) {
                toRemove.add(key);
            }
        });
        for (byte[] key : toRemove) {
            store.remove(key);
        }
        return new Result(counts[0], byResult[SessionRestorer.RESTORED], counts[1], byResult,
            clock.nanoNow() - startNs);
    }
}
