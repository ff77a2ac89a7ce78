package io.softgate.evpn.bgp.session;

import static io.softgate.evpn.bgp.message.WireBuilder.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.StopMode;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.KeepaliveMessage;
import io.softgate.evpn.bgp.message.NotificationMessage;
import io.softgate.evpn.bgp.message.OpenMessage;
import io.softgate.evpn.bgp.message.UpdateMessage;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The restarting speaker's side of graceful restart: a planned stop that the peers ride through
 * (RFC 4724 §4: the TCP connection closed, no NOTIFICATION), the stop that withdraws
 * ({@code onStop} shutdown, {@link BgpSpeaker#shutdownSessions}), and after a restart the Restart
 * State bit with updates and End-of-RIB deferred until the peers' End-of-RIB (RFC 4724 §4.1).
 */
class PlannedRestartTest extends GracefulRestartSpeakerTestBase {
    /** The peer restarted too: R bit, restart time 120 s. */
    private static final String OPEN_RESTARTING = OPEN_TEMPLATE.replace("RESTART", "8078");
    private static final NotificationMessage ADMINISTRATIVE_SHUTDOWN =
            new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.ADMINISTRATIVE_SHUTDOWN);

    PlannedRestartTest() {
        super(9);
    }

    /** Starts the speaker with {@code restart} and one type-5 route of its own to advertise. */
    @Override
    void startSpeaker(GracefulRestartSettings restart) throws Exception {
        super.startSpeaker(restart);
        speaker.advertiseType5(5001, InetAddresses.parse("203.0.113.9"), 32).get();
    }

    private ScriptedPeer establish(String open) throws Exception {
        ScriptedPeer peer = connectPeer();
        peer.handshake(open);
        assertTrue(Await.until(this::peerEstablished, 3000));
        return peer;
    }

    private static List<NotificationMessage> notifications(List<BgpMessage> messages) {
        return messages.stream().filter(NotificationMessage.class::isInstance).map(NotificationMessage.class::cast).toList();
    }

    /** The next message that is not a KEEPALIVE. */
    private static BgpMessage readSkippingKeepalives(ScriptedPeer peer) throws IOException {
        BgpMessage message = peer.read();
        while (message instanceof KeepaliveMessage) {
            message = peer.read();
        }
        return message;
    }

    // ---- stop ------------------------------------------------------------------------------

    @Test
    void shouldCloseTheSessionWithoutNotificationOnStopWhenGracefulRestartIsNegotiated() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = establish(OPEN_WITH_N)) {
            assertEquals(StopMode.RESTART, speaker.stop());
            speaker = null;
            List<BgpMessage> sent = peer.readUntilClosed();
            assertEquals(List.of(), notifications(sent), "RFC 4724 §4: a NOTIFICATION would make the peer flush our routes");
        }
    }

    @Test
    void shouldCloseWithoutNotificationToPeerWithoutTheNotificationBitToo() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = establish(OPEN_WITHOUT_N)) {
            speaker.close();
            speaker = null;
            assertEquals(List.of(), notifications(peer.readUntilClosed()), "a plain close is a graceful restart to an RFC 4724 peer");
        }
    }

    @Test
    void shouldSendCeaseOnStopToPeerWithoutGracefulRestart() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = establish(OPEN_WITHOUT_GRACEFUL_RESTART)) {
            speaker.close();
            speaker = null;
            assertEquals(List.of(ADMINISTRATIVE_SHUTDOWN), notifications(peer.readUntilClosed()),
                    "the peer flushes our routes either way: tell it why");
        }
    }

    @Test
    void shouldSendCeaseOnStopWhenGracefulRestartIsDisabled() throws Exception {
        startSpeaker(GracefulRestartSettings.DISABLED);
        try (ScriptedPeer peer = establish(OPEN_WITH_N)) {
            assertEquals(StopMode.SHUTDOWN, speaker.stop());
            speaker = null;
            assertEquals(List.of(ADMINISTRATIVE_SHUTDOWN), notifications(peer.readUntilClosed()));
        }
    }

    @Test
    void shouldSendHardResetOnStopWithOnStopShutdown() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withOnStop(StopMode.SHUTDOWN));
        try (ScriptedPeer peer = establish(OPEN_WITH_N)) {
            assertEquals(StopMode.SHUTDOWN, speaker.stop());
            speaker = null;
            List<NotificationMessage> sent = notifications(peer.readUntilClosed());
            assertEquals(1, sent.size());
            assertTrue(sent.get(0).isHardReset(), () -> "RFC 8538 §5.1: " + sent);
            assertEquals(ADMINISTRATIVE_SHUTDOWN, sent.get(0).hardResetCause());
        }
    }

    @Test
    void shouldSendHardResetOnShutdownSessionsAndKeepTheNeighbourDown() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = establish(OPEN_WITH_N)) {
            assertEquals(1, speaker.shutdownSessions().get());
            List<NotificationMessage> sent = notifications(peer.readUntilClosed());
            assertEquals(1, sent.size());
            assertTrue(sent.get(0).isHardReset(), () -> "RFC 8538 §5.1: " + sent);
        }
        assertTrue(speaker.isShutDown());
        try (ScriptedPeer again = connectPeer()) {
            again.send(io.softgate.evpn.bgp.message.WireBuilder.message(BgpMessage.TYPE_OPEN, OPEN_WITH_N));
            assertEquals(List.of(), again.readUntilClosed(), "a shut-down neighbour's connection is refused");
        }
        assertEquals(StopMode.SHUTDOWN, speaker.stop(), "the stop after a shutdown is a shutdown, whatever onStop says");
        speaker = null;
    }

    @Test
    void shouldSendCeaseOnShutdownSessionsToPeerWithoutN() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = establish(OPEN_WITHOUT_N)) {
            speaker.shutdownSessions().get();
            assertEquals(List.of(ADMINISTRATIVE_SHUTDOWN), notifications(peer.readUntilClosed()), "RFC 8538 §3: no Hard Reset without N");
        }
    }

    // ---- after a restart -------------------------------------------------------------------

    @Test
    void shouldNotSetRestartStateWhenNotRestarting() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = connectPeer()) {
            OpenMessage open = (OpenMessage) peer.handshake(OPEN_WITH_N);
            assertFalse(open.gracefulRestart().restartState());
            UpdateMessage routes = (UpdateMessage) readSkippingKeepalives(peer);
            assertEquals(1, routes.mpReach().nlri().size(), "not restarting: nothing deferred");
        }
    }

    @Test
    void shouldSetRestartStateAndDeferRoutesUntilThePeersEndOfRib() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withRestarting(true));
        try (ScriptedPeer peer = connectPeer()) {
            OpenMessage open = (OpenMessage) peer.handshake(OPEN_WITH_N);
            assertTrue(open.gracefulRestart().restartState(), "RFC 4724 §3: R bit after a restart");
            assertTrue(speaker.restartInProgress());
            peer.setReadTimeoutMillis(700);
            assertThrows(SocketTimeoutException.class, () -> readSkippingKeepalives(peer),
                    "RFC 4724 §4.1: no UPDATE before the peer's End-of-RIB");
            peer.setReadTimeoutMillis(3000);
            peer.send(update("", EVPN_END_OF_RIB, ""));
            UpdateMessage routes = (UpdateMessage) readSkippingKeepalives(peer);
            assertEquals(1, routes.mpReach().nlri().size());
            UpdateMessage endOfRib = (UpdateMessage) readSkippingKeepalives(peer);
            assertEquals(AddressFamily.L2VPN_EVPN, endOfRib.endOfRibFamily());
            assertFalse(speaker.restartInProgress());
        }
    }

    @Test
    void shouldSendRoutesAndEndOfRibWhenTheSelectionDeferralTimerExpires() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withRestarting(true).withSelectionDeferralTimeSeconds(1));
        try (ScriptedPeer peer = connectPeer()) {
            peer.handshake(OPEN_WITH_N);
            long start = System.nanoTime();
            UpdateMessage routes = (UpdateMessage) readSkippingKeepalives(peer); // the peer never sends End-of-RIB
            assertTrue(System.nanoTime() - start > 500_000_000L, "held back until the 1 s timer");
            assertEquals(1, routes.mpReach().nlri().size());
            assertEquals(AddressFamily.L2VPN_EVPN, ((UpdateMessage) readSkippingKeepalives(peer)).endOfRibFamily());
        }
    }

    @Test
    void shouldNotWaitForAPeerThatIsRestartingToo() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withRestarting(true));
        try (ScriptedPeer peer = connectPeer()) {
            peer.handshake(OPEN_RESTARTING);
            UpdateMessage routes = (UpdateMessage) readSkippingKeepalives(peer);
            assertEquals(1, routes.mpReach().nlri().size(), "RFC 4724 §3/§4.1: it waits for our End-of-RIB, we must not wait for its");
        }
    }

    @Test
    void shouldSendRoutesAtOnceToPeerWithoutGracefulRestartWhileDeferring() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withRestarting(true));
        try (ScriptedPeer peer = connectPeer()) {
            OpenMessage open = (OpenMessage) peer.handshake(OPEN_WITHOUT_GRACEFUL_RESTART);
            assertTrue(open.gracefulRestart().restartState());
            UpdateMessage routes = (UpdateMessage) readSkippingKeepalives(peer);
            assertEquals(1, routes.mpReach().nlri().size(), "it flushed our routes: every second without them is an outage");
        }
    }

    @Test
    void shouldClearRestartStateInTheOpenOfASessionAfterTheRestartCompleted() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withRestarting(true));
        try (ScriptedPeer peer = connectPeer()) {
            assertTrue(((OpenMessage) peer.handshake(OPEN_WITH_N)).gracefulRestart().restartState());
            peer.send(update("", EVPN_END_OF_RIB, ""));
            assertInstanceOf(UpdateMessage.class, readSkippingKeepalives(peer));
        }
        assertTrue(Await.until(() -> !peerEstablished(), 3000));
        try (ScriptedPeer peer = connectPeer()) {
            OpenMessage open = (OpenMessage) peer.handshake(OPEN_WITH_N);
            assertFalse(open.gracefulRestart().restartState(), "the restart is over: a later session is no restart of ours");
        }
    }
}
