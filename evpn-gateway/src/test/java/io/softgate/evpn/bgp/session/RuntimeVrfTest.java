package io.softgate.evpn.bgp.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.EvpnRouteListener;
import io.softgate.evpn.bgp.IpPrefixRouteUpdate;
import io.softgate.evpn.bgp.MacIpRouteUpdate;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VRFs added and removed while the speaker runs: a fabric speaker (127.0.0.1) originates routes
 * in L3VNIs 5001 and 7007; the speaker under test (127.0.0.2) starts with VRF 5001 only.
 */
class RuntimeVrfTest {
    private static final InetAddress FABRIC = InetAddresses.parse("127.0.0.1");
    private static final InetAddress LOCAL = InetAddresses.parse("127.0.0.2");
    private static final VrfSettings VPC_A = VrfSettings.of("vpc-a", 5001, 1);
    private static final VrfSettings VPC_B = VrfSettings.of("vpc-b", 7007, VrfSettings.derivedRouteDistinguisherNumber(7007));
    private BgpSpeaker speaker;
    private BgpSpeaker fabric;
    private final ImportingListener imports = new ImportingListener();
    private final RecordingListener fabricListener = new RecordingListener();

    /** Imports every reported route the way a forwarding bridge does: into the VRF its targets name, now. */
    private final class ImportingListener implements EvpnRouteListener {
        final Map<String, Set<InetAddress>> prefixesByVrf = new ConcurrentHashMap<>();

        @Override
        public void macIpRouteChanged(MacIpRouteUpdate update) {
        }

        @Override
        public void ipPrefixRouteChanged(IpPrefixRouteUpdate update) {
            prefixesByVrf.values().forEach(prefixes -> prefixes.remove(update.prefix()));
            VrfSettings vrf = speaker.settings().vrfForRouteTargets(update.routeTargets());
            if (!update.withdrawn() && vrf != null) {
                prefixesByVrf.computeIfAbsent(vrf.name(), name -> ConcurrentHashMap.newKeySet()).add(update.prefix());
            }
        }

        Set<InetAddress> in(String vrf) {
            return prefixesByVrf.getOrDefault(vrf, Set.of());
        }
    }

    @BeforeEach
    void start() throws Exception {
        speaker = new BgpSpeaker(node("10.0.0.2", "192.0.2.2").vrf(VPC_A).listen(LOCAL, 0)
                .neighbor(NeighborSettings.evpn(FABRIC, 65000).withPassive(true).withHoldTimeSeconds(9)).build());
        speaker.addListener(imports);
        speaker.start();
        fabric = new BgpSpeaker(node("10.0.0.1", "192.0.2.1").vrf(VPC_A).vrf(VrfSettings.of("vpc-b", 7007, 2))
                .neighbor(NeighborSettings.evpn(LOCAL, 65000).withPort(speaker.listenPort()).withLocalAddress(FABRIC)
                        .withHoldTimeSeconds(9)).build());
        fabric.addListener(fabricListener);
        fabric.start();
        assertTrue(Await.until(() -> speaker.peerStates().get(FABRIC) == BgpState.ESTABLISHED
                && fabric.peerStates().get(LOCAL) == BgpState.ESTABLISHED, 5000), () -> "states " + speaker.peerStates());
        fabric.advertiseType5(5001, InetAddresses.parse("10.55.0.0"), 24).get();
        fabric.advertiseType5(7007, InetAddresses.parse("10.77.0.0"), 24).get();
        assertTrue(Await.until(() -> speaker.bestPaths().size() == 2, 3000), "both learned");
        assertTrue(Await.until(() -> imports.in("vpc-a").contains(InetAddresses.parse("10.55.0.0")), 3000));
    }

    @AfterEach
    void stop() {
        if (fabric != null) {
            fabric.close();
        }
        if (speaker != null) {
            speaker.close();
        }
    }

    private static BgpNodeSettings.Builder node(String routerId, String vtep) {
        return BgpNodeSettings.builder().routerId(InetAddresses.parse(routerId)).asNumber(65000)
                .vtepAddress(InetAddresses.parse(vtep)).routerMac(0x02_00_00_00_00_01L).connectRetry(100, 1000);
    }

    @Test
    void shouldImportRoutesLearnedBeforeTheVrfWasAdded() throws Exception {
        assertEquals(Set.of(), imports.in("vpc-b"), "no VRF imports 65000:7007 yet");
        speaker.addVrf(VPC_B).get();
        assertEquals(Set.of(InetAddresses.parse("10.77.0.0")), imports.in("vpc-b"));
        assertEquals(Set.of(InetAddresses.parse("10.55.0.0")), imports.in("vpc-a"), "the other VRF is untouched");
        assertEquals(2, speaker.settings().vrfs().size());
    }

    @Test
    void shouldImportRoutesLearnedAfterTheVrfWasAdded() throws Exception {
        speaker.addVrf(VPC_B).get();
        fabric.advertiseType5(7007, InetAddresses.parse("10.78.0.0"), 24).get();
        assertTrue(Await.until(() -> imports.in("vpc-b").contains(InetAddresses.parse("10.78.0.0")), 3000));
    }

    @Test
    void shouldReportImportedRoutesAsWithdrawnWhenTheVrfIsRemoved() throws Exception {
        speaker.addVrf(VPC_B).get();
        speaker.removeVrf(7007).get();
        assertEquals(Set.of(), imports.in("vpc-b"));
        assertEquals(Set.of(InetAddresses.parse("10.55.0.0")), imports.in("vpc-a"));
        assertNull(speaker.settings().vrfByL3Vni(7007));
    }

    @Test
    void shouldWithdrawOnlyTheRoutesOriginatedInTheRemovedVrf() throws Exception {
        speaker.addVrf(VPC_B).get();
        speaker.advertiseType5(5001, InetAddresses.parse("0.0.0.0"), 0).get();
        speaker.advertiseType5(7007, InetAddresses.parse("0.0.0.0"), 0).get();
        assertTrue(Await.until(() -> live(7007) && live(5001), 3000), () -> "fabric saw " + fabricListener.prefixes);
        speaker.removeVrf(7007).get();
        assertTrue(Await.until(() -> !live(7007), 3000), () -> "fabric saw " + fabricListener.prefixes);
        assertTrue(live(5001), "the default route of VRF 5001 stays");
    }

    @Test
    void shouldOriginateIntoAnAddedVrfWithDerivedDistinguisherAndDefaultTarget() throws Exception {
        speaker.addVrf(VPC_B).get();
        speaker.advertiseType5(7007, InetAddresses.parse("0.0.0.0"), 0).get();
        assertTrue(Await.until(() -> live(7007), 3000));
        IpPrefixRouteUpdate route = lastFor(7007);
        assertEquals("10.0.0.2:7007", route.routeDistinguisher().toString());
        assertEquals(List.of(RouteTarget.ofTwoOctetAs(65000, 7007)), route.routeTargets());
        assertEquals(InetAddresses.parse("192.0.2.2"), route.nextHopVtep());
    }

    @Test
    void shouldRefuseASecondVrfWithTheSameL3VniAndChangeNothing() throws Exception {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> speaker.addVrf(VrfSettings.of("vpc-other", 5001, 9)).get());
        assertInstanceOf(IllegalArgumentException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().contains("L3VNI used twice: 5001"), failure.getCause().getMessage());
        assertEquals(List.of(VPC_A), speaker.settings().vrfs());
        assertEquals(BgpState.ESTABLISHED, speaker.peerStates().get(FABRIC), "the session stays up");
    }

    @Test
    void shouldRefuseASecondVrfWithTheSameRouteDistinguisherNumber() {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> speaker.addVrf(VrfSettings.of("vpc-other", 6006, 1)).get());
        assertTrue(failure.getCause().getMessage().contains("route distinguisher number 1 used twice"),
                failure.getCause().getMessage());
        assertEquals(List.of(VPC_A), speaker.settings().vrfs());
    }

    @Test
    void shouldRefuseRemovingAnUnknownVrfWithAClearError() throws Exception {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> speaker.removeVrf(4242).get());
        assertInstanceOf(IllegalArgumentException.class, failure.getCause());
        assertEquals("no VRF with L3VNI 4242", failure.getCause().getMessage());
        speaker.advertiseType5(5001, InetAddresses.parse("203.0.113.1"), 32).get();
        assertTrue(Await.until(() -> fabricListener.prefixes.stream()
                .anyMatch(u -> u.prefix().equals(InetAddresses.parse("203.0.113.1"))), 3000), "the speaker still works");
    }

    @Test
    void shouldLeaveUnchangedVrfsAloneWhenTheSetIsUpdated() throws Exception {
        speaker.advertiseType5(5001, InetAddresses.parse("0.0.0.0"), 0).get();
        assertTrue(Await.until(() -> live(5001), 3000));
        int seenBefore = fabricListener.prefixes.size();
        speaker.updateVrfs(List.of(VPC_A, VPC_B)).get();
        speaker.advertiseType5(7007, InetAddresses.parse("0.0.0.0"), 0).get();
        assertTrue(Await.until(() -> live(7007), 3000));
        assertEquals(seenBefore + 1, fabricListener.prefixes.size(), () -> "only the new route: " + fabricListener.prefixes);
        assertTrue(live(5001));
    }

    @Test
    void shouldReplaceAVrfWhoseSettingsChanged() throws Exception {
        speaker.addVrf(VPC_B).get();
        speaker.advertiseType5(7007, InetAddresses.parse("0.0.0.0"), 0).get();
        assertTrue(Await.until(() -> live(7007), 3000));
        speaker.updateVrfs(List.of(VPC_A, VrfSettings.of("vpc-b", 7007, 77))).get();
        assertTrue(Await.until(() -> !live(7007), 3000), "the route of the old RD is withdrawn");
        assertEquals(Set.of(InetAddresses.parse("10.77.0.0")), imports.in("vpc-b"), "and imports go on");
    }

    @Test
    void shouldAnnounceAVrfsImportedPathsOnceWhenItsRouteTargetsChange() throws Exception {
        speaker.addVrf(VPC_B).get();
        RecordingListener reported = new RecordingListener();
        speaker.addListener(reported);
        RouteTarget vpcB = RouteTarget.ofTwoOctetAs(65000, 7007);
        VrfSettings moreTargets = new VrfSettings("vpc-b", 7007, VPC_B.routeDistinguisherNumber(), List.of(vpcB),
                List.of(vpcB, RouteTarget.ofTwoOctetAs(65000, 7008)), -1);
        speaker.updateVrfs(List.of(VPC_A, moreTargets)).get();
        InetAddress imported = InetAddresses.parse("10.77.0.0");
        assertEquals(List.of(true, false), reported.prefixes.stream().filter(update -> update.prefix().equals(imported))
                .map(IpPrefixRouteUpdate::withdrawn).toList(), () -> "reported " + reported.prefixes);
        assertEquals(Set.of(imported), imports.in("vpc-b"));
        assertTrue(reported.prefixes.stream().noneMatch(update -> update.l3Vni() == 5001), "VRF vpc-a is untouched");
    }

    @Test
    void shouldTakeTheRibSnapshotOfTheSeparateReads() throws Exception {
        speaker.advertiseType5(5001, InetAddresses.parse("0.0.0.0"), 0).get();
        RibSnapshot snapshot = speaker.ribSnapshot();
        assertEquals(speaker.settings(), snapshot.settings());
        assertEquals(speaker.bestPaths(), snapshot.bestPaths());
        assertEquals(speaker.originatedPaths(), snapshot.originatedPaths());
        assertEquals(1, snapshot.originatedPaths().size());
        assertEquals(speaker.receivedPathCounts(), snapshot.receivedPathCounts());
        assertEquals(Map.of(FABRIC, 2), snapshot.receivedPathCounts());
    }

    @Test
    void shouldWithdrawNothingWhenWithdrawingFromAVrfThatIsGone() throws Exception {
        speaker.withdrawType5(4242, InetAddresses.parse("0.0.0.0"), 0).get();
        assertFalse(fabricListener.prefixes.stream().anyMatch(IpPrefixRouteUpdate::withdrawn));
    }

    @Test
    void shouldDeriveTheDistinguisherNumberFromTheL3VnisLowSixteenBits() {
        assertEquals(5001, VrfSettings.derivedRouteDistinguisherNumber(5001));
        assertEquals(65535, VrfSettings.derivedRouteDistinguisherNumber(65535));
        assertEquals(70000 - 65536, VrfSettings.derivedRouteDistinguisherNumber(70000));
    }

    /** True when the fabric holds our 0.0.0.0/0 in {@code l3Vni}. */
    private boolean live(int l3Vni) {
        IpPrefixRouteUpdate last = lastFor(l3Vni);
        return last != null && !last.withdrawn();
    }

    private IpPrefixRouteUpdate lastFor(int l3Vni) {
        IpPrefixRouteUpdate last = null;
        for (IpPrefixRouteUpdate update : fabricListener.prefixes) {
            if (update.l3Vni() == l3Vni && update.prefixLength() == 0) {
                last = update;
            }
        }
        return last;
    }
}
