package io.softgate.service.state;

import io.softgate.core.flow.FlowTable;
import io.softgate.lb.compile.BackendState;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.stage.ConnectionLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hitless restart of load-balanced connections (issue 9): the LB connection table (both entries
 * of every connection: client -> VIP and backend -> client) is copied into a Chronicle Map file,
 * {@code <stateDir>/lb-connections.cmap}, and put back into the table at start before the workers
 * run, so a restarted node keeps each connection on the backend it had even when the Maglev table
 * now picks another (a backend added or removed meanwhile).
 *
 * <p>Write path, off the packet path and without touching the LB stages: the thread
 * {@code softgate-lb-store} scans the table in slices ({@value #SCAN_SLOTS} slots every
 * {@value #SCAN_PERIOD_MS} ms, so a new connection is persisted within one pass) and writes an
 * entry when it is new, its rewrite changed, or its idle deadline moved by more than
 * {@link #DEADLINE_SLACK_NS}; every {@value #CLEANUP_EVERY_PASSES} passes it removes stored entries
 * whose deadline has passed. Record: key = the table key (2 longs); value = version, the three
 * value words, the deadline in wall-clock ns (little-endian longs).
 *
 * <p>At reload an entry is put back only if its deadline (plus the slack) has not passed and its
 * backend id still names the same backend (address, port, VRF) in a state that keeps connections;
 * otherwise it is dropped and the connection picks a backend again, as without persistence.
 *
 * <p>Threading: {@link #start} and {@link #close} on the control thread; the scan runs on its own
 * thread; the table is lock-free and shared with the workers.
 */
public final class LoadBalancerPersistence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadBalancerPersistence.class);
    public static final String FILE_NAME = "lb-connections.cmap";
    static final int KEY_BYTES = 16;
    static final int VALUE_BYTES = 40;
    static final long VERSION = 1;
    private static final int VALUE_WORD0 = 1;
    private static final int DEADLINE = 4;
    static final long SCAN_PERIOD_MS = 50;
    static final int SCAN_SLOTS = 65_536;
    static final int CLEANUP_EVERY_PASSES = 20;
    /** A deadline that moved less than this is not rewritten; reload grants the same slack. */
    static final long DEADLINE_SLACK_NS = 10_000_000_000L;

    private final SessionStore store;
    private final FlowTable table;
    private final WallClock clock;
    private final Thread thread;
    private final long[] key = new long[ConnectionLayout.KEY_WORDS];
    private final long[] value = new long[ConnectionLayout.VALUE_WORDS];
    private final long[] expiresAtNs = new long[1];
    private final byte[] keyBytes = new byte[KEY_BYTES];
    private final byte[] valueBytes = new byte[VALUE_BYTES];
    private final byte[] storedBytes = new byte[VALUE_BYTES];
    private volatile boolean running = true;
    private volatile long written;
    private volatile long removed;
    private int nextSlot;
    private int passes;

    /** Not started: {@link #reload} and {@link #scanSlice} only (tests); {@link #start} starts the scan. */
    LoadBalancerPersistence(SessionStore store, FlowTable table, WallClock clock) {
        this.store = store;
        this.table = table;
        this.clock = clock;
        this.thread = new Thread(this::run, "softgate-lb-store");
        this.thread.setDaemon(true);
    }

    /** Starts opening {@code stateDir/lb-connections.cmap} in the background (see {@link Opening}). */
    public static Opening opening(Path stateDir, int maxConnections) {
        return new Opening(stateDir.resolve(FILE_NAME), maxConnections);
    }

    /**
     * Reloads the stored connections into {@code table} against {@code tables} (the published LB
     * tables), then starts the scan. Call before the workers run.
     */
    static LoadBalancerPersistence start(SessionStore store, long openNs, FlowTable table, LoadBalancerTables tables,
                                         WallClock clock) {
        LoadBalancerPersistence persistence = new LoadBalancerPersistence(store, table, clock);
        try {
            long startNs = clock.nanoNow();
            int[] counts = persistence.reload(tables);
            LOG.info("LB connection store {} {} in {} ms; {} of {} stored LB connection entries restored in {} ms, "
                    + "{} expired while down, {} whose backend changed", store.file(), store.openedHow(),
                openNs / 1_000_000, counts[1], counts[0], (clock.nanoNow() - startNs) / 1_000_000, counts[2], counts[3]);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        persistence.thread.start();
        return persistence;
    }

    /** Returns {stored, restored, expired, backend changed or table full}. */
    int[] reload(LoadBalancerTables tables) {
        long nowNs = clock.nanoNow();
        long epochNow = clock.epochNow();
        int[] counts = new int[4];
        List<byte[]> toRemove = new ArrayList<>();
        long[] restoredKey = new long[ConnectionLayout.KEY_WORDS];
        long[] restoredValue = new long[ConnectionLayout.VALUE_WORDS];
        store.forEach((storedKey, stored) -> {
            counts[0]++;
            if (storedKey.length != KEY_BYTES || stored.length != VALUE_BYTES
                || SessionRecord.getLong(stored, 0) != VERSION) {
                counts[3]++;
                toRemove.add(storedKey);
                return;
            }
            long deadlineEpochNs = SessionRecord.getLong(stored, DEADLINE) + DEADLINE_SLACK_NS;
            if (deadlineEpochNs < epochNow) {
                counts[2]++;
                toRemove.add(storedKey);
                return;
            }
            for (int word = 0; word < ConnectionLayout.KEY_WORDS; word++) {
                restoredKey[word] = SessionRecord.getLong(storedKey, word);
            }
            for (int word = 0; word < ConnectionLayout.VALUE_WORDS; word++) {
                restoredValue[word] = SessionRecord.getLong(stored, VALUE_WORD0 + word);
            }
            if (tables == null || !sameBackend(tables, restoredKey, restoredValue)
                || table.insert(restoredKey, restoredValue, nowNs + (deadlineEpochNs - epochNow), nowNs) < 0) {
                counts[3]++;
                toRemove.add(storedKey);
                return;
            }
            counts[1]++;
        });
        for (byte[] stale : toRemove) {
            store.remove(stale);
        }
        return counts;
    }

    /**
     * True when the entry's backend id still names the backend the entry translates to or from:
     * for the forward entry (keyed client -> VIP in the public VRF) the rewritten destination and
     * the target VRF; for the reverse entry (keyed backend -> client in the backend's VRF) the key's
     * source and VRF; and the key's protocol is the backend's service's. And that backend keeps its
     * connections.
     */
    static boolean sameBackend(LoadBalancerTables tables, long[] entryKey, long[] entryValue) {
        int backend = ConnectionLayout.backendId(entryValue[ConnectionLayout.TARGET]);
        if (!BackendState.keepsConnections(tables.backendState(backend))) {
            return false;
        }
        int keyVrf = (int) (entryKey[1] & 0xFF_FFFFL);
        int keyDestination = (int) entryKey[0];
        boolean forward = keyVrf == tables.publicVrf() && tables.isVipAddress(keyDestination);
        int address;
        int port;
        int vrf;
        if (forward) {
            address = ConnectionLayout.address(entryValue[ConnectionLayout.NEW_DESTINATION]);
            port = ConnectionLayout.port(entryValue[ConnectionLayout.NEW_DESTINATION]);
            vrf = ConnectionLayout.vrf(entryValue[ConnectionLayout.TARGET]);
        } else {
            address = (int) (entryKey[0] >>> 32);
            port = (int) (entryKey[1] >>> 48) & 0xFFFF;
            vrf = keyVrf;
        }
        // The protocol too: ids are given per process in compile order, so after a restart an id may
        // name the same address:port of another service and protocol. A reverse entry kept across
        // that change would also be one lb-reply's backend-source filter (built from this process's
        // compiles, by protocol) lets pass untranslated.
        int protocol = (int) (entryKey[1] >>> 24) & 0xFF;
        return tables.backendAddress(backend) == address && tables.backendPort(backend) == port
            && tables.backendVrf(backend) == vrf
            && tables.serviceProtocol(tables.backendService(backend)) == protocol;
    }

    private void run() {
        while (running) {
            try {
                scanSlice();
            } catch (RuntimeException e) {
                LOG.warn("LB connection store scan failed: {}", e.toString());
            }
            LockSupport.parkNanos(SCAN_PERIOD_MS * 1_000_000L);
        }
    }

    /** Persists what changed in the next slice of the table; after a full pass, sometimes removes expired records. */
    void scanSlice() {
        long nowNs = clock.nanoNow();
        long offsetNs = clock.epochNow() - nowNs;
        int capacity = table.capacity();
        int end = Math.min(capacity, nextSlot + SCAN_SLOTS);
        for (int entry = nextSlot; entry < end; entry++) {
            if (!table.copyEntry(entry, key, value, expiresAtNs) || expiresAtNs[0] < nowNs) {
                continue;
            }
            SessionRecord.putLong(keyBytes, 0, key[0]);
            SessionRecord.putLong(keyBytes, 1, key[1]);
            long deadlineEpochNs = expiresAtNs[0] + offsetNs;
            if (store.get(keyBytes, storedBytes) && SessionRecord.getLong(storedBytes, 0) == VERSION
                && SessionRecord.getLong(storedBytes, VALUE_WORD0) == value[0]
                && SessionRecord.getLong(storedBytes, VALUE_WORD0 + 1) == value[1]
                && SessionRecord.getLong(storedBytes, VALUE_WORD0 + 2) == value[2]
                && Math.abs(SessionRecord.getLong(storedBytes, DEADLINE) - deadlineEpochNs) < DEADLINE_SLACK_NS) {
                continue;
            }
            SessionRecord.putLong(valueBytes, 0, VERSION);
            for (int word = 0; word < ConnectionLayout.VALUE_WORDS; word++) {
                SessionRecord.putLong(valueBytes, VALUE_WORD0 + word, value[word]);
            }
            SessionRecord.putLong(valueBytes, DEADLINE, deadlineEpochNs);
            store.put(keyBytes, valueBytes);
            written++;
        }
        nextSlot = end >= capacity ? 0 : end;
        if (nextSlot == 0 && ++passes % CLEANUP_EVERY_PASSES == 0) {
            removeExpired(clock.epochNow());
        }
    }

    private void removeExpired(long epochNow) {
        List<byte[]> expired = new ArrayList<>();
        store.forEach((storedKey, stored) -> {
            if (stored.length != VALUE_BYTES || SessionRecord.getLong(stored, DEADLINE) + DEADLINE_SLACK_NS < epochNow) {
                expired.add(storedKey);
            }
        });
        for (byte[] stale : expired) {
            store.remove(stale);
        }
        removed += expired.size();
    }

    /** Records written and removed so far; approximate while running. */
    public String statistics() {
        return "written " + written + ", removed " + removed + ", stored " + store.size();
    }

    /** Stops the scan, persists one last full pass (the workers have stopped), closes the file. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        nextSlot = 0;
        do {
            scanSlice();
        } while (nextSlot != 0);
        LOG.info("LB connection store closed: {}", statistics());
        store.close();
    }

    /**
     * The store being opened on a thread of its own (the first Chronicle Map of a JVM takes a
     * while); {@link #start} joins it and reloads.
     *
     * <p>Threading: created, started and closed by the control thread.
     */
    public static final class Opening implements AutoCloseable {
        private final BackgroundStoreOpen open;

        private Opening(Path file, int maxConnections) {
            // Two entries per connection.
            int entries = (int) Math.min(Integer.MAX_VALUE, 2L * maxConnections);
            this.open = new BackgroundStoreOpen(file, "LB connection store", "softgate-lb-store-open",
                () -> SessionStore.open(file, entries, "softgate-lb-connections", KEY_BYTES, VALUE_BYTES));
        }

        /** Waits for the store, reloads it into {@code table} against the published {@code tables}, starts the scan. */
        public LoadBalancerPersistence start(FlowTable table, Supplier<LoadBalancerTables> tables) throws IOException {
            SessionStore opened = open.take();
            return LoadBalancerPersistence.start(opened, open.openNs(), table, tables.get(), WallClock.system());
        }

        /** Closes the store if it was never started. */
        @Override
        public void close() {
            open.closeIfNotTaken();
        }
    }
}
