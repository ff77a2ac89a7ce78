package io.softgate.service.state;

import io.softgate.nat.NatModule;
import io.softgate.nat.compile.NatTables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hitless restart of NAT sessions (DESIGN §4, issue 9), as the service runs it: at start, open
 * the session store in the state directory, reload every live persisted session into the NAT's
 * tables, then install the journal and start the control thread that drains it into the store
 * (every {@value #DRAIN_PERIOD_MS} ms, so the store lags the tables by about that much). Call
 * {@link #start} after the first snapshot is published and before the workers run; {@link #close}
 * after they stopped (it drains what is left, then closes the file).
 *
 * <p>Threading: {@link #start} and {@link #close} on the control thread; the drain runs on its own
 * thread {@code softgate-session-store}; the statistics may be read from any thread.
 */
public final class SessionPersistence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionPersistence.class);
    /** The store's file name in the state directory. */
    public static final String FILE_NAME = "nat-sessions.cmap";
    static final long DRAIN_PERIOD_MS = 5;
    private static final int DRAIN_LIMIT = 65_536;
    /** 8 MiB: about 95,000 create records of slack between two drains. */
    private static final int RING_BYTES = 8 << 20;

    private final NatModule nat;
    private final SessionStore store;
    private final SessionJournalRing journal;
    private final SessionStoreWriter writer;
    private final SessionReload.Result reload;
    private final Thread thread;
    private volatile boolean running = true;
    /** CPU time the drain thread spent draining (for the write-rate figure). */
    private volatile long drainCpuNs;

    private SessionPersistence(NatModule nat, SessionStore store, SessionReload.Result reload, WallClock clock) {
        this.nat = nat;
        this.store = store;
        this.reload = reload;
        this.journal = new SessionJournalRing(RING_BYTES);
        this.writer = new SessionStoreWriter(journal, store, clock);
        this.thread = new Thread(this::run, "softgate-session-store");
        this.thread.setDaemon(true);
    }

    /**
     * Starts opening the store {@code stateDir/nat-sessions.cmap} (sized for {@code maxSessions}) on
     * a thread of its own: the first Chronicle Map of a JVM takes seconds to initialise, so the
     * service overlaps it with the rest of its start-up and joins it in {@link Opening#start}.
     */
    public static Opening opening(Path stateDir, int maxSessions) {
        return new Opening(stateDir.resolve(FILE_NAME), maxSessions, WallClock.system());
    }

    /**
     * Opens the store now, reloads it into {@code nat} against the published {@code tables},
     * installs the journal and starts draining. Logs how many sessions came back and how long it took.
     */
    public static SessionPersistence start(Path stateDir, NatModule nat, NatTables tables, int maxSessions)
        throws IOException {
        return start(stateDir.resolve(FILE_NAME), nat, tables, maxSessions, WallClock.system());
    }

    static SessionPersistence start(Path file, NatModule nat, NatTables tables, int maxSessions, WallClock clock)
        throws IOException {
        Opening opening = new Opening(file, maxSessions, clock);
        return opening.start(nat, tables);
    }

    private static SessionPersistence reloadAndRun(SessionStore store, long openNs, NatModule nat, NatTables tables,
                                                   WallClock clock) {
        try {
            SessionReload.Result result = tables == null
                ? new SessionReload.Result(store.size(), 0, 0, new int[0], 0)
                : SessionReload.reload(store, nat.sessions().restorer(), tables, clock);
            LOG.info("session store {} {} in {} ms; {}", store.file(), store.openedHow(), openNs / 1_000_000,
                result.summary());
            SessionPersistence persistence = new SessionPersistence(nat, store, result, clock);
            nat.journal(persistence.journal);
            persistence.thread.start();
            return persistence;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * A store being opened in the background ({@link #opening}); {@link #start} waits for it and
     * then reloads. {@link #close} releases a store that was never started (start-up failed).
     *
     * <p>Threading: created, started and closed by the control thread.
     */
    public static final class Opening implements AutoCloseable {
        private final WallClock clock;
        private final BackgroundStoreOpen open;

        private Opening(Path file, int maxSessions, WallClock clock) {
            this.clock = clock;
            this.open = new BackgroundStoreOpen(file, "session store", "softgate-session-store-open",
                () -> SessionStore.open(file, maxSessions));
        }

        /** Waits for the store, reloads its sessions into {@code nat}, then journals and drains. */
        public SessionPersistence start(NatModule nat, NatTables tables) throws IOException {
            SessionStore opened = open.take();
            return reloadAndRun(opened, open.openNs(), nat, tables, clock);
        }

        /** Closes the store if it was never started. */
        @Override
        public void close() {
            open.closeIfNotTaken();
        }
    }

    private void run() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        while (running) {
            try {
                long cpuBeforeNs = threads.getCurrentThreadCpuTime();
                int drained = writer.drain(DRAIN_LIMIT);
                if (drained > 0) {
                    drainCpuNs += threads.getCurrentThreadCpuTime() - cpuBeforeNs;
                } else {
                    LockSupport.parkNanos(DRAIN_PERIOD_MS * 1_000_000L);
                }
            } catch (RuntimeException e) {
                LOG.warn("session store drain failed: {}", e.toString());
                LockSupport.parkNanos(DRAIN_PERIOD_MS * 1_000_000L);
            }
        }
    }

    public SessionReload.Result reloadResult() {
        return reload;
    }

    public SessionJournalRing journal() {
        return journal;
    }

    /** CPU nanoseconds the drain thread spent writing into the store. */
    public long drainCpuNs() {
        return drainCpuNs;
    }

    /** Records written, per kind, and records lost (full ring) or failed (store write); approximate while running. */
    public String statistics() {
        return "created " + writer.created + ", refreshed " + writer.refreshed + ", deleted " + writer.deleted
            + ", dropped (ring full) " + journal.droppedRecords() + ", failed writes " + writer.failedWrites
            + ", stored " + store.size() + ", drain CPU " + drainCpuNs / 1_000_000 + " ms";
    }

    /** Stops the drain thread, drains what the workers left, closes the file. Call after the workers stopped. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        nat.journal(null);
        while (writer.drain(DRAIN_LIMIT) > 0) {
            // drain everything left
        }
        LOG.info("session store closed: {}", statistics());
        store.close();
    }
}
