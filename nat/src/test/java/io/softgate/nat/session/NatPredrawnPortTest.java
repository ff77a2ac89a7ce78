package io.softgate.nat.session;

import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.NatFixture;
import org.junit.jupiter.api.Test;

/**
 * The pre-drawn port (RFC 6056 §3.3.1 random allocation, value drawn in the batch pre-pass): a
 * creation handed a value through {@link NatScratch#offerPredrawnRandom} claims exactly the port
 * that value selects, uses it once, and otherwise draws from the generator as before.
 */
class NatPredrawnPortTest {
    private static final long SEED = 0x1234_5678_9ABCL;
    private static final int PREDRAWN = 0x7A5C_3E11;
    private static final int UDP = Ipv4Flyweight.PROTOCOL_UDP;
    private static final int INSIDE = Ipv4Flyweight.parse("10.0.0.5");
    private static final int SERVER = Ipv4Flyweight.parse("192.0.2.1");

    private static int firstPortOf(NatSettings settings, int random) {
        return PortSpace.randomStart(settings.portRangeFirst(), settings.portRangeLast(), random);
    }

    private static int createFrom(NatFixture nat, int insidePort, NatScratch scratch) {
        int entry = nat.sessions.createOutbound(nat.tables, BLUE_VRF, UDP, INSIDE, insidePort, SERVER, 53, 0,
            nat.nowNs(), scratch);
        assertTrue(entry >= 0, "created: " + entry);
        return scratch.mappedPort;
    }

    @Test
    void shouldClaimThePortThePredrawnValueSelects() {
        NatSettings settings = NatSettings.defaults();
        try (NatFixture nat = new NatFixture(settings)) {
            int expected = firstPortOf(settings, PREDRAWN);
            // Without the hand-over the claim would start from the generator's next value instead.
            assertNotEquals(firstPortOf(settings, new NatScratch(SEED).nextRandom()), expected);
            NatScratch scratch = new NatScratch(SEED);
            scratch.offerPredrawnRandom(PREDRAWN);
            assertEquals(expected, createFrom(nat, 5000, scratch));
        }
    }

    @Test
    void shouldDrawAFreshValueForTheNextClaimAfterAPredrawnOne() {
        NatSettings settings = NatSettings.defaults();
        try (NatFixture nat = new NatFixture(settings)) {
            NatScratch scratch = new NatScratch(SEED);
            scratch.offerPredrawnRandom(PREDRAWN);
            int first = createFrom(nat, 5000, scratch);
            // The pre-drawn value took nothing from the generator: the next claim gets its first output.
            int expected = firstPortOf(settings, new NatScratch(SEED).nextRandom());
            assertNotEquals(first + 1, expected, "a reused value would give the port after the first (taken) one");
            assertEquals(expected, createFrom(nat, 5001, scratch));
        }
    }

    @Test
    void shouldDrawAFreshValueOnceAnUnusedPredrawnValueIsCleared() {
        NatSettings settings = NatSettings.defaults();
        try (NatFixture nat = new NatFixture(settings)) {
            NatScratch scratch = new NatScratch(SEED);
            int mapped = createFrom(nat, 5000, scratch);
            // RFC 4787 REQ-1: the endpoint is mapped already, so its second session claims no port.
            scratch.offerPredrawnRandom(PREDRAWN);
            int again = nat.sessions.createOutbound(nat.tables, BLUE_VRF, UDP, INSIDE, 5000,
                Ipv4Flyweight.parse("192.0.2.2"), 53, 0, nat.nowNs(), scratch);
            assertTrue(again >= 0);
            assertEquals(mapped, scratch.mappedPort);
            scratch.clearPredrawnRandom();
            NatScratch twin = new NatScratch(SEED);
            twin.nextRandom();
            assertEquals(firstPortOf(settings, twin.nextRandom()), createFrom(nat, 5001, scratch));
        }
    }
}
