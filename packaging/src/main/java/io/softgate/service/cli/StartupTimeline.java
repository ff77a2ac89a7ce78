package io.softgate.service.cli;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a start-up's time goes (issue 9: a restarted softgate must forward again about a second
 * after a crash): one INFO line per milestone, {@code startup - <milestone> at +N ms (+M ms), process
 * CPU C ms}, N counted from the process's start (the launcher's exec keeps the PID, so this includes
 * JVM start-up), M since the previous milestone, C the CPU time of all the process's threads so far
 * (on a loaded machine wall time is mostly waiting for a core; CPU time says what start-up costs).
 * {@code data plane forwarding} bounds the outage of a restart; later milestones (features, BGP,
 * API) are off that path.
 *
 * <p>Threading: {@link #mark} may be called from any thread (each line is independent).
 */
public final class StartupTimeline {
    private static final Logger LOG = LoggerFactory.getLogger("startup");
    /** The process's start in epoch ms (clock-tick precision on Linux), or the class's load time if unknown. */
    private static final long PROCESS_START_EPOCH_MS = ProcessHandle.current().info().startInstant()
        .map(Instant::toEpochMilli).orElse(System.currentTimeMillis());
    private static volatile long previousEpochMs = PROCESS_START_EPOCH_MS;

    private StartupTimeline() {
    }

    /** Logs {@code milestone} with the time since the process started and since the previous milestone. */
    public static void mark(String milestone) {
        long nowMs = System.currentTimeMillis();
        long sinceStartMs = nowMs - PROCESS_START_EPOCH_MS;
        long sincePreviousMs = nowMs - previousEpochMs;
        previousEpochMs = nowMs;
        long cpuMs = ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
        LOG.info("{} at +{} ms (+{} ms), process CPU {} ms; process started at {}", milestone, sinceStartMs,
            sincePreviousMs, cpuMs, PROCESS_START_EPOCH_MS);
    }
}
