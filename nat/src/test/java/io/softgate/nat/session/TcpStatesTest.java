package io.softgate.nat.session;

import static io.softgate.core.packet.TcpFlyweight.FLAG_ACK;
import static io.softgate.core.packet.TcpFlyweight.FLAG_FIN;
import static io.softgate.core.packet.TcpFlyweight.FLAG_RST;
import static io.softgate.core.packet.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 7857 §2.1 / RFC 6146 §3.5.2 session states, as far as they choose the timeout. */
class TcpStatesTest {
    @Test
    void shouldBecomeEstablishedWhenTheOtherSideAnswersTheSyn() {
        int state = TcpStates.initial(FLAG_SYN, true);
        assertEquals(TcpStates.SYN_FROM_INSIDE, state);
        assertTrue(TcpStates.isTransitory(state));
        assertEquals(TcpStates.ESTABLISHED, TcpStates.next(state, FLAG_SYN | FLAG_ACK, false));
    }

    @Test
    void shouldSupportSimultaneousOpen() {
        // RFC 5382 REQ-2: both sides send a SYN.
        int state = TcpStates.initial(FLAG_SYN, true);
        assertEquals(TcpStates.ESTABLISHED, TcpStates.next(state, FLAG_SYN, false));
    }

    @Test
    void shouldStayHalfOpenOnRetransmittedSyn() {
        assertEquals(TcpStates.SYN_FROM_INSIDE, TcpStates.next(TcpStates.SYN_FROM_INSIDE, FLAG_SYN, true));
    }

    @Test
    void shouldUseEstablishedTimeoutAfterOneFinAndTransitoryAfterBoth() {
        int oneFin = TcpStates.next(TcpStates.ESTABLISHED, FLAG_FIN | FLAG_ACK, true);
        assertEquals(TcpStates.FIN_FROM_INSIDE, oneFin);
        assertFalse(TcpStates.isTransitory(oneFin));
        assertEquals(TcpStates.FIN_FROM_INSIDE, TcpStates.next(oneFin, FLAG_FIN | FLAG_ACK, true));
        int bothFins = TcpStates.next(oneFin, FLAG_FIN | FLAG_ACK, false);
        assertEquals(TcpStates.FIN_BOTH, bothFins);
        assertTrue(TcpStates.isTransitory(bothFins));
    }

    @Test
    void shouldGoTransitoryOnRstAndBackToEstablishedOnLaterTraffic() {
        int reset = TcpStates.next(TcpStates.ESTABLISHED, FLAG_RST, false);
        assertEquals(TcpStates.RESET, reset);
        assertTrue(TcpStates.isTransitory(reset));
        assertEquals(TcpStates.ESTABLISHED, TcpStates.next(reset, FLAG_ACK, true));
    }

    @Test
    void shouldStartAgainWhenANewSynReusesTheTupleAfterBothFins() {
        // RFC 1122 §4.2.2.13 / RFC 6191: a SYN may reopen the 5-tuple from TIME-WAIT, within the
        // transitory 4 minutes (RFC 5382 REQ-5); RFC 7857 §2.1: SYN seen, then established.
        int reopened = TcpStates.next(TcpStates.FIN_BOTH, FLAG_SYN, true);
        assertEquals(TcpStates.SYN_FROM_INSIDE, reopened);
        assertTrue(TcpStates.isTransitory(reopened));
        int established = TcpStates.next(reopened, FLAG_SYN | FLAG_ACK, false);
        assertEquals(TcpStates.ESTABLISHED, established);
        assertFalse(TcpStates.isTransitory(established));
        // A port forward's client reuses its tuple the same way.
        assertEquals(TcpStates.SYN_FROM_OUTSIDE, TcpStates.next(TcpStates.FIN_BOTH, FLAG_SYN, false));
    }

    @Test
    void shouldTakeOnlyAnOpeningSynAsANewConnectionAfterBothFins() {
        // Late segments of the old connection (its last ACK, a retransmitted FIN, a SYN-ACK) keep it closing.
        assertEquals(TcpStates.FIN_BOTH, TcpStates.next(TcpStates.FIN_BOTH, FLAG_ACK, true));
        assertEquals(TcpStates.FIN_BOTH, TcpStates.next(TcpStates.FIN_BOTH, FLAG_FIN | FLAG_ACK, false));
        assertEquals(TcpStates.FIN_BOTH, TcpStates.next(TcpStates.FIN_BOTH, FLAG_SYN | FLAG_ACK, false));
    }

    @Test
    void shouldOpenANewConnectionAfterRstWithItsSyn() {
        // After a RST the connection is over: a SYN opens the next one (transitory until answered).
        assertEquals(TcpStates.SYN_FROM_INSIDE, TcpStates.next(TcpStates.RESET, FLAG_SYN, true));
        assertEquals(TcpStates.SYN_FROM_OUTSIDE, TcpStates.next(TcpStates.RESET, FLAG_SYN, false));
        assertEquals(TcpStates.ESTABLISHED, TcpStates.next(TcpStates.RESET, FLAG_SYN | FLAG_ACK, false));
    }

    @Test
    void shouldIgnoreASynWhileOneSideStillHoldsTheConnection() {
        // Half closed: the other side has not closed and would not accept a SYN (RFC 9293 §3.10.7.4).
        assertEquals(TcpStates.FIN_FROM_INSIDE, TcpStates.next(TcpStates.FIN_FROM_INSIDE, FLAG_SYN, true));
        assertEquals(TcpStates.FIN_FROM_OUTSIDE, TcpStates.next(TcpStates.FIN_FROM_OUTSIDE, FLAG_SYN, false));
        assertEquals(TcpStates.ESTABLISHED, TcpStates.next(TcpStates.ESTABLISHED, FLAG_SYN, true));
    }

    @Test
    void shouldTreatMidStreamCreationAsTransitoryUntilTheOtherSideSpeaks() {
        int state = TcpStates.initial(FLAG_ACK, true);
        assertTrue(TcpStates.isTransitory(state));
        assertEquals(state, TcpStates.next(state, FLAG_ACK, true));
        assertEquals(TcpStates.ESTABLISHED, TcpStates.next(state, FLAG_ACK, false));
    }
}
