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
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The BGP Identifier check of an OPEN (RFC 6286 §2.2: ours is refused only from an internal peer)
 * and the connection-collision tie-break when both speakers have the same one (RFC 6286 §2.3).
 */
class BgpIdentifierTest {
    private static final InetAddress PEER = InetAddresses.parse("127.0.0.1");
    private static final InetAddress SPEAKER = InetAddresses.parse("127.0.0.6");
    /** The speaker's BGP Identifier, 10.0.0.6. */
    private static final String OUR_IDENTIFIER = "0a000006";

    private BgpSpeaker speaker;

    /** OPEN: AS {@code asHex}, hold 90, our identifier; MP evpn, 4-octet AS. */
    private static String openWithOurIdentifier(String asHex) {
        return "04 " + asHex + " 005a " + OUR_IDENTIFIER + " 10 02 06 01 04 0019 00 46 02 06 41 04 0000" + asHex;
    }

    private void startSpeaker(long localAs, NeighborSettings neighbor) throws Exception {
        speaker = new BgpSpeaker(BgpNodeSettings.builder().routerId(InetAddresses.parse("10.0.0.6")).asNumber(localAs)
                .vtepAddress(InetAddresses.parse("192.0.2.6")).routerMac(0x02_00_00_00_00_06L).listen(SPEAKER, 0)
                .vrf(VrfSettings.of("vpc", 5001, 1)).connectRetry(100, 1000).neighbor(neighbor).build());
        speaker.start();
    }

    @AfterEach
    void stop() {
        if (speaker != null) {
            speaker.close();
        }
    }

    private static void assertCollisionCease(NotificationMessage notification) {
        assertEquals(NotificationMessage.CEASE, notification.errorCode());
        assertEquals(NotificationMessage.CONNECTION_COLLISION_RESOLUTION, notification.errorSubcode());
    }

    @Test
    void shouldAcceptExternalPeerWithOurBgpIdentifier() throws Exception {
        startSpeaker(65000, NeighborSettings.evpn(PEER, 65001).withPassive(true));
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            peer.handshake(openWithOurIdentifier("fde9"));
            assertTrue(Await.until(() -> speaker.peerStates().get(PEER) == BgpState.ESTABLISHED, 3000),
                    () -> "RFC 6286 §2.2 allows an external peer our identifier; state " + speaker.peerStates());
        }
    }

    @Test
    void shouldRefuseInternalPeerWithOurBgpIdentifier() throws Exception {
        startSpeaker(65000, NeighborSettings.evpn(PEER, 65000).withPassive(true));
        try (ScriptedPeer peer = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
            peer.send(WireBuilder.message(BgpMessage.TYPE_OPEN, openWithOurIdentifier("fde8")));
            NotificationMessage error = peer.readNotification();
            assertEquals(NotificationMessage.OPEN_MESSAGE_ERROR, error.errorCode());
            assertEquals(NotificationMessage.BAD_BGP_IDENTIFIER, error.errorSubcode());
        }
    }

    @Test
    void shouldKeepOurConnectionOnCollisionWithEqualIdentifiersWhenOurAsIsLarger() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(PEER, 0));
            startSpeaker(65001, NeighborSettings.evpn(PEER, 65000).withPort(listener.getLocalPort()));
            try (ScriptedPeer ours = ScriptedPeer.accept(listener)) {
                // The connection the speaker initiated reaches OpenConfirm.
                assertInstanceOf(OpenMessage.class, ours.read());
                ours.send(WireBuilder.message(BgpMessage.TYPE_OPEN, openWithOurIdentifier("fde8")));
                assertInstanceOf(KeepaliveMessage.class, ours.read());
                try (ScriptedPeer theirs = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
                    theirs.send(WireBuilder.message(BgpMessage.TYPE_OPEN, openWithOurIdentifier("fde8")));
                    // RFC 6286 §2.3: equal identifiers, so the connection initiated by the speaker
                    // with the larger AS (ours, 65001) is preserved and the peer's is closed.
                    assertCollisionCease(theirs.readNotification());
                }
                ours.send(WireBuilder.message(BgpMessage.TYPE_KEEPALIVE, ""));
                assertTrue(Await.until(() -> speaker.peerStates().get(PEER) == BgpState.ESTABLISHED, 3000),
                        () -> "state " + speaker.peerStates());
            }
        }
    }

    @Test
    void shouldKeepPeersConnectionOnCollisionWithEqualIdentifiersWhenItsAsIsLarger() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(PEER, 0));
            startSpeaker(65000, NeighborSettings.evpn(PEER, 65001).withPort(listener.getLocalPort()));
            try (ScriptedPeer ours = ScriptedPeer.accept(listener)) {
                assertInstanceOf(OpenMessage.class, ours.read());
                ours.send(WireBuilder.message(BgpMessage.TYPE_OPEN, openWithOurIdentifier("fde9")));
                assertInstanceOf(KeepaliveMessage.class, ours.read());
                try (ScriptedPeer theirs = new ScriptedPeer(PEER, SPEAKER, speaker.listenPort())) {
                    theirs.handshake(openWithOurIdentifier("fde9"));
                    // RFC 6286 §2.3: the peer's AS (65001) is the larger, so its connection stays.
                    assertCollisionCease(ours.readNotification());
                    assertTrue(Await.until(() -> speaker.peerStates().get(PEER) == BgpState.ESTABLISHED, 3000),
                            () -> "state " + speaker.peerStates());
                }
            }
        }
    }
}
