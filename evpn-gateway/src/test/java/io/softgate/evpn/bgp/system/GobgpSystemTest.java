package io.softgate.evpn.bgp.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.softgate.evpn.bgp.IpPrefixRouteUpdate;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.StopMode;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.session.Await;
import io.softgate.evpn.bgp.session.BgpSpeaker;
import io.softgate.evpn.bgp.session.BgpState;
import io.softgate.evpn.bgp.session.RecordingListener;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The speaker and a real gobgpd in a namespace exchange type-5 routes both ways. */
@Tag("system")
class GobgpSystemTest {
    @Test
    void shouldExchangeTypeFiveRoutesWithGobgp() throws Exception {
        assumeTrue(Shell.available("gobgpd") && Shell.available("gobgp"), "GoBGP is not installed");
        int subnet = (int) (ProcessHandle.current().pid() % 200) + 20;
        String suffix = "g" + ProcessHandle.current().pid();
        BgpSpeaker speaker = null;
        List<byte[]> captured = new CopyOnWriteArrayList<>();
        try (VethNamespace namespace = new VethNamespace(suffix, subnet + 1)) {
            String config = "[global.config]\n  as = 65000\n  router-id = \"" + namespace.namespaceAddress + "\"\n"
                    + "  local-address-list = [\"" + namespace.namespaceAddress + "\"]\n"
                    + "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"" + namespace.rootAddress + "\"\n"
                    + "    peer-as = 65000\n"
                    + "  [neighbors.timers.config]\n    connect-retry = 1\n    hold-time = 9\n    keepalive-interval = 3\n"
                    + "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"l2vpn-evpn\"\n";
            try (GobgpInstance gobgp = new GobgpInstance(namespace, config)) {
                InetAddress local = InetAddresses.parse(namespace.rootAddress);
                InetAddress peer = InetAddresses.parse(namespace.namespaceAddress);
                speaker = new BgpSpeaker(BgpNodeSettings.builder().routerId(local).asNumber(65000)
                        .vtepAddress(InetAddresses.parse("192.0.2.51")).routerMac(0x02_5e_00_00_50_02L)
                        .listen(local, 179).vrf(VrfSettings.of("public", 5001, 5)).connectRetry(200, 1000)
                        .neighbor(NeighborSettings.evpn(peer, 65000).withLocalAddress(local)).build());
                RecordingListener listener = new RecordingListener();
                speaker.addListener(listener);
                speaker.recordReceivedMessages(captured::add);
                speaker.start();
                BgpSpeaker s = speaker;
                assertTrue(Await.until(() -> s.peerStates().get(peer) == BgpState.ESTABLISHED, 15000),
                        () -> "not established: " + s.peerStates() + "\n" + gobgp.log());

                speaker.advertiseType5(5001, InetAddresses.parse("203.0.113.20"), 32).get();
                assertTrue(Await.until(() -> gobgp.gobgp("global rib -a evpn -j").contains("203.0.113.20/32"), 5000),
                        () -> gobgp.gobgp("global rib -a evpn"));
                String rib = gobgp.gobgp("global rib -a evpn -j");
                assertTrue(rib.contains("\"label\":5001") && rib.contains("02:5e:00:00:50:02") && rib.contains("\"tunnel_type\":8")
                        && rib.contains("65000:5001") && rib.contains("192.0.2.51"), () -> "GoBGP holds\n" + rib);

                gobgp.gobgp("global rib -a evpn add prefix 10.98.0.0/24 etag 0 rd " + namespace.namespaceAddress
                        + ":1 rt 65000:5001 encap vxlan router-mac 02:00:00:00:60:01 gw 0.0.0.0 label 5001 nexthop 192.0.2.200");
                assertTrue(Await.until(() -> FrrLeafSystemTest.hasLearned(listener, "10.98.0.0"), 5000),
                        () -> "learned " + listener.prefixes);
                IpPrefixRouteUpdate learned = FrrLeafSystemTest.lastFor(listener, "10.98.0.0");
                assertEquals(5001, learned.l3Vni());
                assertEquals(24, learned.prefixLength());
                assertEquals(InetAddresses.parse("192.0.2.200"), learned.nextHopVtep());
                assertEquals(0x02_00_00_00_60_01L, learned.routersMac());
                assertEquals(List.of(RouteTarget.ofTwoOctetAs(65000, 5001)), learned.routeTargets());

                speaker.withdrawType5(5001, InetAddresses.parse("203.0.113.20"), 32).get();
                assertTrue(Await.until(() -> !gobgp.gobgp("global rib -a evpn -j").contains("203.0.113.20/32"), 2000));
                gobgp.gobgp("global rib -a evpn del prefix 10.98.0.0/24 etag 0 rd " + namespace.namespaceAddress
                        + ":1 gw 0.0.0.0 label 5001");
                assertTrue(Await.until(() -> FrrLeafSystemTest.lastFor(listener, "10.98.0.0").withdrawn(), 5000));
            } finally {
                if (speaker != null) {
                    speaker.close();
                }
                FrrLeafSystemTest.saveCapture("gobgp", captured);
            }
        }
    }

    /**
     * A planned restart of the speaker as the service's SIGTERM does it ({@code stop()} with
     * {@code onStop} restart): GoBGP, a graceful-restart helper for l2vpn-evpn, keeps our type-5
     * routes as stale while we are down (RFC 4724 §4.2: the session ended without a NOTIFICATION);
     * the restarted speaker (R bit) re-advertises one of them after GoBGP's End-of-RIB and sends
     * its own End-of-RIB, which sweeps the route it no longer advertises.
     */
    @Test
    void shouldKeepOurRoutesStaleOnGobgpAcrossAPlannedRestart() throws Exception {
        assumeTrue(Shell.available("gobgpd") && Shell.available("gobgp"), "GoBGP is not installed");
        int subnet = (int) ((ProcessHandle.current().pid() + 50) % 200) + 20;
        String suffix = "h" + ProcessHandle.current().pid();
        try (VethNamespace namespace = new VethNamespace(suffix, subnet)) {
            String config = "[global.config]\n  as = 65000\n  router-id = \"" + namespace.namespaceAddress + "\"\n"
                    + "  local-address-list = [\"" + namespace.namespaceAddress + "\"]\n"
                    + "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"" + namespace.rootAddress + "\"\n"
                    + "    peer-as = 65000\n"
                    + "  [neighbors.timers.config]\n    connect-retry = 1\n    hold-time = 9\n    keepalive-interval = 3\n"
                    + "  [neighbors.graceful-restart.config]\n    enabled = true\n    restart-time = 120\n"
                    + "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"l2vpn-evpn\"\n"
                    + "    [neighbors.afi-safis.mp-graceful-restart.config]\n      enabled = true\n";
            try (GobgpInstance gobgp = new GobgpInstance(namespace, config)) {
                InetAddress local = InetAddresses.parse(namespace.rootAddress);
                InetAddress peer = InetAddresses.parse(namespace.namespaceAddress);
                BgpNodeSettings settings = BgpNodeSettings.builder().routerId(local).asNumber(65000)
                        .vtepAddress(InetAddresses.parse("192.0.2.52")).routerMac(0x02_5e_00_00_50_03L)
                        .listen(local, 179).vrf(VrfSettings.of("public", 5001, 5)).connectRetry(200, 1000)
                        .neighbor(NeighborSettings.evpn(peer, 65000).withLocalAddress(local)).build();
                BgpSpeaker before = new BgpSpeaker(settings);
                BgpSpeaker after = null;
                try {
                    before.start();
                    before.advertiseType5(5001, InetAddresses.parse("203.0.113.30"), 32).get();
                    before.advertiseType5(5001, InetAddresses.parse("203.0.113.31"), 32).get();
                    assertTrue(Await.until(() -> rib(gobgp).contains("203.0.113.31/32"), 15000),
                            () -> rib(gobgp) + "\n" + gobgp.log());
                    assertEquals(StopMode.RESTART, before.stop());
                    assertTrue(Await.until(() -> rib(gobgp).contains("\"stale\":true"), 5000),
                            () -> "not stale after the planned stop: " + rib(gobgp) + "\n" + gobgp.log());
                    Thread.sleep(1000);
                    assertTrue(rib(gobgp).contains("203.0.113.30/32") && rib(gobgp).contains("203.0.113.31/32"),
                            "RFC 4724 §4.2: kept while we restart");

                    after = new BgpSpeaker(settings.withGracefulRestart(settings.gracefulRestart().withRestarting(true)));
                    after.start();
                    after.advertiseType5(5001, InetAddresses.parse("203.0.113.30"), 32).get();
                    BgpSpeaker restarted = after;
                    assertTrue(Await.until(() -> !restarted.restartInProgress(), 20000),
                            () -> "restart not complete: " + restarted.peerStates() + "\n" + gobgp.log());
                    assertTrue(Await.until(() -> !rib(gobgp).contains("203.0.113.31/32") && !rib(gobgp).contains("\"stale\":true"),
                            5000), () -> "our End-of-RIB did not refresh and sweep: " + rib(gobgp));
                    assertTrue(rib(gobgp).contains("203.0.113.30/32"));
                } finally {
                    before.close();
                    if (after != null) {
                        after.close();
                    }
                }
            }
        }
    }

    private static String rib(GobgpInstance gobgp) {
        return gobgp.gobgp("global rib -a evpn -j");
    }
}
