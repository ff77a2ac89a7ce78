package io.softgate.service.evpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.config.StopMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether a start is a graceful restart, from the line the previous run left in the state directory. */
class RestartMarkerTest {
    private static final int RESTART_TIME_SECONDS = 120;

    @TempDir
    Path stateDir;

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    @Test
    void shouldNotRestartOnAFirstStart() {
        assertNull(RestartMarker.read(stateDir));
        assertFalse(RestartMarker.restarting(null, RESTART_TIME_SECONDS, clock.get()));
    }

    @Test
    void shouldRestartWithinTheRestartTimeAfterAPlannedStop() {
        try (RestartMarker marker = RestartMarker.start(stateDir, clock::get, () -> false)) {
            clock.addAndGet(60_000);
            marker.stopped(StopMode.RESTART);
        }
        RestartMarker.Previous previous = RestartMarker.read(stateDir);
        assertEquals(new RestartMarker.Previous(RestartMarker.State.RESTART, clock.get()), previous);
        assertTrue(RestartMarker.restarting(previous, RESTART_TIME_SECONDS, clock.get() + 5_000));
        assertFalse(RestartMarker.restarting(previous, RESTART_TIME_SECONDS, clock.get() + 120_000),
            "RFC 4724 §4.2: the leaves dropped our routes when the restart time ran out");
    }

    @Test
    void shouldNotRestartAfterAShutdownStop() {
        try (RestartMarker marker = RestartMarker.start(stateDir, clock::get, () -> false)) {
            marker.stopped(StopMode.SHUTDOWN);
        }
        RestartMarker.Previous previous = RestartMarker.read(stateDir);
        assertEquals(RestartMarker.State.SHUTDOWN, previous.state());
        assertFalse(RestartMarker.restarting(previous, RESTART_TIME_SECONDS, clock.get() + 1_000),
            "the Cease made the leaves withdraw our routes");
    }

    @Test
    void shouldRestartAfterACrashWithinTheRestartTimeOfTheLastHeartbeat() {
        RestartMarker marker = RestartMarker.start(stateDir, clock::get, () -> false);
        long started = clock.get();
        marker.close(); // as kill -9 leaves it: the last line is "running"
        RestartMarker.Previous previous = RestartMarker.read(stateDir);
        assertEquals(new RestartMarker.Previous(RestartMarker.State.RUNNING, started), previous);
        assertTrue(RestartMarker.restarting(previous, RESTART_TIME_SECONDS, started + 10_000));
        assertFalse(RestartMarker.restarting(previous, RESTART_TIME_SECONDS, started + 200_000));
    }

    @Test
    void shouldNotRestartOnAnUnreadableLine() throws Exception {
        Files.writeString(stateDir.resolve(RestartMarker.FILE_NAME), "restart soon\n");
        assertNull(RestartMarker.read(stateDir));
    }

    @Test
    void shouldRecordADrainSoThatACrashAfterItIsNoRestart() throws Exception {
        AtomicBoolean drained = new AtomicBoolean();
        RestartMarker marker = RestartMarker.start(stateDir, clock::get, drained::get);
        drained.set(true); // the API's BGP shutdown: Cease sent, the leaves withdrew our routes
        long deadline = System.nanoTime() + 3 * RestartMarker.HEARTBEAT_MILLIS * 1_000_000L;
        while (RestartMarker.read(stateDir).state() == RestartMarker.State.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        marker.close(); // then the process dies
        RestartMarker.Previous previous = RestartMarker.read(stateDir);
        assertEquals(RestartMarker.State.SHUTDOWN, previous.state());
        assertFalse(RestartMarker.restarting(previous, RESTART_TIME_SECONDS, clock.get() + 1_000));
    }

    @Test
    void shouldForgetTheLineWhenGracefulRestartIsOff() {
        RestartMarker.start(stateDir, clock::get, () -> false).close();
        RestartMarker.forget(stateDir);
        assertNull(RestartMarker.read(stateDir));
    }

    @Test
    void shouldKeepTheStopLineWhenClosedAfterStopping() {
        RestartMarker marker = RestartMarker.start(stateDir, clock::get, () -> false);
        marker.stopped(StopMode.RESTART);
        marker.close();
        assertEquals(RestartMarker.State.RESTART, RestartMarker.read(stateDir).state());
    }
}
