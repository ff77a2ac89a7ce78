package io.softgate.nat.session;

import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.Packets.tcp;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.NatFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link NatSessions#forEachSession}: each live session once, decoded, as the state API lists it. */
class NatSessionListingTest {
    private static List<String> listing(NatFixture nat) {
        List<String> sessions = new ArrayList<>();
        nat.sessions.forEachSession((protocol, vrf, inside, insidePort, outside, outsidePort, remote, remotePort, tcpState,
                                     expiryTick, dynamic) -> sessions.add(protocol + " vrf" + vrf + " "
            + Ipv4Flyweight.format(inside) + ":" + insidePort + " " + Ipv4Flyweight.format(outside) + ":" + outsidePort + " "
            + Ipv4Flyweight.format(remote) + ":" + remotePort + " state " + tcpState + (dynamic ? " dynamic" : " static")
            + " expires in " + ((long) (expiryTick - SessionKeys.tick(nat.nowNs())) << 20) / 1_000_000_000L + " s"));
        return sessions;
    }

    @Test
    void shouldVisitEachSessionOnceByItsInsideEntryDecoded() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, "192.0.2.1", 53));
            List<String> sessions = listing(nat);
            assertEquals(1, sessions.size(), sessions.toString());
            String session = sessions.get(0);
            assertTrue(session.startsWith(Ipv4Flyweight.PROTOCOL_UDP + " vrf" + BLUE_VRF + " 10.0.0.5:5000 "
                + NatFixture.BLUE_SNAT + ":"), session);
            assertTrue(session.contains(" 192.0.2.1:53 state " + TcpStates.NONE + " dynamic"), session);
        }
    }

    @Test
    void shouldReportTheTrackedTcpState() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            nat.fromVpc(BLUE_VRF, tcp("10.0.0.5", 40000, "192.0.2.1", 443, TcpFlyweight.FLAG_SYN));
            List<String> sessions = listing(nat);
            assertEquals(1, sessions.size(), sessions.toString());
            assertTrue(sessions.get(0).contains("state " + TcpStates.SYN_FROM_INSIDE), sessions.get(0));
        }
    }
}
