package io.softgate.service.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.nat.session.SessionKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Chronicle Map session store: written through the journal ring, reopened, recovered, replaced when unreadable. */
class SessionStoreTest {
    /** Fixed clocks: nano 1,000 s, epoch 2,000,000 s; offset 1,999,000 s. */
    static final WallClock CLOCK = new WallClock(() -> 1_000_000_000_000L, () -> 2_000_000_000_000_000L);

    @TempDir
    Path directory;

    static void journalSessions(SessionJournalRing ring, int count) {
        for (int i = 0; i < count; i++) {
            ring.sessionCreated(SessionKeys.word0(SessionKeys.TAG_INSIDE, 17, 1, 1000 + (i & 0x7FFF), 53), i,
                SessionKeys.word0(SessionKeys.TAG_OUTSIDE, 17, 0, 53, 2000), i * 7L, 11, 12, 13, 14,
                1_000_000_000_000L + i);
        }
    }

    static byte[] key(int i) {
        byte[] key = new byte[SessionRecord.KEY_BYTES];
        SessionRecord.key(key, SessionKeys.word0(SessionKeys.TAG_INSIDE, 17, 1, 1000 + (i & 0x7FFF), 53), i);
        return key;
    }

    private static void drainAll(SessionStoreWriter writer) {
        while (writer.drain(100_000) > 0) {
            // until empty
        }
    }

    @Test
    void shouldKeepWrittenSessionsWhenReopenedInTheSameJvm() throws IOException {
        Path file = directory.resolve("sessions.cmap");
        SessionJournalRing ring = new SessionJournalRing(1 << 20);
        try (SessionStore store = SessionStore.open(file, 10_000)) {
            assertEquals("created", store.openedHow());
            journalSessions(ring, 1000);
            drainAll(new SessionStoreWriter(ring, store, CLOCK));
        }
        try (SessionStore store = SessionStore.open(file, 10_000)) {
            assertTrue(store.openedHow().startsWith("reopened"), store.openedHow());
            assertEquals(1000, store.size());
            byte[] value = new byte[SessionRecord.VALUE_BYTES];
            assertTrue(store.get(key(42), value));
            assertEquals(42 * 7L, SessionRecord.getLong(value, SessionRecord.OUTSIDE1));
            assertEquals(14, SessionRecord.getLong(value, SessionRecord.OUTSIDE_REWRITE1));
            // Deadline in wall-clock time: nano deadline + (epoch - nano).
            assertEquals(1_000_000_000_000L + 42 + 1_999_000_000_000_000L,
                SessionRecord.getLong(value, SessionRecord.DEADLINE_EPOCH_NS));
        }
    }

    @Test
    void shouldUpdateDeadlineAndTcpStateOnRefreshAndForgetDeletedSessions() throws IOException {
        SessionJournalRing ring = new SessionJournalRing(1 << 16);
        try (SessionStore store = SessionStore.open(directory.resolve("s.cmap"), 1024)) {
            SessionStoreWriter writer = new SessionStoreWriter(ring, store, CLOCK);
            journalSessions(ring, 2);
            long inside0 = SessionKeys.word0(SessionKeys.TAG_INSIDE, 17, 1, 1000, 53);
            ring.sessionRefreshed(inside0, 0, 3, 5_000_000_000_000L);
            ring.sessionDeleted(SessionKeys.word0(SessionKeys.TAG_INSIDE, 17, 1, 1001, 53), 1);
            ring.sessionRefreshed(inside0, 99, 3, 5_000_000_000_000L); // not stored: ignored
            drainAll(writer);
            assertEquals(1, store.size());
            byte[] value = new byte[SessionRecord.VALUE_BYTES];
            assertTrue(store.get(key(0), value));
            assertEquals(3, SessionKeys.tcpState(SessionRecord.getLong(value, SessionRecord.INSIDE_REWRITE1)));
            assertEquals(3, SessionKeys.tcpState(SessionRecord.getLong(value, SessionRecord.OUTSIDE_REWRITE1)));
            assertEquals(5_000_000_000_000L + 1_999_000_000_000_000L,
                SessionRecord.getLong(value, SessionRecord.DEADLINE_EPOCH_NS));
            assertEquals(1, writer.refreshed);
            assertFalse(store.get(key(1), value));
        }
    }

    @Test
    void shouldCountRecordsThatFindTheRingFullInsteadOfBlocking() {
        SessionJournalRing ring = new SessionJournalRing(4096);
        journalSessions(ring, 1000);
        assertTrue(ring.droppedRecords() > 900, "dropped " + ring.droppedRecords());
    }

    @Test
    void shouldReadSessionsWrittenByAnotherJvmThatWasKilledWithoutClosing() throws Exception {
        Path file = directory.resolve("crashed.cmap");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(argument -> argument.startsWith("--add-") || argument.startsWith("-Dchronicle")).toList());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SessionStoreChildProcess.class.getName(),
            file.toString(), "5000"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child process did not finish");
        String output = new String(child.getInputStream().readAllBytes());
        assertEquals(SessionStoreChildProcess.HALT_STATUS, child.exitValue(), output);
        try (SessionStore store = SessionStore.open(file, 10_000)) {
            assertTrue(store.openedHow().startsWith("recovered"), store.openedHow());
            assertEquals(5000, store.size(), store.openedHow());
            assertTrue(store.get(key(4999), new byte[SessionRecord.VALUE_BYTES]));
        }
    }

    @Test
    void shouldMoveAnUnreadableFileAsideAndStartEmpty() throws IOException {
        Path file = directory.resolve("garbage.cmap");
        byte[] garbage = new byte[1 << 16];
        new Random(7).nextBytes(garbage);
        Files.write(file, garbage);
        try (SessionStore store = SessionStore.open(file, 1024)) {
            assertEquals("created", store.openedHow());
            assertEquals(0, store.size());
        }
        assertEquals(1, asideCopies());
    }

    @Test
    void shouldMoveATruncatedFileAsideAndStartEmpty() throws IOException {
        Path file = directory.resolve("short.cmap");
        Files.write(file, new byte[100]);
        try (SessionStore store = SessionStore.open(file, 1024)) {
            assertEquals(0, store.size());
            store.put(key(1), new byte[SessionRecord.VALUE_BYTES]);
        }
        assertEquals(1, asideCopies());
        try (SessionStore store = SessionStore.open(file, 1024)) {
            assertEquals(1, store.size(), "the fresh store works and persists");
        }
    }

    @Test
    void shouldStartEmptyWhenThereIsNoFile() throws IOException {
        try (SessionStore store = SessionStore.open(directory.resolve("new/dir/sessions.cmap"), 1024)) {
            assertEquals("created", store.openedHow());
            assertEquals(0, store.size());
        }
        assertEquals(0, asideCopies());
    }

    private long asideCopies() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(path -> path.getFileName().toString().contains(".unreadable-")).count();
        }
    }
}
