package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.session.BgpSpeaker;
import io.softgate.evpn.bgp.session.BgpState;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/softgate/bgp} over a real speaker pair on loopback: the node's speaker
 * (127.0.0.2, VRF vpc-a L3VNI 5001, advertising 203.0.113.0/24) and a fabric speaker (127.0.0.1)
 * advertising 10.55.0.0/24 in the same VRF; the API shows the session Established, the paths it
 * received, the VRF with its advertised prefix and the learned best path.
 */
class BgpStateApiTest {
    private static final InetAddress FABRIC = InetAddresses.parse("127.0.0.1");
    private static final InetAddress LOCAL = InetAddresses.parse("127.0.0.2");
    private static final VrfSettings VPC_A = VrfSettings.of("vpc-a", 5001, 1);
    private static final long DEADLINE_MS = 10_000;

    @TempDir
    Path stateDir;
    private BgpSpeaker speaker;
    private BgpSpeaker fabric;
    private ApiFixture api;

    @BeforeEach
    void start() throws Exception {
        speaker = new BgpSpeaker(node("10.0.0.2", "192.0.2.2").vrf(VPC_A).listen(LOCAL, 0)
            .neighbor(NeighborSettings.evpn(FABRIC, 65000).withPassive(true).withHoldTimeSeconds(9)).build());
        speaker.start();
        fabric = new BgpSpeaker(node("10.0.0.1", "192.0.2.1").vrf(VPC_A)
            .neighbor(NeighborSettings.evpn(LOCAL, 65000).withPort(speaker.listenPort()).withLocalAddress(FABRIC)
                .withHoldTimeSeconds(9)).build());
        fabric.start();
        api = new ApiFixture(stateDir, ApiFixture.CONFIG, () -> speaker);
        assertEquals(200, api.login(ApiFixture.USER, ApiFixture.PASSWORD).statusCode());
    }

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
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

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_MS * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE_MS + " ms: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void shouldShowThePeerEstablishedWithItsPathsAndTheVrfsRoutes() throws Exception {
        await("session up", () -> speaker.peerStates().get(FABRIC) == BgpState.ESTABLISHED);
        fabric.advertiseType5(5001, InetAddresses.parse("10.55.0.0"), 24).get();
        speaker.advertiseType5(5001, InetAddresses.parse("203.0.113.0"), 24).get();
        await("route learned", () -> speaker.bestPaths().size() == 2);

        JsonNode data = api.ok("GET", "/api/softgate/bgp", null);
        assertEquals("enabled", data.get("bgp").asText());
        assertEquals("10.0.0.2", data.get("routerId").asText());
        JsonNode peer = data.get("peers").get(0);
        assertEquals("127.0.0.1", peer.get("address").asText());
        assertEquals("Established", peer.get("state").asText());
        assertEquals(1, peer.get("establishedTransitions").asInt());
        assertFalse(peer.get("establishedSince").asText().isEmpty());
        assertEquals(1, peer.get("pathsReceived").asInt());
        assertEquals(1, peer.get("bestPaths").asInt());
        assertEquals(0, peer.get("updateErrors").get("update.session-reset").asLong(), peer.toString());

        JsonNode vrf = data.get("vrfs").get(0);
        assertEquals("vpc-a", vrf.get("name").asText());
        assertEquals(5001, vrf.get("l3Vni").asInt());
        assertEquals("10.0.0.2:1", vrf.get("routeDistinguisher").asText());
        assertEquals("65000:5001", vrf.get("exportRouteTargets").get(0).asText());
        assertEquals("api", vrf.get("source").asText(), "no VRF of the configuration file has this name");
        assertEquals(List.of("203.0.113.0/24"), texts(vrf.get("advertised")));
        assertEquals(1, vrf.get("learnedBestPaths").asInt());
        assertEquals(1, data.get("advertisedRoutes").asInt());

        JsonNode learned = data.get("learned");
        assertEquals(1, learned.get("bestPaths").asInt());
        assertFalse(learned.get("truncated").asBoolean());
        JsonNode path = learned.get("paths").get(0);
        assertEquals("vpc-a", path.get("vrf").asText());
        assertTrue(path.get("route").asText().contains("10.55.0.0/24"), path.toString());
        assertEquals("127.0.0.1", path.get("peer").asText());
        assertEquals("192.0.2.1", path.get("nextHop").asText());
        assertTrue(data.get("counters").size() > 0);

        String text = api.softgatectl("bgp");
        assertTrue(text.lines().anyMatch(row -> row.startsWith("127.0.0.1") && row.contains("Established")), text);
        assertTrue(text.lines().anyMatch(row -> row.startsWith("vpc-a") && row.contains("203.0.113.0/24")), text);
    }

    @Test
    void shouldListNoLearnedPathBeyondTheLimitButCountThem() throws Exception {
        await("session up", () -> speaker.peerStates().get(FABRIC) == BgpState.ESTABLISHED);
        fabric.advertiseType5(5001, InetAddresses.parse("10.55.0.0"), 24).get();
        fabric.advertiseType5(5001, InetAddresses.parse("10.56.0.0"), 24).get();
        await("routes learned", () -> speaker.bestPaths().size() == 2);

        JsonNode learned = api.ok("GET", "/api/softgate/bgp?limit=1", null).get("learned");
        assertEquals(2, learned.get("bestPaths").asInt());
        assertEquals(1, learned.get("paths").size());
        assertTrue(learned.get("truncated").asBoolean());
    }

    @Test
    void shouldShowAPeerThatIsNotUpInItsRealState() throws Exception {
        fabric.close();
        fabric = null;
        await("session down", () -> speaker.peerStates().get(FABRIC) != BgpState.ESTABLISHED);
        JsonNode peer = api.ok("GET", "/api/softgate/bgp", null).get("peers").get(0);
        assertFalse("Established".equals(peer.get("state").asText()), peer.toString());
        assertTrue(peer.path("uptimeSeconds").isMissingNode(), "no uptime while down: " + peer);
    }

    @Test
    void shouldDrainTheNodeOnBgpShutdownSoTheFabricWithdrawsItsRoutes() throws Exception {
        await("session up", () -> speaker.peerStates().get(FABRIC) == BgpState.ESTABLISHED);
        speaker.advertiseType5(5001, InetAddresses.parse("203.0.113.0"), 24).get();
        await("route at the fabric", () -> fabric.bestPaths().size() == 1);
        JsonNode restart = api.ok("GET", "/api/softgate/bgp", null).get("gracefulRestart");
        assertEquals("restart", restart.get("onStop").asText(), restart.toString());
        assertFalse(restart.get("shutDown").asBoolean());

        String text = api.softgatectl("bgp", "shutdown");
        assertTrue(text.contains("Cease sent to 1 established session(s)"), text);
        // The Cease (a Hard Reset: both speakers set N) ends graceful restart: the fabric flushes at once.
        await("route withdrawn at the fabric", () -> fabric.bestPaths().isEmpty());
        assertTrue(api.ok("GET", "/api/softgate/bgp", null).get("gracefulRestart").get("shutDown").asBoolean());
        Thread.sleep(300); // the fabric retries every 100 ms: the neighbour stays down
        assertFalse(speaker.peerStates().get(FABRIC) == BgpState.ESTABLISHED);
        assertEquals(io.softgate.evpn.bgp.config.StopMode.SHUTDOWN, speaker.stop(), "the next stop withdraws too");
        speaker = null;
    }

    @Test
    void shouldRefuseBgpShutdownWithoutASpeaker() throws Exception {
        api.close();
        api = new ApiFixture(stateDir.resolve("no-bgp"), ApiFixture.CONFIG, () -> null);
        assertEquals(401, api.send("POST", "/api/softgate/bgp/shutdown", null).statusCode(), "credentials needed");
        assertEquals(200, api.login(ApiFixture.USER, ApiFixture.PASSWORD).statusCode());
        assertEquals(409, api.send("POST", "/api/softgate/bgp/shutdown", null).statusCode());
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
