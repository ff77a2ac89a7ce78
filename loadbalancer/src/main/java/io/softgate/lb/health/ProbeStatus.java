package io.softgate.lb.health;

/**
 * What the {@link HealthChecker} knows of one probed backend at one moment.
 *
 * @param healthy                the rise/fall verdict the compiler uses
 * @param consecutiveSuccesses   successful probes since the last failure
 * @param consecutiveFailures    failed probes since the last success
 * @param probes                 probes completed since the backend's check was (re)configured
 * @param lastSuccess            the last probe's result (meaningless while {@code probes} is 0)
 * @param lastProbeEpochMs       wall-clock time of the last probe's result, 0 before the first
 *
 * <p>Threading: immutable value.
 */
public record ProbeStatus(boolean healthy, int consecutiveSuccesses, int consecutiveFailures, long probes,
                          boolean lastSuccess, long lastProbeEpochMs) {
}
