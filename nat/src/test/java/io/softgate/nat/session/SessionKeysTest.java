package io.softgate.nat.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The expiry tick's range: {@link SessionKeys#MAX_TIMEOUT_NS} is the exact longest timeout it holds. */
class SessionKeysTest {
    /** The deadline a refresh at {@code nowNs} stores for {@code timeoutNs} (NatSessions#refresh). */
    private static int storedDeadline(long nowNs, long timeoutNs) {
        return SessionKeys.tick(nowNs + timeoutNs) + SessionKeys.REFRESH_STEP_TICKS;
    }

    @Test
    void shouldSeeADeadlineOfTheLongestTimeoutAheadWhateverTheClock() {
        long max = SessionKeys.MAX_TIMEOUT_NS;
        for (long nowNs : new long[] {0, 1, SessionKeys.TICK_NS - 1, 1_000_000_000_000L + 12_345,
            (1L << 52) - 1, Long.MAX_VALUE / 2 - 7}) {
            int deadline = storedDeadline(nowNs, max);
            assertFalse(SessionKeys.expired(deadline, nowNs), "just written, at " + nowNs);
            assertFalse(SessionKeys.expired(deadline, nowNs + max), "at the end, at " + nowNs);
            assertTrue(SessionKeys.expired(deadline, nowNs + max + 2 * SessionKeys.REFRESH_STEP_TICKS
                * SessionKeys.TICK_NS), "past the end, at " + nowNs);
        }
    }

    @Test
    void shouldWrapOneNanosecondBeyondTheLongestTimeout() {
        // With the clock one nanosecond before a tick boundary, now + timeout crosses one more tick.
        long nowNs = 5 * SessionKeys.TICK_NS - 1;
        int deadline = storedDeadline(nowNs, SessionKeys.MAX_TIMEOUT_NS + 1);
        assertTrue(SessionKeys.expired(deadline, nowNs), "wrapped: seen as past the moment it is written");
        assertEquals(2_251_798_739_943_424L, SessionKeys.MAX_TIMEOUT_NS);
    }
}
