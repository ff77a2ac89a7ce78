package io.softgate.nat.session;

import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.Packets.tcp;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.Frame;
import io.softgate.nat.testing.NatFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sessions journaled by one NAT and restored into a fresh one translate exactly as before. */
class SessionRestorerTest {
    private static final String SERVER = "192.0.2.1";
    private static final String VM = "10.0.0.5";

    /** Keeps what the journal was told: the created records, with TCP state and deadline updated by refreshes. */
    private static final class RecordingJournal implements NatSessionJournal {
        final List<long[]> sessions = new ArrayList<>();
        int refreshes;

        @Override
        public void sessionCreated(long inside0, long inside1, long outside0, long outside1, long insideRewrite0,
                                   long insideRewrite1, long outsideRewrite0, long outsideRewrite1, long expiresAtNs) {
            sessions.add(new long[] {inside0, inside1, outside0, outside1, insideRewrite0, insideRewrite1,
                outsideRewrite0, outsideRewrite1, expiresAtNs});
        }

        @Override
        public void sessionRefreshed(long inside0, long inside1, int tcpState, long expiresAtNs) {
            refreshes++;
            for (long[] session : sessions) {
                if (session[0] == inside0 && session[1] == inside1) {
                    session[5] = SessionKeys.withTcpState(session[5], tcpState);
                    session[7] = SessionKeys.withTcpState(session[7], tcpState);
                    session[8] = expiresAtNs;
                }
            }
        }

        @Override
        public void sessionDeleted(long inside0, long inside1) {
            sessions.removeIf(session -> session[0] == inside0 && session[1] == inside1);
        }
    }

    private static int restoreAll(RecordingJournal journal, NatFixture into) {
        SessionRestorer restorer = into.sessions.restorer();
        int restored = 0;
        for (long[] s : journal.sessions) {
            int result = restorer.restore(into.tables, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8],
                into.nowNs());
            assertEquals(SessionRestorer.RESTORED, result, SessionRestorer.resultName(result));
            restored++;
        }
        return restored;
    }

    @Test
    void shouldTranslateARestoredUdpSessionToTheSameOutsidePortBothWays() {
        RecordingJournal journal = new RecordingJournal();
        byte[] before;
        try (NatFixture old = new NatFixture(NatSettings.defaults())) {
            old.sessions.journal(journal);
            before = old.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)).packet();
        }
        try (NatFixture restarted = new NatFixture(NatSettings.defaults())) {
            assertEquals(1, restoreAll(journal, restarted));
            byte[] after = restarted.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)).packet();
            assertArrayEquals(before, after, "the restored session must rewrite exactly as before");
            int port = new Frame(after).sourcePort();
            Frame reply = new Frame(restarted.fromInternet(udp(SERVER, 53, BLUE_SNAT, port)).packet());
            assertEquals(VM, reply.destination());
            assertEquals(5000, reply.destinationPort());
        }
    }

    @Test
    void shouldClaimTheRestoredPortSoNoNewMappingGetsIt() {
        RecordingJournal journal = new RecordingJournal();
        int port;
        try (NatFixture old = new NatFixture(NatSettings.defaults())) {
            old.sessions.journal(journal);
            port = new Frame(old.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)).packet()).sourcePort();
        }
        try (NatFixture restarted = new NatFixture(NatSettings.defaults())) {
            restoreAll(journal, restarted);
            assertTrue(restarted.registry.find(Ipv4Flyweight.parse(BLUE_SNAT)).ports.isInUse(ProtocolClass.UDP, port));
            // The same inside endpoint to another server reuses its mapping (EIM), not a new port.
            int other = new Frame(restarted.fromVpc(BLUE_VRF, udp(VM, 5000, "192.0.2.99", 53)).packet()).sourcePort();
            assertEquals(port, other);
        }
    }

    @Test
    void shouldCountARestoredSessionAndItsPortForTheSubscriberAndReleaseThemWhenItExpires() {
        // RFC 6888 REQ-4 / REQ-5: restored state counts against the subscriber's limits like new
        // state, and the counter goes when the restored session and mapping expire.
        for (NatSettings settings : List.of(NatSettings.defaults(), NatSettings.defaults().withPortBlocks(64))) {
            RecordingJournal journal = new RecordingJournal();
            try (NatFixture old = new NatFixture(settings)) {
                old.sessions.journal(journal);
                old.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53));
                old.fromVpc(BLUE_VRF, udp(VM, 5000, "192.0.2.99", 53));
            }
            try (NatFixture restarted = new NatFixture(settings)) {
                assertEquals(2, restoreAll(journal, restarted));
                assertEquals(1, NatPortAllocationTest.subscriberPorts(restarted, VM), settings.portAllocation().name());
                assertEquals(2, NatPortAllocationTest.subscriberSessions(restarted, VM), settings.portAllocation().name());
                restarted.advanceSeconds(302);
                assertEquals(2, restarted.sweep());
                assertEquals(0, restarted.sessions.mappingTable().size(), settings.portAllocation().name());
            }
        }
    }

    @Test
    void shouldJournalTheEstablishedStateSoARestoredTcpSessionKeepsItsLongTimeout() {
        RecordingJournal journal = new RecordingJournal();
        int port;
        try (NatFixture old = new NatFixture(NatSettings.defaults())) {
            old.sessions.journal(journal);
            port = new Frame(old.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_SYN)).packet())
                .sourcePort();
            old.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));
            old.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_ACK));
        }
        assertEquals(TcpStates.ESTABLISHED, SessionKeys.tcpState(journal.sessions.get(0)[5]));
        try (NatFixture restarted = new NatFixture(NatSettings.defaults())) {
            restoreAll(journal, restarted);
            restarted.advanceSeconds(60 * 60);
            assertEquals(0, restarted.sweep());
            assertEquals("route",
                restarted.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, TcpFlyweight.FLAG_ACK)).verdict());
        }
    }

    @Test
    void shouldRefuseASessionWhosePublicAddressIsNoLongerConfigured() {
        RecordingJournal journal = new RecordingJournal();
        try (NatFixture old = new NatFixture(NatSettings.defaults())) {
            old.sessions.journal(journal);
            old.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53));
        }
        long[] s = journal.sessions.get(0);
        long otherAddress = SessionKeys.word1(SERVER.hashCode(), Ipv4Flyweight.parse("198.51.100.77"));
        try (NatFixture restarted = new NatFixture(NatSettings.defaults())) {
            int result = restarted.sessions.restorer().restore(restarted.tables, s[0], s[1], s[2], otherAddress, s[4],
                s[5], s[6], s[7], s[8], restarted.nowNs());
            assertEquals(SessionRestorer.STALE_CONFIG, result);
            assertEquals(0, restarted.sessions.sessionCount());
        }
    }
}
