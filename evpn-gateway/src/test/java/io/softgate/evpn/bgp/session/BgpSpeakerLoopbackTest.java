package io.softgate.evpn.bgp.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.IpPrefixRouteUpdate;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two speakers in this JVM peering over loopback (127.0.0.1 active, 127.0.0.2 passive). */
class BgpSpeakerLoopbackTest {
    private static final InetAddress A = InetAddresses.parse("127.0.0.1");
    private static final InetAddress B = InetAddresses.parse("127.0.0.2");
    private BgpSpeaker passive;
    private BgpSpeaker active;
    private final RecordingListener passiveListener = new RecordingListener();

    private static BgpNodeSettings.Builder node(String routerId, String vtep, long mac) {
        return BgpNodeSettings.builder().routerId(InetAddresses.parse(routerId)).asNumber(65000)
                .vtepAddress(InetAddresses.parse(vtep)).routerMac(mac).vrf(VrfSettings.of("vpc-a", 5001, 5))
                .connectRetry(100, 1000);
    }

    @BeforeEach
    void startBoth() throws Exception {
        passive = new BgpSpeaker(node("10.0.0.2", "192.0.2.2", 0x02_00_00_00_00_02L).listen(B, 0)
                .neighbor(NeighborSettings.evpn(A, 65000).withPassive(true).withHoldTimeSeconds(9)).build());
        passive.addListener(passiveListener);
        passive.start();
        active = new BgpSpeaker(node("10.0.0.1", "192.0.2.1", 0x02_00_00_00_00_01L)
                .neighbor(NeighborSettings.evpn(B, 65000).withPort(passive.listenPort()).withLocalAddress(A)
                        .withHoldTimeSeconds(9)).build());
        active.start();
        assertTrue(Await.until(() -> active.peerStates().get(B) == BgpState.ESTABLISHED
                && passive.peerStates().get(A) == BgpState.ESTABLISHED, 5000), () -> "states " + active.peerStates());
    }

    @AfterEach
    void stopBoth() {
        if (active != null) {
            active.close();
        }
        if (passive != null) {
            passive.close();
        }
    }

    @Test
    void shouldDeliverAdvertisedTypeFiveWithRouterMacTargetAndVtep() throws Exception {
        active.advertiseType5(5001, InetAddresses.parse("203.0.113.7"), 32).get();
        assertTrue(Await.until(() -> passiveListener.lastPrefix() != null, 3000));
        IpPrefixRouteUpdate update = passiveListener.lastPrefix();
        assertFalse(update.withdrawn());
        assertEquals(5001, update.l3Vni());
        assertEquals(InetAddresses.parse("203.0.113.7"), update.prefix());
        assertEquals(32, update.prefixLength());
        assertEquals(InetAddresses.parse("192.0.2.1"), update.nextHopVtep());
        assertEquals(0x02_00_00_00_00_01L, update.routersMac());
        assertEquals(List.of(RouteTarget.ofTwoOctetAs(65000, 5001)), update.routeTargets());
        assertEquals("10.0.0.1:5", update.routeDistinguisher().toString());
    }

    @Test
    void shouldDeliverWithdrawal() throws Exception {
        InetAddress prefix = InetAddresses.parse("203.0.113.8");
        active.advertiseType5(5001, prefix, 32).get();
        assertTrue(Await.until(() -> passiveListener.prefixes.size() == 1, 3000));
        active.withdrawType5(5001, prefix, 32).get();
        assertTrue(Await.until(() -> passiveListener.prefixes.size() == 2, 3000));
        assertTrue(passiveListener.lastPrefix().withdrawn());
    }

    @Test
    void shouldWithdrawLearnedRoutesWhenPeerShutsDown() throws Exception {
        active.advertiseType5(5001, InetAddresses.parse("203.0.113.9"), 32).get();
        assertTrue(Await.until(() -> passiveListener.prefixes.size() == 1, 3000));
        active.shutdownSessions().get();
        active.close();
        active = null;
        assertTrue(Await.until(() -> passiveListener.prefixes.size() == 2, 3000));
        assertTrue(passiveListener.lastPrefix().withdrawn());
    }

    @Test
    void shouldKeepLearnedRoutesStaleWhenPeerStopsForARestart() throws Exception {
        active.advertiseType5(5001, InetAddresses.parse("203.0.113.10"), 32).get();
        assertTrue(Await.until(() -> passiveListener.prefixes.size() == 1, 3000));
        active.close(); // onStop restart (the default): TCP close, no NOTIFICATION
        active = null;
        assertTrue(Await.until(() -> passive.peerStates().values().stream().noneMatch(s -> s == BgpState.ESTABLISHED), 3000));
        Thread.sleep(300);
        assertFalse(passiveListener.lastPrefix().withdrawn(), "RFC 4724 §4.2: kept as stale for the restart time");
        assertTrue(passive.bestPaths().get(0).stale());
    }

    @Test
    void shouldPackManyRoutesAndDeliverAll() throws Exception {
        int count = 5000;
        for (int i = 0; i < count; i++) {
            active.advertiseType5(5001, InetAddresses.ipv4(0x0B000000 + i), 32);
        }
        active.advertiseType5(5001, InetAddresses.ipv4(0x0B000000 + count), 32).get();
        assertTrue(Await.until(() -> passiveListener.prefixes.size() == count + 1, 10000),
                () -> "received " + passiveListener.prefixes.size());
        assertTrue(active.ribCounters().updatesSent() < 20, "extended messages pack about 1,800 type-5 per UPDATE");
    }

    @Test
    void shouldAdvertiseRoutesOriginatedBeforeTheSessionCameUp() throws Exception {
        passive.advertiseType5(5001, InetAddresses.parse("198.51.100.0"), 24).get();
        RecordingListener activeListener = new RecordingListener();
        active.close();
        active = new BgpSpeaker(node("10.0.0.1", "192.0.2.1", 0x02_00_00_00_00_01L)
                .neighbor(NeighborSettings.evpn(B, 65000).withPort(passive.listenPort()).withLocalAddress(A)).build());
        active.addListener(activeListener);
        active.start();
        assertTrue(Await.until(() -> activeListener.lastPrefix() != null, 5000));
        assertEquals(24, activeListener.lastPrefix().prefixLength());
    }

    @Test
    void shouldKeepSessionUpWhenListenerThrows() throws Exception {
        passive.addListener(new io.softgate.evpn.bgp.EvpnRouteListener() {
            @Override
            public void macIpRouteChanged(io.softgate.evpn.bgp.MacIpRouteUpdate update) {
                throw new IllegalStateException("broken consumer");
            }

            @Override
            public void ipPrefixRouteChanged(IpPrefixRouteUpdate update) {
                throw new IllegalStateException("broken consumer");
            }
        });
        active.advertiseType5(5001, InetAddresses.parse("203.0.113.11"), 32).get();
        assertTrue(Await.until(() -> passiveListener.lastPrefix() != null, 3000), "later listeners still called");
        Thread.sleep(200);
        assertEquals(BgpState.ESTABLISHED, passive.peerStates().get(A));
    }

    @Test
    void shouldDeliverIpv6TypeFiveRoute() throws Exception {
        active.advertiseType5(5001, InetAddresses.parse("2001:db8::7"), 128).get();
        assertTrue(Await.until(() -> passiveListener.lastPrefix() != null, 3000));
        assertEquals(InetAddresses.parse("2001:db8::7"), passiveListener.lastPrefix().prefix());
        assertEquals(128, passiveListener.lastPrefix().prefixLength());
        assertEquals(InetAddresses.parse("192.0.2.1"), passiveListener.lastPrefix().nextHopVtep());
    }
}
