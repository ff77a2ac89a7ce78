package io.softgate.lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.lb.model.Backend;
import io.softgate.lb.model.BackendKey;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthCheckerTest {
    private final List<String> changes = new CopyOnWriteArrayList<>();
    private final HealthChecker checker = new HealthChecker(ProbeTransport.hostStack(),
        (backend, healthy) -> changes.add(backend + (healthy ? " up" : " down")), 2);

    @AfterEach
    void closeChecker() {
        checker.close();
    }

    private static LoadBalancerConfig service(HealthCheck check, int port) {
        return LoadBalancerConfig.of(List.of(LoadBalancerService.of("web", LbProtocol.TCP, "203.0.113.10", 80,
            List.of(Backend.of("127.0.0.1", port)), check, "blue")));
    }

    private static BackendKey key(int port) {
        return new BackendKey("web", "127.0.0.1", port);
    }

    /** Probes once per call and returns how many rounds it took until the backend's health was {@code healthy}. */
    private int roundsUntil(BackendKey key, boolean healthy, int limit) {
        for (int round = 1; round <= limit; round++) {
            checker.probeAllOnce();
            if (checker.isHealthy(key) == healthy) {
                return round;
            }
        }
        return -1;
    }

    @Test
    void shouldMarkATcpBackendDownAfterExactlyFallFailedConnects() throws Exception {
        try (LocalServers.ReservedPort refused = new LocalServers.ReservedPort()) {
            int port = refused.port();
            checker.update(service(HealthCheck.tcp(500, 1000, 2, 3), port));
            assertTrue(checker.isHealthy(key(port)), "a new backend starts healthy");
            assertEquals(3, roundsUntil(key(port), false, 10));
            assertEquals(List.of("web/127.0.0.1:" + port + " down"), changes);
        }
    }

    @Test
    void shouldMarkATcpBackendUpAgainAfterExactlyRiseSuccessfulConnects() throws Exception {
        LocalServers.ReservedPort refused = new LocalServers.ReservedPort();
        int port = refused.port();
        checker.update(service(HealthCheck.tcp(500, 1000, 2, 1), port));
        assertEquals(1, roundsUntil(key(port), false, 5));
        try (java.net.ServerSocket again = refused.listen()) {
            // An unaccepted connection still completes the TCP handshake (the backlog takes it).
            assertEquals(2, roundsUntil(key(port), true, 5));
        }
    }

    @Test
    void shouldStayHealthyWhenFailuresAreFewerThanFallBetweenSuccesses() throws Exception {
        try (LocalServers.ReservedPort refused = new LocalServers.ReservedPort()) {
            int port = refused.port();
            checker.update(service(HealthCheck.tcp(500, 1000, 1, 3), port));
            checker.probeAllOnce();
            checker.probeAllOnce();
            assertTrue(checker.isHealthy(key(port)));
            assertTrue(changes.isEmpty());
        }
    }

    @Test
    void shouldTreatAnHttp2xxAnswerAsHealthyAndSendTheRequestPath() throws Exception {
        try (LocalServers.HttpStatusServer server = new LocalServers.HttpStatusServer()) {
            checker.update(service(HealthCheck.http("/healthz", 1000, 1000, 1, 1), server.port()));
            checker.probeAllOnce();
            assertTrue(checker.isHealthy(key(server.port())));
            assertEquals("/healthz", server.lastPath);
            assertEquals(1, server.requests.get());
        }
    }

    @Test
    void shouldTreatAnHttp3xxAnswerAsHealthy() throws Exception {
        try (LocalServers.HttpStatusServer server = new LocalServers.HttpStatusServer()) {
            server.status.set(302);
            checker.update(service(HealthCheck.http("/", 1000, 1000, 1, 1), server.port()));
            checker.probeAllOnce();
            assertTrue(checker.isHealthy(key(server.port())));
        }
    }

    @Test
    void shouldMarkAnHttpBackendDownAfterFallAnswersOf5xx() throws Exception {
        try (LocalServers.HttpStatusServer server = new LocalServers.HttpStatusServer()) {
            server.status.set(503);
            checker.update(service(HealthCheck.http("/", 1000, 1000, 1, 2), server.port()));
            assertEquals(2, roundsUntil(key(server.port()), false, 5));
        }
    }

    @Test
    void shouldTreatAnHttp404AsAFailedProbe() throws Exception {
        try (LocalServers.HttpStatusServer server = new LocalServers.HttpStatusServer()) {
            server.status.set(404);
            checker.update(service(HealthCheck.http("/", 1000, 1000, 1, 1), server.port()));
            checker.probeAllOnce();
            assertFalse(checker.isHealthy(key(server.port())));
        }
    }

    @Test
    void shouldCountAnHttpServerThatNeverAnswersAsAFailureOnceTheTimeoutPasses() throws Exception {
        try (LocalServers.SilentServer server = new LocalServers.SilentServer()) {
            checker.update(service(HealthCheck.http("/", 200, 1000, 1, 1), server.port()));
            checker.probeAllOnce();
            assertFalse(checker.isHealthy(key(server.port())));
        }
    }

    @Test
    void shouldKeepTheHealthStateOfABackendAcrossAConfigUpdate() throws Exception {
        try (LocalServers.ReservedPort refused = new LocalServers.ReservedPort()) {
            int port = refused.port();
            checker.update(service(HealthCheck.tcp(500, 1000, 1, 1), port));
            checker.probeAllOnce();
            assertFalse(checker.isHealthy(key(port)));
            checker.update(service(HealthCheck.tcp(500, 2000, 1, 1), port));
            assertFalse(checker.isHealthy(key(port)));
        }
    }

    @Test
    void shouldConsiderBackendsOfAServiceWithoutHealthCheckHealthy() throws Exception {
        try (LocalServers.ReservedPort refused = new LocalServers.ReservedPort()) {
            int port = refused.port();
            checker.update(service(HealthCheck.NONE, port));
            checker.probeAllOnce();
            assertTrue(checker.isHealthy(key(port)));
        }
    }

    @Test
    void shouldDetectADeadBackendWhenProbingOnItsOwnSchedule() throws Exception {
        LocalServers.ReservedPort refused = new LocalServers.ReservedPort();
        int port = refused.port();
        CountDownLatch down = new CountDownLatch(1);
        try (refused; HealthChecker scheduled = new HealthChecker(ProbeTransport.hostStack(), (backend, healthy) -> down.countDown(), 1)) {
            scheduled.update(service(HealthCheck.tcp(200, 20, 1, 2), port));
            scheduled.start();
            assertTrue(down.await(30, TimeUnit.SECONDS), "no health change reported");
            assertFalse(scheduled.isHealthy(key(port)));
        }
    }

    @Test
    void shouldKeepProbingOnItsScheduleWhenTheListenerThrows() throws Exception {
        LocalServers.ReservedPort refused = new LocalServers.ReservedPort();
        int port = refused.port();
        CountDownLatch down = new CountDownLatch(1);
        CountDownLatch up = new CountDownLatch(1);
        try (HealthChecker scheduled = new HealthChecker(ProbeTransport.hostStack(), (backend, healthy) -> {
            (healthy ? up : down).countDown();
            throw new IllegalStateException("listener failure for the test");
        }, 1)) {
            scheduled.update(service(HealthCheck.tcp(200, 20, 1, 1), port));
            scheduled.start();
            assertTrue(down.await(30, TimeUnit.SECONDS), "no down report");
            try (java.net.ServerSocket back = refused.listen()) {
                assertTrue(up.await(30, TimeUnit.SECONDS), "the probe schedule stopped after a listener failure");
            }
            // The down report's failure was counted before the up probe could run.
            assertTrue(scheduled.listenerFailures() >= 1);
        }
    }

    @Test
    void shouldReportTheConsecutiveResultsAndTheLastProbeOfABackend() throws Exception {
        try (LocalServers.ReservedPort refused = new LocalServers.ReservedPort()) {
            int port = refused.port();
            checker.update(service(HealthCheck.tcp(500, 1000, 2, 3), port));
            ProbeStatus fresh = checker.status(key(port));
            assertEquals(0, fresh.probes());
            assertTrue(fresh.healthy());
            checker.probeAllOnce();
            checker.probeAllOnce();
            ProbeStatus failing = checker.status(key(port));
            assertEquals(2, failing.consecutiveFailures());
            assertEquals(0, failing.consecutiveSuccesses());
            assertEquals(2, failing.probes());
            assertFalse(failing.lastSuccess());
            assertTrue(failing.lastProbeEpochMs() > 0);
            assertTrue(failing.healthy(), "two failures of fall 3: still healthy");
        }
    }

    @Test
    void shouldHaveNoStatusForABackendItDoesNotProbe() {
        checker.update(service(HealthCheck.NONE, 8080));
        assertEquals(null, checker.status(key(8080)));
    }
}
