package io.softgate.evpn.bgp.session;

import static io.softgate.evpn.bgp.message.WireBuilder.EMPTY_AS_PATH;
import static io.softgate.evpn.bgp.message.WireBuilder.ORIGIN_IGP;
import static io.softgate.evpn.bgp.message.WireBuilder.attribute;
import static io.softgate.evpn.bgp.message.WireBuilder.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.StopMode;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.NotificationMessage;
import io.softgate.evpn.bgp.message.OpenMessage;
import io.softgate.evpn.bgp.message.WireBuilder;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.system.Routes;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 8538: the N bit in our Graceful Restart capability, a NOTIFICATION either way (and a
 * hold-timer expiry) as a graceful restart when both sides set it, and the Hard Reset that
 * still flushes.
 */
class NotificationGracefulRestartTest {
    private static final InetAddress PEER = InetAddresses.parse("127.0.0.1");
    private static final InetAddress SPEAKER = InetAddresses.parse("127.0.0.7");
    /** OPEN: AS 65000, hold 90, id 10.0.0.99; MP evpn, 4-octet AS, GR flags + time {@code restartHex} with evpn F bit. */
    private static final String OPEN_TEMPLATE = """
            04 fde8 005a 0a000063 1a
            02 06 01 04 0019 00 46
            02 06 41 04 0000fde8
            02 08 40 06 RESTART 0019 46 80
            """;
    /** N bit, restart time 1 s. */
    private static final String OPEN_N_RESTART_ONE = OPEN_TEMPLATE.replace("RESTART", "4001");
    /** N bit, restart time 120 s: only a flush can remove the routes within the test. */
    private static final String OPEN_N_RESTART_LONG = OPEN_TEMPLATE.replace("RESTART", "4078");
    /** No N bit, restart time 120 s. */
    private static final String OPEN_WITHOUT_N = OPEN_TEMPLATE.replace("RESTART", "0078");
    private static final String COMMUNITIES = attribute(0xc0, 16, "0002fde800001389 030c000000000008 0603020000000063");
    private static final String TYPE5 = "05 22 0001 0a000063 0001 00000000000000000000 00000000 20 c6336401 00000000 001389";
    private static final String REACH = attribute(0x90, 14, "0019 46 04 c0000263 00 " + TYPE5);

    private BgpSpeaker speaker;
    private final RecordingListener listener = new RecordingListener();

    private void startSpeaker(GracefulRestartSettings restart) throws Exception {
        speaker = new BgpSpeaker(BgpNodeSettings.builder().routerId(InetAddresses.parse("10.0.0.7")).asNumber(65000)
                .vtepAddress(InetAddresses.parse("192.0.2.7")).routerMac(0x02_00_00_00_00_07L).listen(SPEAKER, 0)
                .vrf(VrfSettings.of("vpc", 5001, 1)).gracefulRestart(restart)
                .neighbor(NeighborSettings.evpn(PEER, 65000).withPassive(true)).build());
        speaker.addListener(listener);
        speaker.start();
    }

    @AfterEach
    void stop() {
        if (speaker != null) {
            speaker.close();
        }
    }

    private boolean learned() {
        return Routes.last(listener, "198.51.100.1") != null && !Routes.last(listener, "198.51.100.1").withdrawn();
    }

    /** Handshake with {@code open}, one type-5 route learned; returns the speaker's OPEN. */
    private OpenMessage establishWithRoute(ScriptedPeer peer, String open) throws Exception {
        OpenMessage ours = (OpenMessage) peer.handshake(open);
        peer.send(update("", ORIGIN_IGP + EMPTY_AS_PATH + COMMUNITIES + REACH, ""));
        assertTrue(Await.until(this::learned, 3000));
        return ours;
    }

    private static NotificationMessage readNotification(ScriptedPeer peer) throws Exception {
        BgpMessage message = peer.read();
        while (!(message instanceof NotificationMessage)) {
            message = peer.read();
        }
        return (NotificationMessage) message;
    }

    private void peerSendsNotification(String open, String notificationHex) throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            establishWithRoute(peer, open);
            peer.send(WireBuilder.message(BgpMessage.TYPE_NOTIFICATION, notificationHex));
            assertTrue(Await.until(() -> speaker.peerStates().get(PEER) != BgpState.ESTABLISHED, 3000));
        }
    }

    @Test
    void shouldSetTheNotificationBitByDefault() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            OpenMessage ours = (OpenMessage) peer.handshake(OPEN_WITHOUT_N);
            assertTrue(ours.gracefulRestart().notificationSupport());
        }
    }

    @Test
    void shouldClearTheNotificationBitWhenConfiguredOff() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withNotification(false));
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            OpenMessage ours = (OpenMessage) peer.handshake(OPEN_WITHOUT_N);
            assertFalse(ours.gracefulRestart().notificationSupport());
        }
    }

    @Test
    void shouldKeepRoutesStaleWhenPeerSendsNotificationAndBothSetN() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        peerSendsNotification(OPEN_N_RESTART_ONE, "06 06"); // Cease, Other Configuration Change
        Thread.sleep(300);
        assertTrue(learned(), "RFC 8538 §4: kept as stale, as after a TCP failure");
        assertTrue(Await.until(() -> !learned(), 3000), "the peer's 1 s restart time passed");
        assertEquals(1, speaker.ribCounters().staleRoutesSwept());
    }

    @Test
    void shouldKeepRoutesStaleWhenSpeakerSendsNotificationAndBothSetN() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            establishWithRoute(peer, OPEN_N_RESTART_LONG);
            peer.send(WireBuilder.message(BgpMessage.TYPE_OPEN, OPEN_N_RESTART_LONG)); // an OPEN in Established
            NotificationMessage sent = readNotification(peer);
            assertEquals(NotificationMessage.FINITE_STATE_MACHINE_ERROR, sent.errorCode());
            assertTrue(Await.until(() -> speaker.peerStates().get(PEER) != BgpState.ESTABLISHED, 3000));
        }
        Thread.sleep(300);
        assertTrue(learned(), "RFC 8538 §4: the sender of the NOTIFICATION keeps the peer's routes as stale too");
    }

    @Test
    void shouldKeepRoutesStaleWhenHoldTimerExpiresAndBothSetN() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            establishWithRoute(peer, OPEN_N_RESTART_LONG.replace("04 fde8 005a", "04 fde8 0003"));
            // No KEEPALIVE from the peer: the speaker's 3 s hold timer expires.
            NotificationMessage sent = readNotification(peer);
            assertEquals(NotificationMessage.HOLD_TIMER_EXPIRED, sent.errorCode(), "not a Hard Reset: " + sent);
            assertTrue(Await.until(() -> speaker.peerStates().get(PEER) != BgpState.ESTABLISHED, 3000));
        }
        Thread.sleep(300);
        assertTrue(learned(), "RFC 8538 §4: a hold-timer expiry restarts gracefully");
    }

    @Test
    void shouldFlushRoutesWhenPeerSendsHardReset() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        peerSendsNotification(OPEN_N_RESTART_LONG, "06 09 0602"); // Hard Reset (Administrative Shutdown)
        assertTrue(Await.until(() -> !learned(), 1000), "RFC 8538 §3.2: a Hard Reset flushes");
    }

    @Test
    void shouldFlushRoutesWhenPeerSendsHardResetTooShortForItsCause() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        peerSendsNotification(OPEN_N_RESTART_LONG, "06 09 06"); // one octet where two are needed
        assertTrue(Await.until(() -> !learned(), 1000), "still a Hard Reset: the outer subcode decides");
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            peer.handshake(OPEN_N_RESTART_LONG);
            assertTrue(Await.until(() -> speaker.peerStates().get(PEER) == BgpState.ESTABLISHED, 3000),
                    "the peer can come back");
        }
    }

    @Test
    void shouldFlushRoutesOnNotificationWhenOurNotificationBitIsOff() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withNotification(false));
        peerSendsNotification(OPEN_N_RESTART_LONG, "06 06");
        assertTrue(Await.until(() -> !learned(), 1000), "RFC 4724 §4: N not exchanged, a NOTIFICATION flushes");
    }

    @Test
    void shouldSendHardResetOnStopWithOnStopShutdownWhenBothSetN() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withOnStop(StopMode.SHUTDOWN));
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            peer.handshake(OPEN_N_RESTART_LONG);
            assertTrue(Await.until(() -> speaker.peerStates().get(PEER) == BgpState.ESTABLISHED, 3000));
            speaker.close();
            speaker = null;
            NotificationMessage sent = readNotification(peer);
            assertTrue(sent.isHardReset(), () -> "RFC 8538 §5.1: " + sent);
            assertEquals(new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.ADMINISTRATIVE_SHUTDOWN),
                    sent.hardResetCause());
        }
    }

    @Test
    void shouldNeverSendHardResetToPeerWithoutN() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withOnStop(StopMode.SHUTDOWN));
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            peer.handshake(OPEN_WITHOUT_N);
            assertTrue(Await.until(() -> speaker.peerStates().get(PEER) == BgpState.ESTABLISHED, 3000));
            speaker.close();
            speaker = null;
            assertEquals(new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.ADMINISTRATIVE_SHUTDOWN),
                    readNotification(peer), "RFC 8538 §3");
        }
    }
}
