package io.softgate.evpn.bgp.session;

import static io.softgate.evpn.bgp.message.WireBuilder.EMPTY_AS_PATH;
import static io.softgate.evpn.bgp.message.WireBuilder.ORIGIN_IGP;
import static io.softgate.evpn.bgp.message.WireBuilder.attribute;
import static io.softgate.evpn.bgp.message.WireBuilder.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.capability.GracefulRestartCapability;
import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.StopMode;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.OpenMessage;
import io.softgate.evpn.bgp.message.RouteRefreshMessage;
import io.softgate.evpn.bgp.message.UpdateMessage;
import io.softgate.evpn.bgp.message.WireBuilder;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.system.Routes;
import org.junit.jupiter.api.Test;

/** Graceful restart (RFC 4724) in both roles, the RFC 4456 loop check and route refresh. */
class GracefulRestartAndLoopTest extends GracefulRestartSpeakerTestBase {
    /** OPEN: AS 65000, hold 90, id 10.0.0.99; MP evpn, 4-octet AS, GR restart time 1 s with evpn F bit. */
    private static final String OPEN_WITH_GRACEFUL_RESTART = OPEN_TEMPLATE.replace("RESTART", "0001");

    GracefulRestartAndLoopTest() {
        super(4);
    }

    @Test
    void shouldKeepRestartingPeersRoutesUntilItsEndOfRib() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = connectPeer()) {
            establishWithRoute(peer, OPEN_WITH_GRACEFUL_RESTART);
        }
        Thread.sleep(300);
        assertTrue(learned(), "stale route kept while the peer restarts");
        try (ScriptedPeer peer = connectPeer()) {
            peer.handshake(OPEN_WITH_GRACEFUL_RESTART);
            assertTrue(Await.until(this::peerEstablished, 3000));
            assertTrue(learned(), "still kept after the peer is back, until its End-of-RIB");
            peer.send(update("", EVPN_END_OF_RIB, ""));
            assertTrue(Await.until(() -> !learned(), 3000), "End-of-RIB swept the route the peer did not resend");
            assertEquals(1, speaker.ribCounters().staleRoutesSwept());
        }
    }

    @Test
    void shouldNotLetAnEarlierRestartsStalePathTimerSweepTheRoutes() throws Exception {
        startSpeaker(new GracefulRestartSettings(true, 120, false, true, 6, true, StopMode.RESTART, 60));
        // GR restart time 120 s with the evpn F bit: only the 6 s stale-path timer can sweep.
        String open = OPEN_WITHOUT_N;
        try (ScriptedPeer peer = connectPeer()) {
            establishWithRoute(peer, open);
        }
        long firstRestart;
        try (ScriptedPeer peer = connectPeer()) {
            peer.handshake(open);
            assertTrue(Await.until(this::peerEstablished, 3000));
            firstRestart = System.nanoTime();
        }
        Thread.sleep(2000);
        try (ScriptedPeer peer = connectPeer()) {
            peer.handshake(open);
            assertTrue(Await.until(this::peerEstablished, 3000));
            // The first restart's stale-path timer would have run out 6 s after it; this one's runs
            // until about 8 s after it: a second of margin on either side of the check.
            Thread.sleep(Math.max(0, 7000 - (System.nanoTime() - firstRestart) / 1_000_000));
            assertTrue(learned(), "stale route kept for this restart's full stale-path time");
            assertTrue(Await.until(() -> !learned(), 4000), "this restart's stale-path timer sweeps it");
        }
    }

    @Test
    void shouldDropStaleRoutesWhenRestartTimeRunsOut() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = connectPeer()) {
            establishWithRoute(peer, OPEN_WITH_GRACEFUL_RESTART);
        }
        assertTrue(Await.until(() -> !learned(), 3000), "the peer's 1 s restart time passed");
    }

    @Test
    void shouldDropRoutesAtOnceWhenHoldTimerExpires() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        // Hold time 3 s, GR restart time 120 s with the evpn F bit, N bit clear on the peer's side.
        String openHoldThree = OPEN_WITH_GRACEFUL_RESTART.replace("04 fde8 005a", "04 fde8 0003")
                .replace("40 06 0001 0019 46 80", "40 06 0078 0019 46 80");
        try (ScriptedPeer peer = connectPeer()) {
            establishWithRoute(peer, openHoldThree);
            // No KEEPALIVE from the peer: the speaker's hold timer expires, it sends a NOTIFICATION.
            assertTrue(Await.until(() -> !peerEstablished(), 6000));
            assertTrue(Await.until(() -> !learned(), 1000),
                    "without the peer's N bit a NOTIFICATION (hold timer expired) ends graceful restart, RFC 4724 §4");
        }
    }

    @Test
    void shouldWithdrawAtOnceWhenPeerDidNotAdvertiseGracefulRestart() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = connectPeer()) {
            establishWithRoute(peer, OPEN_WITHOUT_GRACEFUL_RESTART);
        }
        assertTrue(Await.until(() -> !learned(), 1000));
    }

    @Test
    void shouldAdvertiseRestartStateAndSendEndOfRibAsRestartingSpeaker() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT.withRestarting(true));
        speaker.advertiseType5(5001, InetAddresses.parse("203.0.113.1"), 32).get();
        try (ScriptedPeer peer = connectPeer()) {
            OpenMessage open = (OpenMessage) peer.handshake(OPEN_WITH_GRACEFUL_RESTART);
            GracefulRestartCapability restart = open.gracefulRestart();
            assertTrue(restart.restartState());
            assertTrue(restart.find(AddressFamily.L2VPN_EVPN).forwardingStatePreserved());
            peer.send(update("", EVPN_END_OF_RIB, "")); // RFC 4724 §4.1: we wait for the peer's End-of-RIB
            UpdateMessage routes = (UpdateMessage) peer.read();
            assertEquals(1, routes.mpReach().nlri().size());
            UpdateMessage endOfRib = (UpdateMessage) peer.read();
            assertEquals(AddressFamily.L2VPN_EVPN, endOfRib.endOfRibFamily());
        }
    }

    @Test
    void shouldDiscardRouteReflectedBackWithOurOriginatorId() throws Exception {
        startSpeaker(GracefulRestartSettings.DEFAULT);
        try (ScriptedPeer peer = connectPeer()) {
            peer.handshake(OPEN_WITHOUT_GRACEFUL_RESTART);
            String ourOriginator = attribute(0x80, 9, "0a000004");
            String clusterList = attribute(0x80, 10, "0a000063");
            peer.send(update("", ORIGIN_IGP + EMPTY_AS_PATH + ourOriginator + clusterList + COMMUNITIES + REACH, ""));
            String otherType5 = TYPE5.replace("c6336401", "c6336402");
            peer.send(update("", ORIGIN_IGP + EMPTY_AS_PATH + COMMUNITIES
                    + attribute(0x90, 14, "0019 46 04 c0000263 00 " + otherType5), ""));
            assertTrue(Await.until(() -> Routes.last(listener, "198.51.100.2") != null, 3000));
            assertNull(Routes.last(listener, "198.51.100.1"), "our own reflected route is not learned");
            assertEquals(1, speaker.ribCounters().originatorIdLoopsDiscarded());
        }
    }

    @Test
    void shouldResendRoutesOnRouteRefresh() throws Exception {
        startSpeaker(GracefulRestartSettings.DISABLED);
        speaker.advertiseType5(5001, InetAddresses.parse("203.0.113.2"), 32).get();
        try (ScriptedPeer peer = connectPeer()) {
            peer.handshake(OPEN_WITHOUT_GRACEFUL_RESTART);
            UpdateMessage first = (UpdateMessage) peer.read();
            assertNotNull(first.mpReach());
            peer.send(WireBuilder.message(BgpMessage.TYPE_ROUTE_REFRESH, "0019 00 46"));
            BgpMessage again = peer.read();
            while (again instanceof io.softgate.evpn.bgp.message.KeepaliveMessage) {
                again = peer.read();
            }
            assertInstanceOf(UpdateMessage.class, again);
            assertEquals(first.mpReach(), ((UpdateMessage) again).mpReach());
            assertFalse(new RouteRefreshMessage(AddressFamily.L2VPN_EVPN).addressFamily().equals(AddressFamily.IPV4_UNICAST));
        }
    }
}
