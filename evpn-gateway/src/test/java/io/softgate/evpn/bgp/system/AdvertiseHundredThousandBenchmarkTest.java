package io.softgate.evpn.bgp.system;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.session.Await;
import io.softgate.evpn.bgp.session.BgpSpeaker;
import io.softgate.evpn.bgp.session.BgpState;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The system harness benchmark: how long until an FRR leaf holds N type-5 routes advertised by
 * the speaker, and by gobgpd, in the same run. Timed on the leaf, from the moment it shows the
 * session Established to the moment its received-prefix count reaches N. gobgpd gets the same N
 * routes over eBGP (AS 65002 to 65000) from a second speaker (GoBGP's CLI cannot bulk-load EVPN),
 * with its iBGP session to the leaf administratively down until it holds them all.
 *
 * <p>Run: {@code mvn -o -q -B -pl evpn-gateway -am test -Dtest=AdvertiseHundredThousandBenchmarkTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dsoftgate.bgp.benchmark.routes=100000}
 * (skipped unless the property is set).
 */
@Tag("system")
@Tag("benchmark")
class AdvertiseHundredThousandBenchmarkTest {
    private static final Pattern PEER_STATE = Pattern.compile("\"state\":\"(\\w+)\"");
    private static final Pattern PREFIXES_RECEIVED = Pattern.compile("\"pfxRcd\":(\\d+)");

    @Test
    void shouldMeasureTimeUntilLeafHoldsAllRoutesFromSpeakerAndFromGobgp() throws Exception {
        String routesProperty = System.getProperty("softgate.bgp.benchmark.routes");
        assumeTrue(routesProperty != null, "set -Dsoftgate.bgp.benchmark.routes=100000 to run");
        assumeTrue(Shell.available("/usr/lib/frr/bgpd") && Shell.available("gobgpd"), "FRR and GoBGP needed");
        int routes = Integer.parseInt(routesProperty);
        int subnet = (int) (ProcessHandle.current().pid() % 200) + 20;
        try (VethNamespace namespace = new VethNamespace("b" + ProcessHandle.current().pid(), subnet)) {
            String speakerAddress = namespace.rootAddress;
            String leafAddress = namespace.namespaceAddress;
            String gobgpAddress = "10.254." + subnet + ".3";
            namespace.exec("ip addr add " + gobgpAddress + "/24 dev sgvb" + ProcessHandle.current().pid() + "b");
            String bgpd = "hostname leaf\nrouter bgp 65000\n bgp router-id " + leafAddress + "\n"
                    + " no bgp default ipv4-unicast\n no bgp ebgp-requires-policy\n"
                    + " neighbor " + speakerAddress + " remote-as 65000\n"
                    + " neighbor " + gobgpAddress + " remote-as 65000\n"
                    + " address-family l2vpn evpn\n"
                    + "  neighbor " + speakerAddress + " activate\n"
                    + "  neighbor " + gobgpAddress + " activate\n"
                    + " exit-address-family\n";
            String gobgpConfig = "[global.config]\n  as = 65000\n  router-id = \"" + gobgpAddress + "\"\n"
                    + "  local-address-list = [\"" + gobgpAddress + "\"]\n"
                    + "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"" + speakerAddress + "\"\n    peer-as = 65002\n"
                    + "  [neighbors.transport.config]\n    local-address = \"" + gobgpAddress + "\"\n    passive-mode = true\n"
                    + "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"l2vpn-evpn\"\n"
                    + "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"" + leafAddress + "\"\n    peer-as = 65000\n"
                    + "    admin-down = true\n"
                    + "  [neighbors.transport.config]\n    local-address = \"" + gobgpAddress + "\"\n"
                    + "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"l2vpn-evpn\"\n";
            try (FrrInstance leaf = new FrrInstance(namespace, "hostname leaf\n", bgpd, "-l " + leafAddress);
                 GobgpInstance gobgp = new GobgpInstance(namespace, gobgpConfig)) {
                InetAddress local = InetAddresses.parse(speakerAddress);
                // 1. The speaker: routes originated before its session to the leaf comes up.
                long speakerMillis;
                try (BgpSpeaker speaker = new BgpSpeaker(settings(local, 65000, null)
                        .neighbor(NeighborSettings.evpn(InetAddresses.parse(leafAddress), 65000).withLocalAddress(local))
                        .build())) {
                    originate(speaker, routes);
                    speaker.start();
                    speakerMillis = timeUntilLeafHolds(leaf, speakerAddress, routes);
                }
                // 2. gobgpd: filled by a feeder speaker, then its session to the leaf is enabled.
                long gobgpMillis;
                try (BgpSpeaker feeder = new BgpSpeaker(settings(local, 65002, null)
                        .neighbor(NeighborSettings.evpn(InetAddresses.parse(gobgpAddress), 65000).withLocalAddress(local))
                        .build())) {
                    originate(feeder, routes);
                    feeder.start();
                    assertTrue(Await.until(() -> feeder.peerStates().get(InetAddresses.parse(gobgpAddress))
                            == BgpState.ESTABLISHED, 20000), gobgp::log);
                    assertTrue(Await.until(() -> gobgp.gobgp("global rib summary -a evpn").contains("Destination: " + routes),
                            120000), () -> gobgp.gobgp("global rib summary -a evpn"));
                    gobgp.gobgp("neighbor " + leafAddress + " enable");
                    gobgpMillis = timeUntilLeafHolds(leaf, gobgpAddress, routes);
                }
                String result = String.format("leaf holds %d type-5 routes: softgate speaker %d ms (%.0f routes/s), "
                                + "gobgpd %d ms (%.0f routes/s)", routes, speakerMillis, routes * 1000.0 / speakerMillis,
                        gobgpMillis, routes * 1000.0 / gobgpMillis);
                System.out.println(result);
            }
        }
    }

    private static BgpNodeSettings.Builder settings(InetAddress local, long asn, InetAddress listen) {
        return BgpNodeSettings.builder().routerId(local).asNumber(asn).vtepAddress(InetAddresses.parse("192.0.2.77"))
                .routerMac(0x02_5e_00_00_77_01L).vrf(VrfSettings.of("public", 5001, 5)).connectRetry(200, 1000)
                .gracefulRestart(GracefulRestartSettings.DEFAULT);
    }

    private static void originate(BgpSpeaker speaker, int routes) throws Exception {
        CompletableFuture<Void> last = null;
        for (int i = 0; i < routes; i++) {
            last = speaker.advertiseType5(5001, InetAddresses.ipv4(0x64400000 + i), 32);
        }
        last.get();
    }

    /** Milliseconds from the leaf showing the neighbour Established until it received {@code routes} prefixes. */
    private static long timeUntilLeafHolds(FrrInstance leaf, String neighbor, int routes) throws InterruptedException {
        long deadline = System.nanoTime() + Long.getLong("softgate.bgp.benchmark.timeoutSeconds", 120) * 1_000_000_000L;
        long establishedAt = 0;
        while (System.nanoTime() < deadline) {
            String summary = leaf.vtysh("show bgp l2vpn evpn summary json");
            int at = summary.indexOf("\"" + neighbor + "\"");
            if (at >= 0) {
                String section = summary.substring(at, Math.min(summary.length(), at + 2000));
                Matcher state = PEER_STATE.matcher(section);
                Matcher received = PREFIXES_RECEIVED.matcher(section);
                if (state.find() && state.group(1).equals("Established")) {
                    if (establishedAt == 0) {
                        establishedAt = System.nanoTime();
                    }
                    if (received.find() && Integer.parseInt(received.group(1)) >= routes) {
                        return (System.nanoTime() - establishedAt) / 1_000_000;
                    }
                }
            }
            Thread.sleep(establishedAt == 0 ? 5 : 20);
        }
        throw new AssertionError("the leaf never held " + routes + " routes from " + neighbor + ":\n"
                + leaf.vtysh("show bgp l2vpn evpn summary") + leaf.vtysh("show bgp neighbors " + neighbor) + leaf.log("bgpd"));
    }
}
