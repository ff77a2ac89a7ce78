package io.softgate.service.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.VrfResolver;
import io.softgate.lb.maglev.MaglevHash;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import io.softgate.lb.stage.ConnectionLayout;
import io.softgate.lb.stage.ConnectionTracker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LB connection table's durable copy: entries written by the scan come back into a new table
 * after a restart, on the backend they had, also when the new configuration's Maglev table would
 * pick another; entries of a removed backend or past their deadline do not.
 */
class LoadBalancerPersistenceTest {
    private static final int PUBLIC = 0;
    private static final int BLUE = 5;
    private static final String VIP = "203.0.113.10";
    private static final String BACKEND_A = "10.1.0.5";
    private static final String BACKEND_B = "10.1.0.6";
    private static final int CLIENT = Ipv4Flyweight.parse("198.51.100.7");
    private static final int TCP = 6;
    private static final long IDLE_NS = 60_000_000_000L;

    @TempDir
    Path directory;

    private final AtomicLong nanoNow = new AtomicLong(1_000_000_000_000L);
    private final AtomicLong epochNow = new AtomicLong(1_790_000_000_000_000_000L);
    private final WallClock clock = new WallClock(nanoNow::get, epochNow::get);

    private static final VrfResolver VRFS = new VrfResolver() {
        @Override
        public int publicVrf() {
            return PUBLIC;
        }

        @Override
        public int vrfOfVpc(String vpc) {
            return vpc.equals("blue") ? BLUE : UNKNOWN;
        }
    };

    private static LoadBalancerTables tables(String... backends) throws Exception {
        return tables(LbProtocol.TCP, backends);
    }

    private static LoadBalancerTables tables(LbProtocol protocol, String... backends) throws Exception {
        List<Backend> list = java.util.Arrays.stream(backends).map(address -> Backend.of(address, 8080)).toList();
        LoadBalancerConfig config = LoadBalancerConfig.of(List.of(
            LoadBalancerService.of("web", protocol, VIP, 80, list, HealthCheck.NONE, "blue"))).withMaglevTableSize(251);
        return new LoadBalancerCompiler(VRFS).compile(config, BackendHealth.ALL_HEALTHY);
    }

    /** Client ports whose connections Maglev sends to {@code backendAddress} in {@code tables}. */
    private static int clientPortPickedFor(LoadBalancerTables tables, String backendAddress) {
        int vip = Ipv4Flyweight.parse(VIP);
        int service = tables.findService(vip, TCP, 80);
        for (int port = 1024; port < 65_536; port++) {
            int backend = tables.selectBackend(service, MaglevHash.flowHash(CLIENT, vip, port, 80, TCP));
            if (tables.backendAddress(backend) == Ipv4Flyweight.parse(backendAddress)) {
                return port;
            }
        }
        throw new AssertionError("no client port lands on " + backendAddress);
    }

    /** Tracks client:port -> VIP:80 on {@code backendAddress} as lb-vip does: the forward and the reverse entry. */
    private static void track(ConnectionTracker tracker, LoadBalancerTables tables, String backendAddress, int clientPort,
                              long expiresAtNs, long nowNs) {
        int vip = Ipv4Flyweight.parse(VIP);
        int backendIp = Ipv4Flyweight.parse(backendAddress);
        int backend = -1;
        for (int id = 0; backend < 0; id++) {
            if (tables.backendAddress(id) == backendIp) {
                backend = id;
            }
        }
        long[] forwardKey = {ConnectionLayout.addresses(CLIENT, vip), ConnectionLayout.portsProtocolVrf(clientPort, 80, TCP, PUBLIC)};
        long[] forwardValue = {ConnectionLayout.target(backend, BLUE), ConnectionLayout.endpoint(CLIENT, clientPort, 0),
            ConnectionLayout.endpoint(backendIp, 8080, 0)};
        long[] reverseKey = {ConnectionLayout.addresses(backendIp, CLIENT), ConnectionLayout.portsProtocolVrf(8080, clientPort, TCP, BLUE)};
        long[] reverseValue = {ConnectionLayout.target(backend, PUBLIC), ConnectionLayout.endpoint(vip, 80, 0),
            ConnectionLayout.endpoint(CLIENT, clientPort, 0)};
        assertTrue(tracker.table().insert(forwardKey, forwardValue, expiresAtNs, nowNs) >= 0);
        assertTrue(tracker.table().insert(reverseKey, reverseValue, expiresAtNs, nowNs) >= 0);
    }

    private static long[] forwardValueOf(ConnectionTracker tracker, int clientPort, long nowNs) {
        long[] key = {ConnectionLayout.addresses(CLIENT, Ipv4Flyweight.parse(VIP)),
            ConnectionLayout.portsProtocolVrf(clientPort, 80, TCP, PUBLIC)};
        long[] value = new long[ConnectionLayout.VALUE_WORDS];
        return tracker.table().lookupInto(key, nowNs, value) >= 0 ? value : null;
    }

    /** Runs one process's life: tracks connections, persists them with a full scan pass and closes the store. */
    private void persist(LoadBalancerTables tables, String backend, int... clientPorts) throws IOException {
        try (ConnectionTracker tracker = new ConnectionTracker(1024)) {
            SessionStore store = SessionStore.open(directory.resolve(LoadBalancerPersistence.FILE_NAME), 2048,
                "lb", LoadBalancerPersistence.KEY_BYTES, LoadBalancerPersistence.VALUE_BYTES);
            LoadBalancerPersistence persistence = LoadBalancerPersistence.start(store, 0, tracker.table(), tables, clock);
            for (int port : clientPorts) {
                track(tracker, tables, backend, port, nanoNow.get() + IDLE_NS, nanoNow.get());
            }
            persistence.close(); // a full scan pass, then the file is closed
        }
    }

    private int[] reloadInto(ConnectionTracker tracker, LoadBalancerTables tables) throws IOException {
        SessionStore store = SessionStore.open(directory.resolve(LoadBalancerPersistence.FILE_NAME), 2048,
            "lb", LoadBalancerPersistence.KEY_BYTES, LoadBalancerPersistence.VALUE_BYTES);
        LoadBalancerPersistence persistence = new LoadBalancerPersistence(store, tracker.table(), clock);
        int[] counts = persistence.reload(tables);
        store.close();
        return counts;
    }

    @Test
    void shouldKeepAConnectionOnItsBackendWhenTheRestartedMaglevTablePicksAnother() throws Exception {
        LoadBalancerTables before = tables(BACKEND_A);
        LoadBalancerTables after = tables(BACKEND_A, BACKEND_B);
        int clientPort = clientPortPickedFor(after, BACKEND_B); // after the restart Maglev says B
        persist(before, BACKEND_A, clientPort);

        nanoNow.addAndGet(-123_456_789_000L); // a new process: another nanoTime origin
        epochNow.addAndGet(5_000_000_000L);   // 5 s later
        try (ConnectionTracker tracker = new ConnectionTracker(1024)) {
            int[] counts = reloadInto(tracker, after);
            assertArrayEquals(new int[] {2, 2, 0, 0}, counts, "stored, restored, expired, backend changed");
            long[] value = forwardValueOf(tracker, clientPort, nanoNow.get());
            assertEquals(Ipv4Flyweight.parse(BACKEND_A), ConnectionLayout.address(value[ConnectionLayout.NEW_DESTINATION]));
        }
    }

    @Test
    void shouldDropConnectionsOfABackendTheRestartedConfigurationNoLongerHas() throws Exception {
        persist(tables(BACKEND_A, BACKEND_B), BACKEND_A, 40_000);
        try (ConnectionTracker tracker = new ConnectionTracker(1024)) {
            int[] counts = reloadInto(tracker, tables(BACKEND_B));
            assertArrayEquals(new int[] {2, 0, 0, 2}, counts, "stored, restored, expired, backend changed");
            assertEquals(null, forwardValueOf(tracker, 40_000, nanoNow.get()));
        }
    }

    @Test
    void shouldDropConnectionsWhoseBackendIdNowNamesTheSameEndpointOfAnotherProtocol() throws Exception {
        // Backend ids are per process: after the restart id 0 is 10.x:8080 of a UDP service.
        persist(tables(BACKEND_A), BACKEND_A, 40_000);
        try (ConnectionTracker tracker = new ConnectionTracker(1024)) {
            int[] counts = reloadInto(tracker, tables(LbProtocol.UDP, BACKEND_A));
            assertArrayEquals(new int[] {2, 0, 0, 2}, counts, "stored, restored, expired, backend changed");
            assertEquals(null, forwardValueOf(tracker, 40_000, nanoNow.get()));
        }
    }

    @Test
    void shouldNotRestoreConnectionsWhoseIdleDeadlinePassedWhileTheNodeWasDown() throws Exception {
        LoadBalancerTables tables = tables(BACKEND_A);
        persist(tables, BACKEND_A, 40_001);
        epochNow.addAndGet(IDLE_NS + LoadBalancerPersistence.DEADLINE_SLACK_NS + 1);
        try (ConnectionTracker tracker = new ConnectionTracker(1024)) {
            int[] counts = reloadInto(tracker, tables);
            assertArrayEquals(new int[] {2, 0, 2, 0}, counts, "stored, restored, expired, backend changed");
        }
    }
}
