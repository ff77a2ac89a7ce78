package io.softgate.evpn.bgp.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.KeepaliveMessage;
import io.softgate.evpn.bgp.message.NotificationMessage;
import io.softgate.evpn.bgp.message.OpenMessage;
import io.softgate.evpn.bgp.message.WireBuilder;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFC 4271 §8.2.2 state machine events and the RFC 6608 FSM error subcodes. */
class BgpFsmTest {
    private static final InetAddress PEER = InetAddresses.parse("127.0.0.1");
    private static final InetAddress SPEAKER = InetAddresses.parse("127.0.0.5");
    /** OPEN: AS 65000, hold 90, id 10.0.0.99; MP evpn, 4-octet AS. */
    private static final String OPEN = """
            04 fde8 005a 0a000063 10
            02 06 01 04 0019 00 46
            02 06 41 04 0000fde8
            """;

    private static final String OPEN_HOLD_THREE = OPEN.replace("04 fde8 005a", "04 fde8 0003");

    private BgpSpeaker speaker;

    @BeforeEach
    void startSpeaker() throws Exception {
        speaker = new BgpSpeaker(BgpNodeSettings.builder().routerId(InetAddresses.parse("10.0.0.5")).asNumber(65000)
                .vtepAddress(InetAddresses.parse("192.0.2.5")).routerMac(0x02_00_00_00_00_05L).listen(SPEAKER, 0)
                .vrf(VrfSettings.of("vpc", 5001, 1))
                .neighbor(NeighborSettings.evpn(PEER, 65000).withPassive(true)).build());
        speaker.start();
    }

    @AfterEach
    void stop() {
        speaker.close();
    }

    @Test
    void shouldSendFsmErrorSubcodeOneForUnexpectedMessageInOpenSent() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            assertInstanceOf(OpenMessage.class, peer.read());
            peer.send(WireBuilder.message(BgpMessage.TYPE_KEEPALIVE, ""));
            NotificationMessage error = peer.readNotification();
            assertEquals(NotificationMessage.FINITE_STATE_MACHINE_ERROR, error.errorCode());
            assertEquals(NotificationMessage.UNEXPECTED_MESSAGE_IN_OPEN_SENT, error.errorSubcode());
        }
    }

    @Test
    void shouldSendFsmErrorSubcodeTwoForUnexpectedMessageInOpenConfirm() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            peer.send(WireBuilder.message(BgpMessage.TYPE_OPEN, OPEN));
            assertInstanceOf(OpenMessage.class, peer.read());
            peer.read();
            peer.send(WireBuilder.message(BgpMessage.TYPE_ROUTE_REFRESH, "0019 00 46"));
            NotificationMessage error = peer.readNotification();
            assertEquals(NotificationMessage.FINITE_STATE_MACHINE_ERROR, error.errorCode());
            assertEquals(NotificationMessage.UNEXPECTED_MESSAGE_IN_OPEN_CONFIRM, error.errorSubcode());
        }
    }

    @Test
    void shouldSendFsmErrorSubcodeThreeForUnexpectedMessageInEstablished() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            peer.handshake(OPEN);
            peer.send(WireBuilder.message(BgpMessage.TYPE_OPEN, OPEN));
            NotificationMessage error = peer.readNotification();
            assertEquals(NotificationMessage.FINITE_STATE_MACHINE_ERROR, error.errorCode());
            assertEquals(NotificationMessage.UNEXPECTED_MESSAGE_IN_ESTABLISHED, error.errorSubcode());
        }
    }

    @Test
    void shouldSendKeepalivesInOpenConfirm() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            peer.send(WireBuilder.message(BgpMessage.TYPE_OPEN, OPEN_HOLD_THREE));
            assertInstanceOf(OpenMessage.class, peer.read());
            assertInstanceOf(KeepaliveMessage.class, peer.read());
            // Still in OpenConfirm (no KEEPALIVE from the peer): the KeepaliveTimer (hold / 3 = 1 s)
            // runs already, before the 3 s hold timer could expire.
            assertInstanceOf(KeepaliveMessage.class, peer.read());
            assertEquals(BgpState.OPEN_CONFIRM, speaker.peerStates().get(PEER));
        }
    }

    @Test
    void shouldRestartHoldTimerOnKeepaliveInOpenConfirm() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            long openSent = System.nanoTime();
            peer.send(WireBuilder.message(BgpMessage.TYPE_OPEN, OPEN_HOLD_THREE));
            assertInstanceOf(OpenMessage.class, peer.read());
            Thread.sleep(2000);
            peer.send(WireBuilder.message(BgpMessage.TYPE_KEEPALIVE, ""));
            assertTrue(Await.until(() -> speaker.peerStates().get(PEER) == BgpState.ESTABLISHED, 1000));
            // The hold timer set on the OPEN would expire 3 s after it; the KEEPALIVE restarted it.
            Thread.sleep(Math.max(0, 3800 - (System.nanoTime() - openSent) / 1_000_000));
            assertEquals(BgpState.ESTABLISHED, speaker.peerStates().get(PEER));
        }
    }
}
