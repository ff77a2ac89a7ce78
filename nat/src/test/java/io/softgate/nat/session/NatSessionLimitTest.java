package io.softgate.nat.session;

import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.pipeline.StageHarness;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.NatFixture;
import org.junit.jupiter.api.Test;

/** {@code maxSessions} is a hard limit (RFC 6888 / DESIGN §8: new flows refused, none evicted), not a table size hint. */
class NatSessionLimitTest {
    private static final String SERVER = "192.0.2.1";
    private static final int LIMIT = 5;
    /** No ICMP budget: a refused packet is a counted drop, so the count is exact. */
    private static final NatSettings SETTINGS = NatSettings.defaults().withIcmpErrorsPerSecond(0);

    private static StageHarness.Outcome open(NatFixture nat, int host) {
        return nat.fromVpc(BLUE_VRF, udp("10.0.0." + host, 5000, SERVER, 53));
    }

    @Test
    void shouldRefuseAndCountTheFirstSessionBeyondMaxSessions() {
        try (NatFixture nat = new NatFixture(SETTINGS, NatFixture.defaultRules(), LIMIT)) {
            for (int host = 1; host <= LIMIT; host++) {
                assertEquals("route", open(nat, host).verdict(), "session " + host + " is within the limit");
            }

            StageHarness.Outcome beyond = open(nat, LIMIT + 1);

            assertEquals(StageHarness.DROPPED, beyond.verdict());
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.session-table-full"));
            assertEquals(LIMIT, nat.sessions.sessionCount());
        }
    }

    @Test
    void shouldKeepExistingSessionsWorkingAtTheLimit() {
        try (NatFixture nat = new NatFixture(SETTINGS, NatFixture.defaultRules(), LIMIT)) {
            for (int host = 1; host <= LIMIT; host++) {
                open(nat, host);
            }
            open(nat, LIMIT + 1);

            assertEquals("route", open(nat, 1).verdict(), "an established session is never evicted or refused");
            assertEquals(LIMIT, nat.in2out.counter("nat44-in2out.sessions-created"));
        }
    }

    @Test
    void shouldAdmitANewSessionOnceTheSweeperRemovedAnExpiredOne() {
        try (NatFixture nat = new NatFixture(SETTINGS, NatFixture.defaultRules(), LIMIT)) {
            for (int host = 1; host <= LIMIT; host++) {
                open(nat, host);
            }
            nat.advanceSeconds(6 * 60); // past the 5 min UDP timeout
            assertEquals(LIMIT, nat.sweep());

            assertEquals("route", open(nat, LIMIT + 1).verdict());
            assertEquals(1, nat.sessions.sessionCount());
        }
    }
}
