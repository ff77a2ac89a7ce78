package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.EvpnFabricTopology.ASN;
import static io.softgate.service.systemtest.EvpnFabricTopology.L3VNI;
import static io.softgate.service.systemtest.EvpnFabricTopology.LEAF_SOFTGATE_LINK;
import static io.softgate.service.systemtest.EvpnFabricTopology.PUBLIC_L3VNI;
import static io.softgate.service.systemtest.EvpnFabricTopology.SOFTGATE_LINK;
import static io.softgate.service.systemtest.EvpnFabricTopology.SOFTGATE_ROUTER_MAC;
import static io.softgate.service.systemtest.EvpnFabricTopology.SOFTGATE_VTEP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issues 3 and 7: a VPC the controller creates over the API (CloudStack's Netris plugin: VPC, IPAM,
 * then a vNet with a vxlanID) gets an EVPN VRF in the softgate's speaker at run time. The softgate,
 * run from the built distribution with its API on, peers with a real FRR leaf (EvpnFabricTopology).
 * The test shows on the leaf that a type-5 0.0.0.0/0 with RT ASN:L3VNI, ET:8, the softgate's
 * Router's MAC and next hop its VTEP appears under route distinguisher {@code routerId:L3VNI} once
 * the vNet exists, and is withdrawn when the VPC is deleted (while the file VRF's default route
 * stays); and that a type-5 prefix the leaf originates in that L3VNI before the VPC existed is
 * imported into the VPC's VRF, i.e. compiled into the forwarding tables the softgate publishes.
 */
@Tag("system")
class ApiVpcEvpnSystemTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int API_L3VNI = 7001;
    private static final String API_VPC = "api-vpc";
    private static final String LEAF_VTEP = "10.255.0.254";
    private static final String LEAF_ROUTER_MAC = "02:5f:00:00:0f:01";
    private static final String LEAF_PREFIX = "10.88.0.0/24";
    private static final int API_PORT = 18090;
    private static final Duration CONVERGENCE = Duration.ofSeconds(60);

    private EvpnFabricTopology topology;
    private ManagedProcess softgate;

    @AfterEach
    void cleanUp() {
        if (softgate != null) {
            softgate.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void shouldAdvertiseADefaultRouteIntoAVpcCreatedOverTheApiAndWithdrawItWhenTheVpcIsDeleted(TestInfo test)
        throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ss", "curl", "vtysh");
        assumeTrue(FrrInstance.available(), "FRR is not installed (.ci/run installs it)");
        long startNs = System.nanoTime();
        Path output = SystemTestSupport.outputDirectory(test);
        SoftgateDistribution distribution = SoftgateDistribution.built();
        topology = EvpnFabricTopology.build(test.getTestMethod().orElseThrow().getName(), output.resolve("frr"));
        FrrInstance leaf = topology.leafFrr();
        originateTenantPrefixFromTheLeaf(leaf);

        String token = "system-test-token-" + Long.toHexString(System.nanoTime()) + "-0123456789abcdef";
        Path tokens = output.resolve("api-tokens");
        Files.writeString(tokens, token + "\n");
        Path config = writeSoftgateConfig(output.resolve("etc"), tokens);
        // The bridge's debug lines show a route the softgate received but no VRF imported (yet).
        softgate = distribution.start(topology.softgate(), List.of("env", "SOFTGATE_JAVA_OPTS="
            + "-Dorg.slf4j.simpleLogger.log.io.softgate.service.evpn.EvpnRouteBridge=debug"), config,
            output.resolve("softgate.log"));
        // api.warmUp is on by default: the packaged service rehearses the apply path before it listens.
        softgate.awaitOutput("API warm-up: ", CONVERGENCE);
        softgate.awaitOutput("API listening", CONVERGENCE);
        await("the session to the leaf Established", () -> "Established".equals(
            leaf.evpnPeerStates().get(SOFTGATE_LINK)), CONVERGENCE);
        String fileRd = SOFTGATE_VTEP + ":2";
        String apiRd = SOFTGATE_VTEP + ":" + API_L3VNI;
        await("the file VRF's default route on the leaf", () -> type5(leaf, fileRd, "0.0.0.0", 0) != null, CONVERGENCE);
        await("the leaf's own type-5 " + LEAF_PREFIX + " in its routing table",
            () -> leaf.vtysh("show bgp l2vpn evpn route type prefix").contains("10.88.0.0"), CONVERGENCE);
        await("the softgate received the leaf's " + LEAF_PREFIX + " (no VRF imports it yet)",
            () -> softgate.output().lines().anyMatch(line -> line.contains("ignored (no VRF imports its route targets)")
                && line.contains("10.88.0.0")), CONVERGENCE);
        assertEquals(null, type5(leaf, apiRd, "0.0.0.0", 0), "no VRF for the VPC before the API creates it");

        // The controller's calls for a VPC with one vNet (vxlanID = the VPC's L3VNI).
        SoftgateApiClient api = new SoftgateApiClient(topology.softgate(), API_PORT, token);
        long createNs = System.nanoTime();
        Ids ids = createVpcWithVnet(api);
        await("the VPC's type-5 0.0.0.0/0 under RD " + apiRd + " on the leaf",
            () -> type5(leaf, apiRd, "0.0.0.0", 0) != null, Duration.ofSeconds(15));
        long advertisedMs = (System.nanoTime() - createNs) / 1_000_000;
        String route = type5(leaf, apiRd, "0.0.0.0", 0);
        assertTrue(route.contains("RT:" + ASN + ":" + API_L3VNI), "no RT:" + ASN + ":" + API_L3VNI + " in " + route);
        assertTrue(route.contains("ET:8"), "no ET:8 in " + route);
        assertTrue(route.contains("Rmac:" + SOFTGATE_ROUTER_MAC), "no Rmac:" + SOFTGATE_ROUTER_MAC + " in " + route);
        assertTrue(route.contains("\"" + SOFTGATE_VTEP + "\""), "next hop is not our VTEP: " + route);

        // The leaf's prefix, learned before the VPC existed, is imported into its VRF at once.
        String learned = API_VPC + " " + LEAF_PREFIX + " via " + LEAF_VTEP + " rmac " + LEAF_ROUTER_MAC;
        await("the leaf's " + LEAF_PREFIX + " in the VPC's forwarding tables", () -> lastPublish().contains(learned),
            Duration.ofSeconds(15));
        assertTrue(softgate.output().contains("VRF " + API_VPC + " (L3VNI " + API_L3VNI + ", RD " + apiRd
            + ") added: 1 learned route(s) imported"), "imported when the VRF was added:\n" + softgate.output());

        // The API's view of the running speaker (issue 7): the leaf Established, the VPC's VRF (made by
        // the API) advertising its default route and holding the leaf's prefix.
        JsonNode bgp = api.ok("GET", "/api/softgate/bgp", null);
        JsonNode peer = SoftgateApiClient.find(bgp.get("peers"), "address", LEAF_SOFTGATE_LINK);
        assertEquals("Established", peer.get("state").asText(), bgp.toString());
        JsonNode vpcVrf = SoftgateApiClient.find(bgp.get("vrfs"), "name", API_VPC);
        assertEquals("api", vpcVrf.get("source").asText(), vpcVrf.toString());
        assertTrue(vpcVrf.get("advertised").toString().contains("\"0.0.0.0/0\""), vpcVrf.toString());
        assertTrue(vpcVrf.get("learnedBestPaths").asInt() >= 1, vpcVrf.toString());

        // The plugin deletes the vNet, then the VPC: the default route leaves the leaf, the file's stays.
        long deleteNs = System.nanoTime();
        api.ok("DELETE", "/api/v2/vnet/" + ids.vnet(), null);
        api.ok("DELETE", "/api/v2/vpc/" + ids.vpc(), null);
        await("the VPC's default route withdrawn from the leaf", () -> type5(leaf, apiRd, "0.0.0.0", 0) == null,
            Duration.ofSeconds(10));
        long withdrawnMs = (System.nanoTime() - deleteNs) / 1_000_000;
        assertNotNull(type5(leaf, fileRd, "0.0.0.0", 0), "the file VRF's default route stays");
        await("the VPC's learned route gone from the forwarding tables", () -> !lastPublish().contains(API_VPC + " "),
            Duration.ofSeconds(10));
        assertTrue("Established".equals(leaf.evpnPeerStates().get(SOFTGATE_LINK)), "the session stayed up");

        assertEquals(0, softgate.stop(), "softgate must exit 0 on SIGTERM:\n" + softgate.output());
        assertTrue(!softgate.output().contains("Exception"), "the softgate logged an exception:\n" + softgate.output());
        System.out.println("ApiVpcEvpnSystemTest: type-5 0.0.0.0/0 in L3VNI " + API_L3VNI + " on the FRR leaf "
            + advertisedMs + " ms after the API calls began, withdrawn " + withdrawnMs + " ms after the DELETEs; ran in "
            + (System.nanoTime() - startNs) / 1_000_000 + " ms");
    }

    /**
     * The leaf becomes a VTEP for L3VNI 7001 in its default VRF (LAB.md: no VRF devices here) and
     * originates {@link #LEAF_PREFIX} as a type-5 route in it (RT 65000:7001, its bridge's MAC).
     */
    private static void originateTenantPrefixFromTheLeaf(FrrInstance leaf) {
        NetworkNamespace namespace = leaf.namespace();
        namespace.addAddress("lo", LEAF_VTEP + "/32");
        String bridge = "br" + API_L3VNI;
        String vxlan = "vxlan" + API_L3VNI;
        namespace.execOk("ip", "link", "add", bridge, "type", "bridge");
        namespace.execOk("ip", "link", "set", bridge, "address", LEAF_ROUTER_MAC);
        namespace.execOk("ip", "link", "add", vxlan, "type", "vxlan", "id", Integer.toString(API_L3VNI), "local",
            LEAF_VTEP, "dstport", "4789", "nolearning");
        namespace.execOk("ip", "link", "set", vxlan, "master", bridge);
        namespace.execOk("bridge", "link", "set", "dev", vxlan, "learning", "off");
        namespace.execOk("ip", "link", "set", vxlan, "up");
        namespace.execOk("ip", "link", "set", bridge, "up");
        // zebra binds L3VNI 7001 to the default VRF; bgpd hears of VNIs only with advertise-all-vni.
        leaf.configure("vni " + API_L3VNI);
        leaf.configure("router bgp " + ASN, "no bgp network import-check", "address-family ipv4 unicast",
            "network " + LEAF_PREFIX, "exit-address-family", "address-family l2vpn evpn", "advertise-all-vni",
            "advertise ipv4 unicast", "exit-address-family");
    }

    private record Ids(int vpc, int vnet) {
    }

    /** Site and tenant lookups, the VPC, its allocation and subnet, then the vNet with vxlanID 7001. */
    private static Ids createVpcWithVnet(SoftgateApiClient api) {
        String site = ref(SoftgateApiClient.find(api.ok("GET", "/api/sites", null), "name", "sg-apivpc"));
        String tenant = ref(SoftgateApiClient.find(api.ok("GET", "/api/tenants", null), "name", "Admin"));
        api.ok("POST", "/api/v2/vpc", "{\"name\":\"" + API_VPC + "\",\"adminTenant\":" + tenant + "}");
        JsonNode vpc = SoftgateApiClient.find(api.ok("GET", "/api/v2/vpc", null), "name", API_VPC);
        api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"api-vpc-alloc\",\"prefix\":\"10.77.0.0/16\",\"vpc\":"
            + ref(vpc) + ",\"tenant\":" + tenant + "}");
        api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"api-vpc-tier\",\"prefix\":\"10.77.1.0/24\",\"purpose\":"
            + "\"common\",\"vpc\":" + ref(vpc) + ",\"tenant\":" + tenant + ",\"sites\":[" + site + "]}");
        api.ok("POST", "/api/v2/vnet", "{\"gateways\":[{\"prefix\":\"10.77.1.1/24\"}],\"name\":\"api-vpc-tier1\","
            + "\"vxlanID\":" + API_L3VNI + ",\"sites\":[" + site + "],\"state\":\"active\",\"tenant\":" + tenant
            + ",\"vpc\":" + ref(vpc) + "}");
        JsonNode vnet = SoftgateApiClient.find(api.ok("GET", "/api/v2/vnet", null), "name", "api-vpc-tier1");
        assertNotNull(vnet, "the vNet is listed");
        return new Ids(vpc.get("id").asInt(), vnet.get("id").asInt());
    }

    private static String ref(JsonNode item) {
        assertNotNull(item, "an item the API should list");
        return "{\"id\":" + item.get("id").asInt() + ",\"name\":\"" + item.get("name").asText() + "\"}";
    }

    /** The leaf's type-5 route {@code prefix/length} under route distinguisher {@code rd}, as JSON, or null. */
    private static String type5(FrrInstance leaf, String rd, String prefix, int length) {
        try {
            JsonNode routes = JSON.readTree(leaf.vtysh("show bgp l2vpn evpn route type prefix json")).path(rd);
            JsonNode route = routes.get("[5]:[0]:[" + length + "]:[" + prefix + "]");
            return route == null ? null : route.toString();
        } catch (IOException | RuntimeException e) {
            return null; // bgpd busy or restarting: nothing held
        }
    }

    /** The softgate's last "published forwarding tables" line (it lists up to 16 learned routes). */
    private String lastPublish() {
        String log = softgate.output();
        int at = log.lastIndexOf("published forwarding tables");
        return at < 0 ? "" : log.substring(at, Math.max(at, log.indexOf('\n', at)));
    }

    private Path writeSoftgateConfig(Path directory, Path tokens) throws IOException {
        Files.createDirectories(directory);
        Path config = directory.resolve("softgate.json");
        String json = """
            {
              "node": {"name": "sg-apivpc", "routerMac": "%s", "vtepAddress": "%s", "publicVrf": "public"},
              "dataplane": {"workers": 1, "batchSize": 64, "framesPerWorker": 4096, "idleStrategy": "backoff",
                            "statsIntervalSeconds": 5},
              "io": {"backend": "udp", "udp": {"bindAddress": "%s", "port": 4789}},
              "forwarding": {"vrfs": [{"name": "public", "l3vni": %d}, {"name": "tenant", "l3vni": %d}]},
              "bgp": {"enabled": true, "asn": %d, "routerId": "%s", "listenAddress": "%s",
                      "neighbors": [{"address": "%s", "remoteAsn": %d, "localAddress": "%s", "holdTimeSeconds": 9}],
                      "vrfs": [{"name": "tenant", "advertiseDefaultRoute": true}],
                      "underlayPrefixes": ["10.255.0.0/24", "172.16.0.0/16"]},
              "api": {"port": %d, "tokensFile": "%s"},
              "stateDir": "state"
            }
            """.formatted(SOFTGATE_ROUTER_MAC, SOFTGATE_VTEP, SOFTGATE_VTEP, PUBLIC_L3VNI, L3VNI, ASN, SOFTGATE_VTEP,
            SOFTGATE_LINK, LEAF_SOFTGATE_LINK, ASN, SOFTGATE_LINK, API_PORT, tokens.toAbsolutePath());
        Files.writeString(config, json);
        return config;
    }

    private String leafDiagnostics() {
        StringBuilder text = new StringBuilder();
        for (String command : new String[] {"show evpn vni", "show bgp l2vpn evpn vni", "show bgp ipv4 unicast",
            "show bgp l2vpn evpn route type prefix", "show running-config"}) {
            try {
                text.append("# ").append(command).append('\n').append(topology.leafFrr().vtysh(command)).append('\n');
            } catch (RuntimeException e) {
                text.append("# ").append(command).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return text.toString();
    }

    private void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what + "\nsoftgate log:\n"
                    + (softgate == null ? "-" : softgate.output()) + "\nFRR:\n" + topology.frrLogs() + "\nleaf:\n"
                    + leafDiagnostics());
            }
            Thread.sleep(100);
        }
    }
}
