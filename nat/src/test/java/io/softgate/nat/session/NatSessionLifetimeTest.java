package io.softgate.nat.session;

import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.Packets.ip;
import static io.softgate.nat.testing.Packets.tcp;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.nat.config.FilteringMode;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.Frame;
import io.softgate.nat.testing.NatFixture;
import org.junit.jupiter.api.Test;

/** Timeouts, refresh, TCP state and the rule that ICMP never ends a mapping. */
class NatSessionLifetimeTest {
    private static final String SERVER = "192.0.2.1";
    private static final String VM = "10.0.0.5";

    private static int openUdp(NatFixture nat) {
        return new Frame(nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)).packet()).sourcePort();
    }

    private static String replyVerdict(NatFixture nat, int port) {
        return nat.fromInternet(udp(SERVER, 53, BLUE_SNAT, port)).verdict();
    }

    @Test
    void shouldKeepUdpMappingForItsFiveMinuteDefaultTimeout() {
        // RFC 4787 REQ-5: at least 2 minutes, 5 recommended (the default here).
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = openUdp(nat);
            nat.advanceSeconds(299);
            assertEquals(0, nat.sweep());
            assertEquals("route", replyVerdict(nat, port));
        }
    }

    @Test
    void shouldKeepASessionForTheLongestTimeoutTheCompilerAccepts() {
        // SessionKeys.MAX_TIMEOUT_NS (about 26 days): the deadline, an int of 2^20-ns ticks compared
        // with wrap-around, still lies ahead right after the packet and all the way to the end.
        long max = SessionKeys.MAX_TIMEOUT_NS;
        try (NatFixture nat = new NatFixture(NatSettings.defaults().withUdpTimeoutNs(max))) {
            int port = openUdp(nat);
            nat.advanceSeconds(1);
            assertEquals(0, nat.sweep());
            assertEquals("route", replyVerdict(nat, port));
            nat.advanceSeconds(2);
            nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)); // an outbound refresh: the deadline moves by the maximum
            nat.clock(nat.nowNs() + max - 1_000_000_000L);
            assertEquals(0, nat.sweep(), "a second before the end");
            nat.clock(nat.nowNs() + 1_000_000_000L + 2 * SessionKeys.REFRESH_STEP_TICKS * SessionKeys.TICK_NS);
            assertEquals(1, nat.sweep());
        }
    }

    @Test
    void shouldExpireUdpMappingAfterItsTimeoutAndDropLateReplies() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = openUdp(nat);
            nat.advanceSeconds(302);
            assertEquals(1, nat.sweep());
            assertEquals(StageHarness.DROPPED, replyVerdict(nat, port));
        }
    }

    @Test
    void shouldKeepUdpMappingTheWholeTimeoutAfterAPacketThatCameWithinASecond() {
        // RFC 4787 REQ-5: the timer must not expire sooner than the timeout after the last packet,
        // even though the deadline is written at most about once a second.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = openUdp(nat);
            nat.clock(nat.nowNs() + 900_000_000L);
            nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53));
            nat.clock(nat.nowNs() + 299_950_000_000L);
            assertEquals(0, nat.sweep());
            assertEquals("route", replyVerdict(nat, port));
        }
    }

    @Test
    void shouldRefreshUdpMappingOnOutboundTraffic() {
        // RFC 4787 REQ-6: outbound refresh behaviour is true.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = openUdp(nat);
            nat.advanceSeconds(240);
            nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53));
            nat.advanceSeconds(240);
            assertEquals(0, nat.sweep());
            assertEquals("route", replyVerdict(nat, port));
        }
    }

    @Test
    void shouldKeepAdmittingAContactedRemoteWhileTheInsideHostKeepsSendingToIt() {
        // RFC 4787 REQ-8 address-dependent filtering with REQ-6 outbound refresh: the VM sends to
        // SERVER:53 every 60 s for 6 minutes (the fast path refreshes its session); SERVER's other
        // ports must still be admitted, as at the start.
        try (NatFixture nat = new NatFixture(NatSettings.defaults().withFiltering(FilteringMode.ADDRESS_DEPENDENT))) {
            int port = openUdp(nat);
            for (int minute = 1; minute <= 6; minute++) {
                nat.advanceSeconds(60);
                nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53));
                nat.sweep();
            }
            assertEquals("route", replyVerdict(nat, port), "the session's own 5-tuple");
            StageHarness.Outcome otherPort = nat.fromInternet(udp(SERVER, 9998, BLUE_SNAT, port));
            assertEquals("route", otherPort.verdict(), "another port of the contacted remote (REQ-8)");
            assertEquals(VM, new Frame(otherPort.packet()).destination());
            assertEquals(0, nat.out2in.counter("nat44-out2in.drop.filtered-address-dependent"));
            assertEquals(StageHarness.DROPPED, nat.fromInternet(udp("192.0.2.77", 9998, BLUE_SNAT, port)).verdict(),
                "a remote never contacted is still filtered");
        }
    }

    @Test
    void shouldKeepAdmittingAContactedRemoteWhileSlowPathPacketsRefreshTheSession() {
        // The same through the slow path: first fragments are never fast-path packets.
        try (NatFixture nat = new NatFixture(NatSettings.defaults().withFiltering(FilteringMode.ADDRESS_DEPENDENT))) {
            int port = openUdp(nat);
            for (int minute = 1; minute <= 6; minute++) {
                nat.advanceSeconds(60);
                byte[] firstFragment = ip(VM, SERVER).identification(0x4000 + minute).fragment(true, 0).udp(5000, 53)
                    .payload(24).build();
                assertEquals("route", nat.fromVpc(BLUE_VRF, firstFragment).verdict());
                nat.sweep();
            }
            assertEquals("route", nat.fromInternet(udp(SERVER, 9998, BLUE_SNAT, port)).verdict());
        }
    }

    @Test
    void shouldForgetAContactedRemoteOnceTheInsideHostStopsSendingToIt() {
        // The permit lasts as long as the session, not forever: 6 idle minutes (UDP timeout 5).
        try (NatFixture nat = new NatFixture(NatSettings.defaults().withFiltering(FilteringMode.ADDRESS_DEPENDENT))) {
            int port = openUdp(nat);
            nat.advanceSeconds(60);
            nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53));
            nat.advanceSeconds(302);
            assertEquals(1, nat.sweep());
            nat.fromVpc(BLUE_VRF, udp(VM, 6000, "192.0.2.99", 53)); // the VM's other endpoint keeps it a subscriber
            assertEquals(StageHarness.DROPPED, nat.fromInternet(udp(SERVER, 9998, BLUE_SNAT, port)).verdict());
        }
    }

    @Test
    void shouldKeepEstablishedTcpForTwoHoursFourMinutes() {
        // RFC 5382 REQ-5: established idle timeout at least 2 h 4 min.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = new Frame(nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_SYN)).packet())
                .sourcePort();
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));
            nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_ACK));
            nat.advanceSeconds(124 * 60 - 5);
            assertEquals(0, nat.sweep());
            assertEquals("route", nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, TcpFlyweight.FLAG_ACK)).verdict());
        }
    }

    @Test
    void shouldExpireHalfOpenTcpAfterTheTransitoryTimeout() {
        // RFC 5382 REQ-5: a connection that never completed its handshake uses the transitory timeout (4 min).
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_SYN));
            nat.advanceSeconds(3 * 60);
            assertEquals(0, nat.sweep());
            nat.advanceSeconds(62);
            assertEquals(1, nat.sweep());
        }
    }

    @Test
    void shouldMoveToTransitoryTimeoutAfterFinFromBothSides() {
        // RFC 7857 §2.1 / RFC 6146: after FINs in both directions the session lives 4 min, not 2 h.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = new Frame(nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_SYN)).packet())
                .sourcePort();
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));
            nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_FIN | TcpFlyweight.FLAG_ACK));
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, TcpFlyweight.FLAG_FIN | TcpFlyweight.FLAG_ACK));
            nat.advanceSeconds(4 * 60 + 2);
            assertEquals(1, nat.sweep());
        }
    }

    @Test
    void shouldGiveANewConnectionOnAClosedConnectionsTupleTheEstablishedTimeout() {
        // RFC 7857 §2.1 / RFC 5382 REQ-5: the old connection closed (both FINs, transitory 4 min);
        // 5 s later the VM reopens the same 5-tuple (TIME-WAIT reuse, RFC 1122 §4.2.2.13). Once its
        // handshake completes it is established, and 5 idle minutes must not cut it.
        int syn = TcpFlyweight.FLAG_SYN;
        int ack = TcpFlyweight.FLAG_ACK;
        int fin = TcpFlyweight.FLAG_FIN;
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = new Frame(nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, syn)).packet()).sourcePort();
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, syn | ack));
            nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, ack));
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, fin | ack));
            nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, fin | ack));
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, ack));
            assertEquals(TcpStates.FIN_BOTH, onlyTcpState(nat));
            nat.advanceSeconds(5);

            Frame reopened = new Frame(nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, syn)).packet());
            assertEquals(port, reopened.sourcePort(), "the same session, hence the same mapping");
            assertEquals(TcpStates.SYN_FROM_INSIDE, onlyTcpState(nat));
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, syn | ack));
            nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, ack));
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, ack));
            assertEquals(TcpStates.ESTABLISHED, onlyTcpState(nat));

            nat.advanceSeconds(5 * 60);
            assertEquals(0, nat.sweep(), "established: 2 h 4 min, not the 4 min of the closed connection");
            assertEquals("route", nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, ack)).verdict());
            nat.advanceSeconds(124 * 60 - 5);
            assertEquals(0, nat.sweep());
            nat.advanceSeconds(10);
            assertEquals(1, nat.sweep(), "and it still ends when idle for the established timeout");
        }
    }

    /** The TCP state of the fixture's only session. */
    private static int onlyTcpState(NatFixture nat) {
        int[] state = {-1};
        int[] sessions = {0};
        nat.sessions.forEachSession((protocol, vrf, insideAddress, insidePort, outsideAddress, outsidePort,
                                     remoteAddress, remotePort, tcpState, expiryTick, dynamic) -> {
            state[0] = tcpState;
            sessions[0]++;
        });
        assertEquals(1, sessions[0], "sessions");
        return state[0];
    }

    @Test
    void shouldReestablishAResetSessionForAPacketBehindTheRstInTheSameBatch() {
        // RFC 6146 §3.5.2.2: a non-RST packet after a RST brings the session back to established.
        // The second packet's batch-lookup copy still says established: it must see the RST's change.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = new Frame(nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_SYN)).packet())
                .sourcePort();
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));
            nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_ACK));
            StageHarness harness = nat.in2out;
            harness.runAll(java.util.List.of(tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_RST | TcpFlyweight.FLAG_ACK),
                tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_ACK)), slot -> {
                    harness.batch().l3Offset[slot] = harness.batch().offset[slot] + 14;
                    harness.batch().vrf[slot] = BLUE_VRF;
                });
            nat.advanceSeconds(4 * 60 + 2);
            assertEquals(0, nat.sweep(), "established again: the 2 h timeout, not the transitory one");
        }
    }

    @Test
    void shouldKeepSessionAfterRstForTheTransitoryTimeout() {
        // RFC 7857 §2.2: a RST does not delete the session at once.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = new Frame(nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_SYN)).packet())
                .sourcePort();
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, TcpFlyweight.FLAG_RST));
            nat.advanceSeconds(60);
            assertEquals(0, nat.sweep());
            assertEquals("route", nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port, TcpFlyweight.FLAG_RST)).verdict());
            nat.advanceSeconds(4 * 60 + 2);
            assertEquals(1, nat.sweep());
        }
    }

    @Test
    void shouldKeepIcmpQueryMappingSixtySeconds() {
        // RFC 5508: ICMP query session timeout at least 60 s.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            nat.fromVpc(BLUE_VRF, ip(VM, SERVER).icmpEcho(300, 1).payload(8).build());
            nat.advanceSeconds(59);
            assertEquals(0, nat.sweep());
            nat.advanceSeconds(3);
            assertEquals(1, nat.sweep());
        }
    }

    @Test
    void shouldNotEndMappingWhenIcmpErrorArrives() {
        // RFC 5382 REQ-10: receipt of ICMP never terminates the mapping.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            byte[] sent = nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)).packet();
            int port = new Frame(sent).sourcePort();
            byte[] quoted = java.util.Arrays.copyOfRange(sent, 14, sent.length);
            nat.fromInternet(ip(SERVER, BLUE_SNAT).icmp(IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0).payload(quoted).build());
            assertEquals(0, nat.sweep());
            assertEquals("route", replyVerdict(nat, port));
        }
    }

    @Test
    void shouldNotReuseFreedPortForOneHundredTwentySeconds() {
        // DESIGN §8 / RFC 6888: a freed external port waits 120 s before another mapping may take it.
        try (NatFixture nat = new NatFixture(NatSettings.defaults().withPortRange(40000, 40000))) {
            assertEquals(40000, openUdp(nat));
            nat.advanceSeconds(302); // past the 300 s timeout and the deadline's refresh slack (about 1 s)
            assertEquals(1, nat.sweep());
            StageHarness.Outcome refused = nat.fromVpc(BLUE_VRF, udp("10.0.0.6", 5000, SERVER, 53));
            assertEquals(IcmpFlyweight.V4_DESTINATION_UNREACHABLE, new Frame(refused.packet()).icmpType());
            nat.advanceSeconds(121);
            StageHarness.Outcome reused = nat.fromVpc(BLUE_VRF, udp("10.0.0.6", 5000, SERVER, 53));
            assertEquals(40000, new Frame(reused.packet()).sourcePort());
        }
    }

    @Test
    void shouldTranslateReplyOnAnotherWorkerThanTheOneThatCreatedTheSession() {
        // DESIGN §2: both directions find the same state whichever worker receives them.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = openUdp(nat);
            StageHarness otherWorker = new StageHarness(io.softgate.nat.stage.NatStageFactories
                .out2in(nat.sessions, "route").create(1), snapshotOf(nat));
            otherWorker.nowNs(nat.nowNs());
            StageHarness.Outcome reply = otherWorker.run(udp(SERVER, 53, BLUE_SNAT, port), slot -> {
                otherWorker.batch().l3Offset[slot] = otherWorker.batch().offset[slot] + 14;
                otherWorker.batch().vrf[slot] = NatFixture.PUBLIC_VRF;
            });
            assertEquals("route", reply.verdict());
            assertEquals(VM, new Frame(reply.packet()).destination());
            assertNotEquals(0, port);
        }
    }

    private static io.softgate.core.snapshot.ConfigSnapshot snapshotOf(NatFixture nat) {
        return new io.softgate.core.snapshot.SnapshotPublisher(new io.softgate.core.snapshot.WorkerEpochs(2))
            .publish(io.softgate.core.snapshot.ConfigSnapshot.builder()
                .with(io.softgate.nat.compile.NatTables.SLOT, nat.tables));
    }
}
