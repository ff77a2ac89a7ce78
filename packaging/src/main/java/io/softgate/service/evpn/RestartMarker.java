package io.softgate.service.evpn;

import io.softgate.evpn.bgp.config.StopMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the BGP speaker's previous run ended, kept in {@code <stateDir>/bgp-restart-state}, so a start
 * knows whether it is a graceful restart: whether the leaves still hold our routes as stale, and
 * our OPENs must set the Restart State bit (RFC 4724 §3, §4.1). One line, {@code <state> <epoch ms>}:
 *
 * <ul>
 *   <li>{@code running T}: written at start and every {@link #HEARTBEAT_MILLIS} while the speaker
 *       runs. Found at a start, the previous process died without stopping (kill -9, a crash, the
 *       OOM exit) at most one heartbeat after T; the kernel closed its TCP connections without a
 *       NOTIFICATION, so the leaves kept our routes — a graceful restart like a planned one.</li>
 *   <li>{@code restart T}: the previous process stopped at T with {@code onStop: restart}, its
 *       sessions closed without a NOTIFICATION.</li>
 *   <li>{@code shutdown T}: it sent Cease / Hard Reset (onStop shutdown, or the API's BGP shutdown):
 *       the leaves withdrew our routes, so the next start is no restart.</li>
 * </ul>
 *
 * A start is a restart when the line is {@code running} or {@code restart} and less than our
 * restart time passed since T: a leaf keeps our routes for the restart time after the session
 * ended (RFC 4724 §4.2) and drops them after that. For {@code running} the session ended up to a
 * heartbeat after T, so a start near the limit may be judged no restart: the safe side (R clear
 * only tells the leaves not to wait for our End-of-RIB, which they do not for R set either).
 * No file (a first start), an unreadable one or any other line: no restart.
 *
 * <p>Threading: {@link #read}, {@link #restarting} and {@link #start} are called by the service's
 * control thread; the heartbeat runs on its own daemon thread; {@link #stopped} and {@link #close}
 * may be called from any thread, once.
 */
public final class RestartMarker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestartMarker.class);
    public static final String FILE_NAME = "bgp-restart-state";
    /** How often a running speaker rewrites its line: the uncertainty of a crash's time. */
    public static final long HEARTBEAT_MILLIS = 5_000;

    /**
     * The state the previous run left.
     *
     * <p>Threading: immutable.
     */
    public enum State { RUNNING, RESTART, SHUTDOWN }

    /**
     * The previous run's line: its state and time (wall clock, ms).
     *
     * <p>Threading: immutable.
     */
    public record Previous(State state, long epochMillis) {
    }

    private final Path file;
    private final LongSupplier clockMillis;
    private final ScheduledExecutorService heartbeat;
    private boolean finished;

    private RestartMarker(Path file, LongSupplier clockMillis, ScheduledExecutorService heartbeat) {
        this.file = file;
        this.clockMillis = clockMillis;
        this.heartbeat = heartbeat;
    }

    /** The previous run's line, or null when there is none or it cannot be read. */
    public static Previous read(Path stateDir) {
        Path file = stateDir.resolve(FILE_NAME);
        try {
            String[] fields = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
            if (fields.length != 2) {
                throw new IOException("not '<state> <epoch ms>'");
            }
            return new Previous(State.valueOf(fields[0].toUpperCase(java.util.Locale.ROOT)), Long.parseLong(fields[1]));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("{}: unreadable ({}), this start is no graceful restart", file, e.toString());
            return null;
        }
    }

    /** Whether a start at {@code nowMillis} after {@code previous} is a graceful restart (see the class comment). */
    public static boolean restarting(Previous previous, int restartTimeSeconds, long nowMillis) {
        if (previous == null || previous.state() == State.SHUTDOWN) {
            return false;
        }
        return nowMillis - previous.epochMillis() < restartTimeSeconds * 1000L;
    }

    /**
     * Writes {@code running} now and every {@link #HEARTBEAT_MILLIS} until {@link #stopped} or
     * {@link #close}; once {@code drained} says the sessions were shut down (the API's BGP shutdown:
     * Cease sent, the leaves withdrew our routes), the next heartbeat writes {@code shutdown} and is
     * the last.
     */
    public static RestartMarker start(Path stateDir, LongSupplier clockMillis, BooleanSupplier drained) {
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "softgate-bgp-restart-marker");
            thread.setDaemon(true);
            return thread;
        });
        RestartMarker marker = new RestartMarker(stateDir.resolve(FILE_NAME), clockMillis, heartbeat);
        marker.write(State.RUNNING);
        heartbeat.scheduleWithFixedDelay(() -> {
            if (drained.getAsBoolean()) {
                marker.stopped(StopMode.SHUTDOWN);
            } else {
                marker.write(State.RUNNING);
            }
        }, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
        return marker;
    }

    /** Removes the line (graceful restart is off: no later start may take this run for a restart). */
    public static void forget(Path stateDir) {
        try {
            Files.deleteIfExists(stateDir.resolve(FILE_NAME));
        } catch (IOException e) {
            LOG.warn("{}: cannot remove ({})", stateDir.resolve(FILE_NAME), e.toString());
        }
    }

    /** The speaker stopped with {@code mode}: records {@code restart} or {@code shutdown} for the next start. */
    public void stopped(StopMode mode) {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        heartbeat.shutdownNow();
        // A heartbeat in flight cannot overwrite this line: write refuses "running" once finished.
        write(mode == StopMode.RESTART ? State.RESTART : State.SHUTDOWN);
    }

    /** Stops the heartbeat and leaves the line as it is (a start that failed: as after a crash). */
    @Override
    public void close() {
        synchronized (this) {
            finished = true;
        }
        heartbeat.shutdownNow();
    }

    /** Replaces the line atomically (a crash mid-write leaves the old line or the new one, never half). */
    private synchronized void write(State state) {
        if (finished && state == State.RUNNING) {
            return;
        }
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        try {
            Files.writeString(temporary, state.name().toLowerCase(java.util.Locale.ROOT) + " " + clockMillis.getAsLong() + "\n",
                StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("{}: cannot write ({}): the next start may not know it is a graceful restart", file, e.toString());
        }
    }
}
