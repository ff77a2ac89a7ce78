package io.softgate.evpn.bgp.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.softgate.evpn.bgp.IpPrefixRouteUpdate;
import io.softgate.evpn.bgp.MacIpRouteUpdate;
import io.softgate.evpn.bgp.attribute.PmsiTunnelAttribute;
import io.softgate.evpn.bgp.evpn.InclusiveMulticastEthernetTagRoute;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.session.Await;
import io.softgate.evpn.bgp.session.BgpSpeaker;
import io.softgate.evpn.bgp.session.BgpState;
import io.softgate.evpn.bgp.session.RecordingListener;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The speaker in this JVM peers over a veth pair with a real FRR leaf (route reflector) in a
 * namespace. The leaf is also a VTEP with L3VNI 5001 and originates a type-5 of its own.
 */
@Tag("system")
class FrrLeafSystemTest {
    private static final long ROUTER_MAC = 0x02_5e_00_00_50_01L;
    private static final int L3VNI = 5001;
    private static final String VM_MAC = "02:aa:bb:cc:dd:01";

    private static String suffix() {
        return Long.toString(ProcessHandle.current().pid());
    }

    static String leafZebraConf() {
        return "hostname leaf\nvni " + L3VNI + "\n";
    }

    static String leafBgpdConf(VethNamespace namespace) {
        String softgate = namespace.rootAddress;
        return "hostname leaf\n"
                + "router bgp 65000\n"
                + " bgp router-id " + namespace.namespaceAddress + "\n"
                + " no bgp default ipv4-unicast\n"
                + " no bgp network import-check\n"
                + " timers bgp 3 9\n"
                + " neighbor " + softgate + " remote-as 65000\n"
                + " neighbor " + softgate + " timers connect 1\n"
                + " address-family ipv4 unicast\n"
                + "  network 10.99.0.0/24\n"
                + " exit-address-family\n"
                + " address-family l2vpn evpn\n"
                + "  neighbor " + softgate + " activate\n"
                + "  neighbor " + softgate + " route-reflector-client\n"
                + "  advertise-all-vni\n"
                + "  advertise ipv4 unicast\n"
                + " exit-address-family\n";
    }

    static void makeLeafVtep(VethNamespace namespace) {
        namespace.exec("ip addr add 192.0.2.100/32 dev lo"
                + " && ip link add br5001 type bridge && ip link set br5001 address 02:00:00:00:50:01"
                + " && ip link add vxlan5001 type vxlan id 5001 local 192.0.2.100 dstport 4789 nolearning"
                + " && ip link set vxlan5001 master br5001 && ip link set br5001 up && ip link set vxlan5001 up"
                + " && ip link add br1001 type bridge"
                + " && ip link add vxlan1001 type vxlan id 1001 local 192.0.2.100 dstport 4789 nolearning"
                + " && ip link set vxlan1001 master br1001 && ip link set br1001 up && ip link set vxlan1001 up"
                + " && ip link add vm1 type veth peer name vm1port && ip link set vm1port master br1001"
                + " && ip link set vm1port up && ip link set vm1 up"
                + " && bridge fdb add " + VM_MAC + " dev vm1port master static");
    }

    @Test
    void shouldExchangeTypeFiveRoutesWithFrrLeafAndRecoverAfterBgpdRestart() throws Exception {
        assumeTrue(Shell.available("/usr/lib/frr/bgpd") && Shell.available("vtysh"), "FRR is not installed");
        int subnet = (int) (ProcessHandle.current().pid() % 200) + 20;
        BgpSpeaker speaker = null;
        List<byte[]> captured = new CopyOnWriteArrayList<>();
        try (VethNamespace namespace = new VethNamespace(suffix(), subnet)) {
            makeLeafVtep(namespace);
            try (FrrInstance leaf = new FrrInstance(namespace, leafZebraConf(), leafBgpdConf(namespace))) {
                InetAddress local = InetAddresses.parse(namespace.rootAddress);
                InetAddress leafAddress = InetAddresses.parse(namespace.namespaceAddress);
                BgpNodeSettings settings = BgpNodeSettings.builder().routerId(InetAddresses.parse("10.254." + subnet + ".1"))
                        .asNumber(65000).vtepAddress(InetAddresses.parse("192.0.2.50")).routerMac(ROUTER_MAC)
                        .listen(local, 179).vrf(VrfSettings.of("public", L3VNI, 5)).connectRetry(200, 1000)
                        .neighbor(NeighborSettings.evpn(leafAddress, 65000).withLocalAddress(local).withHoldTimeSeconds(9))
                        .build();
                speaker = new BgpSpeaker(settings);
                RecordingListener listener = new RecordingListener();
                speaker.addListener(listener);
                speaker.recordReceivedMessages(captured::add);
                speaker.start();
                BgpSpeaker s = speaker;
                assertTrue(Await.until(() -> s.peerStates().get(leafAddress) == BgpState.ESTABLISHED, 15000),
                        () -> "session not established: " + s.peerStates() + "\n" + leaf.log("bgpd"));

                // Our type-5 reaches the leaf with RT, ET:8 and Rmac.
                InetAddress vip = InetAddresses.parse("203.0.113.10");
                speaker.advertiseType5(L3VNI, vip, 32).get();
                assertTrue(Await.until(() -> leaf.vtysh("show bgp l2vpn evpn route json").contains("203.0.113.10"), 5000),
                        () -> leaf.vtysh("show bgp l2vpn evpn route"));
                // Only our route distinguisher (router-id:5), so the leaf's own type-5 cannot satisfy the checks.
                String ours = leaf.vtysh("show bgp l2vpn evpn route rd 10.254." + subnet + ".1:5 json");
                assertTrue(ours.contains("203.0.113.10") && ours.contains("RT:65000:5001") && ours.contains("ET:8")
                        && ours.contains("Rmac:02:5e:00:00:50:01") && ours.contains("192.0.2.50"),
                        () -> "our route with RT, ET:8, Rmac and VTEP next hop not found in\n" + ours);

                // We learn the leaf's own type-5 (10.99.0.0/24 via its VTEP with its Router's MAC).
                assertTrue(Await.until(() -> hasLearned(listener, "10.99.0.0"), 10000),
                        () -> "learned " + listener.prefixes);
                IpPrefixRouteUpdate learned = lastFor(listener, "10.99.0.0");
                assertEquals(InetAddresses.parse("192.0.2.100"), learned.nextHopVtep());
                assertEquals(0x02_00_00_00_50_01L, learned.routersMac());
                assertEquals(List.of(RouteTarget.ofTwoOctetAs(65000, L3VNI)), learned.routeTargets());
                assertEquals(L3VNI, learned.l3Vni());

                // A type-2 MAC-only route (L2VNI 1001) for the leaf's local VM MAC, and its type-3 with PMSI.
                assertTrue(Await.until(() -> listener.macIps.stream().anyMatch(u -> !u.withdrawn()
                        && u.macAddress() == InetAddresses.parseMac(VM_MAC)), 10000), () -> "learned " + listener.macIps);
                MacIpRouteUpdate vm = listener.macIps.stream().filter(u -> u.macAddress() == InetAddresses.parseMac(VM_MAC))
                        .findFirst().orElseThrow();
                assertEquals(1001, vm.l2Vni());
                assertEquals(InetAddresses.parse("192.0.2.100"), vm.nextHopVtep());
                assertTrue(Await.until(() -> s.bestPaths().stream().anyMatch(p -> p.nlri() instanceof InclusiveMulticastEthernetTagRoute
                        && p.attribute(PmsiTunnelAttribute.class) != null
                        && p.attribute(PmsiTunnelAttribute.class).label() == 1001), 5000), "type-3 with PMSI label = VNI 1001");

                // The reflector sends our own route back only if broken; either way we never learn it.
                assertTrue(listener.prefixes.stream().noneMatch(u -> u.prefix().equals(vip)));

                // A withdrawn advertisement leaves the leaf within 1 s.
                speaker.withdrawType5(L3VNI, vip, 32).get();
                long start = System.nanoTime();
                assertTrue(Await.until(() -> !leaf.vtysh("show bgp l2vpn evpn route json").contains("203.0.113.10"), 1000),
                        "withdrawn route still on the leaf after 1 s");
                long withdrawMillis = (System.nanoTime() - start) / 1_000_000;
                System.out.println("withdrawal gone from FRR after " + withdrawMillis + " ms");

                // Kill bgpd, restart it: the session and the routes come back.
                speaker.advertiseType5(L3VNI, vip, 32).get();
                int transitions = speaker.establishedTransitions(leafAddress);
                leaf.killBgpd();
                assertTrue(Await.until(() -> s.peerStates().get(leafAddress) != BgpState.ESTABLISHED, 12000));
                assertTrue(Await.until(() -> lastFor(listener, "10.99.0.0").withdrawn(), 3000),
                        "the leaf's route is withdrawn when its session is lost (FRR preserves no families)");
                leaf.startBgpd();
                assertTrue(Await.until(() -> s.establishedTransitions(leafAddress) > transitions
                        && s.peerStates().get(leafAddress) == BgpState.ESTABLISHED, 20000),
                        () -> "not re-established: " + s.peerStates() + "\n" + leaf.log("bgpd"));
                assertTrue(Await.until(() -> leaf.vtysh("show bgp l2vpn evpn route json").contains("203.0.113.10"), 5000));
                assertTrue(Await.until(() -> !lastFor(listener, "10.99.0.0").withdrawn(), 10000));
                assertEquals(0, speaker.updateErrorCounters(leafAddress).sessionResets());
            } finally {
                if (speaker != null) {
                    speaker.close();
                }
                saveCapture("frr", captured);
            }
        }
    }

    static boolean hasLearned(RecordingListener listener, String prefix) {
        IpPrefixRouteUpdate update = lastFor(listener, prefix);
        return update != null && !update.withdrawn();
    }

    static IpPrefixRouteUpdate lastFor(RecordingListener listener, String prefix) {
        InetAddress address = InetAddresses.parse(prefix);
        IpPrefixRouteUpdate last = null;
        for (IpPrefixRouteUpdate update : listener.prefixes) {
            if (update.prefix().equals(address)) {
                last = update;
            }
        }
        return last;
    }

    /** Writes received messages as hex lines under target/captured for the codec tests' resources. */
    static void saveCapture(String name, List<byte[]> messages) {
        try {
            Path directory = Path.of("target", "captured");
            Files.createDirectories(directory);
            List<String> lines = new ArrayList<>();
            for (byte[] message : messages) {
                lines.add(io.netty.buffer.ByteBufUtil.hexDump(message));
            }
            Files.write(directory.resolve(name + "-received.hex"), lines);
        } catch (java.io.IOException e) {
            System.err.println("capture not saved: " + e);
        }
    }
}
