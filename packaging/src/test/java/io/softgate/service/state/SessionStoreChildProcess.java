package io.softgate.service.state;

import java.nio.file.Path;

/**
 * The second JVM of {@link SessionStoreTest}: writes {@code count} sessions into the store at
 * {@code file} through the journal ring, then halts without closing anything (as after kill -9).
 *
 * <p>Threading: main thread only.
 */
public final class SessionStoreChildProcess {
    static final int HALT_STATUS = 42;

    private SessionStoreChildProcess() {
    }

    public static void main(String[] args) throws Exception {
        SessionStore store = SessionStore.open(Path.of(args[0]), 10_000);
        SessionJournalRing ring = new SessionJournalRing(1 << 20);
        SessionStoreTest.journalSessions(ring, Integer.parseInt(args[1]));
        SessionStoreWriter writer = new SessionStoreWriter(ring, store, SessionStoreTest.CLOCK);
        while (writer.drain(100_000) > 0) {
            // until empty
        }
        Runtime.getRuntime().halt(HALT_STATUS);
    }
}
