package io.softgate.evpn.bgp.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.StopMode;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.NotificationMessage;
import io.softgate.evpn.bgp.message.OpenMessage;
import io.softgate.evpn.bgp.message.WireBuilder;
import org.junit.jupiter.api.Test;

/**
 * RFC 8538: the N bit in our Graceful Restart capability, a NOTIFICATION either way (and a
 * hold-timer expiry) as a graceful restart when both sides set it, and the Hard Reset that
 * still flushes.
 */
class NotificationGracefulRestartTest extends GracefulRestartSpeakerTestBase {
    /** N bit, restart time 1 s. */
    private static final String OPEN_N_RESTART_ONE = OPEN_TEMPLATE.replace("RESTART", "4001");

    NotificationGracefulRestartTest() {
        super(7);
    }

    private void peerSendsNotification(String open, String notificationHex) throws Exception {
        try (ScriptedPeer peer = connectPeer()) {
            establishWithRoute(peer, open);
            peer.send(WireBuilder.message(BgpMessage.TYPE_NOTIFICATION, notificationHex));
            assertTrue(Await.until(() -> !peerEstablished(), 3000));
        }
    }

    @Test
    void shouldSetTheNotificationBitByDefault() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = connectPeer()) {
            OpenMessage ours = (OpenMessage) peer.handshake(OPEN_WITHOUT_N);
            assertTrue(ours.gracefulRestart().notificationSupport());
        }
    }

    @Test
    void shouldClearTheNotificationBitWhenConfiguredOff() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withNotification(false));
        try (ScriptedPeer peer = connectPeer()) {
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
        try (ScriptedPeer peer = connectPeer()) {
            establishWithRoute(peer, OPEN_WITH_N);
            peer.send(WireBuilder.message(BgpMessage.TYPE_OPEN, OPEN_WITH_N)); // an OPEN in Established
            NotificationMessage sent = peer.readNotification();
            assertEquals(NotificationMessage.FINITE_STATE_MACHINE_ERROR, sent.errorCode());
            assertTrue(Await.until(() -> !peerEstablished(), 3000));
        }
        Thread.sleep(300);
        assertTrue(learned(), "RFC 8538 §4: the sender of the NOTIFICATION keeps the peer's routes as stale too");
    }

    @Test
    void shouldKeepRoutesStaleWhenHoldTimerExpiresAndBothSetN() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = connectPeer()) {
            establishWithRoute(peer, OPEN_WITH_N.replace("04 fde8 005a", "04 fde8 0003"));
            // No KEEPALIVE from the peer: the speaker's 3 s hold timer expires.
            NotificationMessage sent = peer.readNotification();
            assertEquals(NotificationMessage.HOLD_TIMER_EXPIRED, sent.errorCode(), "not a Hard Reset: " + sent);
            assertTrue(Await.until(() -> !peerEstablished(), 3000));
        }
        Thread.sleep(300);
        assertTrue(learned(), "RFC 8538 §4: a hold-timer expiry restarts gracefully");
    }

    @Test
    void shouldFlushRoutesWhenPeerSendsHardReset() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        peerSendsNotification(OPEN_WITH_N, "06 09 0602"); // Hard Reset (Administrative Shutdown)
        assertTrue(Await.until(() -> !learned(), 1000), "RFC 8538 §3.2: a Hard Reset flushes");
    }

    @Test
    void shouldFlushRoutesWhenPeerSendsHardResetTooShortForItsCause() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        peerSendsNotification(OPEN_WITH_N, "06 09 06"); // one octet where two are needed
        assertTrue(Await.until(() -> !learned(), 1000), "still a Hard Reset: the outer subcode decides");
        try (ScriptedPeer peer = connectPeer()) {
            peer.handshake(OPEN_WITH_N);
            assertTrue(Await.until(this::peerEstablished, 3000), "the peer can come back");
        }
    }

    @Test
    void shouldFlushRoutesOnNotificationWhenOurNotificationBitIsOff() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withNotification(false));
        peerSendsNotification(OPEN_WITH_N, "06 06");
        assertTrue(Await.until(() -> !learned(), 1000), "RFC 4724 §4: N not exchanged, a NOTIFICATION flushes");
    }

    @Test
    void shouldSendHardResetOnStopWithOnStopShutdownWhenBothSetN() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withOnStop(StopMode.SHUTDOWN));
        try (ScriptedPeer peer = connectPeer()) {
            peer.handshake(OPEN_WITH_N);
            assertTrue(Await.until(this::peerEstablished, 3000));
            speaker.close();
            speaker = null;
            NotificationMessage sent = peer.readNotification();
            assertTrue(sent.isHardReset(), () -> "RFC 8538 §5.1: " + sent);
            assertEquals(new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.ADMINISTRATIVE_SHUTDOWN),
                    sent.hardResetCause());
        }
    }

    @Test
    void shouldNeverSendHardResetToPeerWithoutN() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withOnStop(StopMode.SHUTDOWN));
        try (ScriptedPeer peer = connectPeer()) {
            peer.handshake(OPEN_WITHOUT_N);
            assertTrue(Await.until(this::peerEstablished, 3000));
            speaker.close();
            speaker = null;
            assertEquals(new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.ADMINISTRATIVE_SHUTDOWN),
                    peer.readNotification(), "RFC 8538 §3");
        }
    }
}
