package io.softgate.service.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 5, "Done when" 3: a VIP in the public VRF reachable from the internet namespace, spread
 * over three HTTP backends in blue VMs on two hypervisors, with HTTP health checks that take a stopped backend out,
 * and (with an FRR leaf peering with the softgate) the VIP's EVPN route withdrawn while no backend is healthy;
 * and a NAT address the controller applies through the API advertised to (and withdrawn from) the same leaf.
 */
@Tag("system")
class LoadBalancerSystemTest {
    static final String VIP = "198.51.100.100";
    static final int BACKEND_PORT = 8000;
    static final int INTERVAL_MS = 1000;
    static final int FALL = 2;
    static final Map<String, String> BACKENDS = new LinkedHashMap<>();

    static {
        BACKENDS.put("b1", "10.1.1.11");
        BACKENDS.put("b2", "10.1.1.12");
        BACKENDS.put("b3", "10.1.2.13");
    }

    static final String LB_SECTION = """
        "loadBalancer": {"maxConnections": 65536, "services": [
          {"name": "web", "protocol": "tcp", "vip": "%s", "port": 80, "vpc": "blue",
           "backends": [{"address": "10.1.1.11", "port": %d}, {"address": "10.1.1.12", "port": %d},
                        {"address": "10.1.2.13", "port": %d}],
           "healthCheck": {"type": "http", "requestPath": "/id", "timeoutMs": 500, "intervalMs": %d,
                           "rise": 2, "fall": %d}}]}
        """.formatted(VIP, BACKEND_PORT, BACKEND_PORT, BACKEND_PORT, INTERVAL_MS, FALL);

    private FeatureLab lab;
    private FrrInstance leaf;

    @AfterEach
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    private Map<String, ManagedProcess> startLab(TestInfo test) throws Exception {
        return startLab(test, false);
    }

    /** The lab, three backends and the softgate; with {@code frrLeaf}, BGP EVPN to an FRR leaf too. */
    private Map<String, ManagedProcess> startLab(TestInfo test, boolean frrLeaf) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ss", "curl", FeatureLab.PYTHON);
        if (frrLeaf) {
            assumeTrue(FrrInstance.available(), "FRR is not installed (.ci/run installs it)");
        }
        Path output = SystemTestSupport.outputDirectory(test);
        // b1 and b2 behind the blue hypervisor, b3 behind a second blue hypervisor.
        lab = FeatureLab.build(test.getTestMethod().orElseThrow().getName(), output,
            Map.of("b1", BACKENDS.get("b1"), "b2", BACKENDS.get("b2")), Map.of(), Map.of("b3", BACKENDS.get("b3")));
        Map<String, ManagedProcess> servers = new LinkedHashMap<>();
        for (Map.Entry<String, String> backend : BACKENDS.entrySet()) {
            servers.put(backend.getKey(), lab.startHttpServer(backend.getKey(), lab.topology.vm(backend.getKey()),
                backend.getValue(), BACKEND_PORT, 1_000_000));
        }
        if (frrLeaf) {
            leaf = lab.startFrrLeaf();
        }
        lab.startSoftgate(frrLeaf ? LB_SECTION + ",\n" + FeatureTopology.bgpSection() : LB_SECTION);
        return servers;
    }

    @Test
    void shouldSpread300ConnectionsFromTheInternetWithin20PercentOverThreeBackends(TestInfo test) throws Exception {
        startLab(test);

        // Fixed client ports: the same 300 connections every run (Maglev is deterministic).
        Map<String, Integer> perBackend = new TreeMap<>();
        for (String answer : getMany(20000, 300)) {
            perBackend.merge(answer, 1, Integer::sum);
        }

        assertEquals(BACKENDS.keySet(), perBackend.keySet(), "every connection must reach a backend: " + perBackend
            + "\n" + lab.softgateLog());
        for (Map.Entry<String, Integer> share : perBackend.entrySet()) {
            assertTrue(share.getValue() >= 80 && share.getValue() <= 120,
                "backend " + share.getKey() + " got " + share.getValue() + " of 300 (want 100 +- 20%): " + perBackend);
        }
        System.out.println("LoadBalancerSystemTest: 300 connections spread " + perBackend);
    }

    @Test
    void shouldTakeAStoppedBackendOutWithinIntervalTimesFallWhileOtherConnectionsKeepFlowing(TestInfo test)
        throws Exception {
        Map<String, ManagedProcess> servers = startLab(test);
        // Which backend each client port lands on (Maglev is deterministic for a fixed 5-tuple).
        List<String> before = getMany(21000, 90);
        assertEquals(90, before.stream().filter(BACKENDS::containsKey).count(),
            "the VIP must answer before a backend is stopped: " + before + "\n" + lab.softgateLog());

        // A long download (1 MB at 100 kB/s) that must survive another backend's death.
        ManagedProcess download = ManagedProcess.start("slow-download", lab.topology.internet(),
            List.of("curl", "-s", "-f", "--local-port", "30000", "--limit-rate", "100k", "-o", "/dev/null", "-w",
                "%{size_download}", "http://" + VIP + "/big"), lab.output.resolve("slow-download.log"));
        lab.track(download);
        String carrier = awaitBackendServing(servers, "GET /big");
        String victim = BACKENDS.keySet().stream().filter(name -> !name.equals(carrier)).findFirst().orElseThrow();
        List<Integer> victimPorts = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            if (before.get(i).equals(victim)) {
                victimPorts.add(21000 + i);
            }
        }

        long stoppedNs = System.nanoTime();
        servers.get(victim).stop();
        // Reusing a client port that landed on the victim fails (its kernel resets) until the
        // health check marks it down; then the LB moves that connection to a live backend.
        long healedNs = awaitVictimPortServed(victimPorts, stoppedNs);
        long detectionMs = (healedNs - stoppedNs) / 1_000_000;

        assertTrue(detectionMs <= (long) INTERVAL_MS * FALL + 1000, "stopped backend " + victim + " still got new "
            + "connections " + detectionMs + " ms after it stopped (interval x fall = " + INTERVAL_MS * FALL + " ms)");
        List<String> after = getMany(22000, 60);
        assertTrue(after.stream().noneMatch(answer -> answer.equals(victim) || answer.equals("FAIL")),
            "new connections must avoid " + victim + ": " + after);
        assertEquals(0, download.awaitExit(Duration.ofSeconds(60)), "the download from " + carrier + " broke: "
            + download.output());
        assertEquals("1000000", download.output().trim(), "bytes downloaded from " + carrier);
        System.out.println("LoadBalancerSystemTest: " + victim + " stopped, new connections avoided it after "
            + detectionMs + " ms (interval " + INTERVAL_MS + " ms x fall " + FALL + ")");
    }

    /** {@code count} GETs of /id from the internet to the VIP from client ports first.., each answer or FAIL. */
    private List<String> getMany(int firstPort, int count) {
        Commands.Result result = lab.topology.internet().exec(Duration.ofSeconds(30 + count), "sh", "-c",
            "for p in $(seq " + firstPort + " " + (firstPort + count - 1) + "); do "
                + "curl -s -f --max-time 3 --local-port $p -H 'Connection: close' http://" + VIP + "/id || echo FAIL; "
                + "done");
        List<String> answers = new ArrayList<>();
        for (String line : result.output().split("\n")) {
            if (!line.isBlank()) {
                answers.add(line.trim());
            }
        }
        return answers;
    }

    /**
     * Connects from the victim's client ports one after the other until one is answered; returns
     * the time that attempt started.
     */
    private long awaitVictimPortServed(List<Integer> victimPorts, long stoppedNs) {
        for (int port : victimPorts) {
            long startNs = System.nanoTime();
            Commands.Result result = lab.topology.internet().exec(Duration.ofSeconds(10), "curl", "-s", "-f",
                "--max-time", "2", "--local-port", Integer.toString(port), "-H", "Connection: close",
                "http://" + VIP + "/id");
            if (result.ok()) {
                return startNs;
            }
            long sinceStopMs = (System.nanoTime() - stoppedNs) / 1_000_000;
            if (sinceStopMs > 10L * INTERVAL_MS * FALL) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("connections on the stopped backend's client ports " + victimPorts
            + " kept failing:\n" + lab.softgateLog());
    }

    private static String awaitBackendServing(Map<String, ManagedProcess> servers, String request)
        throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (Map.Entry<String, ManagedProcess> server : servers.entrySet()) {
                if (server.getValue().output().contains(request)) {
                    return server.getKey();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no backend logged " + request);
    }

    /**
     * Issue 5, "Done when" 3, last part: the VIP's type-5 /32 leaves the FRR leaf's EVPN table when
     * every backend is down, and comes back when one backend is healthy again.
     */
    @Test
    void shouldWithdrawTheVipFromTheFrrLeafWhenAllBackendsAreDownAndReadvertiseItWhenOneComesBack(TestInfo test)
        throws Exception {
        Map<String, ManagedProcess> servers = startLab(test, true);
        String vipRoute = VIP + "/32";
        String available = "VIP " + VIP + " available";
        String unavailable = "VIP " + VIP + " unavailable";
        await("the session to the leaf Established", () -> "Established".equals(
            leaf.evpnPeerStates().get(FeatureTopology.SOFTGATE_LINK)), Duration.ofSeconds(60));
        await("the VIP's type-5 route on the leaf", () -> leaf.type5Routes(FeatureTopology.SOFTGATE_VTEP)
            .containsKey(vipRoute), Duration.ofSeconds(30));
        String route = leaf.type5Routes(FeatureTopology.SOFTGATE_VTEP).get(vipRoute);
        assertTrue(route.contains("RT:" + FeatureTopology.ASN + ":" + FeatureTopology.PUBLIC_L3VNI),
            "the VIP must be advertised in the public VRF: " + route);
        assertNotNull(FeatureLab.get(lab.topology.internet(), "http://" + VIP + "/id", 5), lab.softgateLog());

        long stoppedNs = System.nanoTime();
        for (ManagedProcess server : servers.values()) {
            server.stop();
        }
        lab.softgate().awaitOutput(unavailable, Duration.ofMillis((long) INTERVAL_MS * FALL + 5000));
        await("the VIP's route gone from the leaf", () -> !leaf.type5Routes(FeatureTopology.SOFTGATE_VTEP)
            .containsKey(vipRoute), Duration.ofSeconds(5));
        long withdrawnMs = (System.nanoTime() - stoppedNs) / 1_000_000;
        assertNull(FeatureLab.get(lab.topology.internet(), "http://" + VIP + "/id", 3),
            "no backend is up, nothing may answer");

        lab.startHttpServer("b2", lab.topology.vm("b2"), BACKENDS.get("b2"), BACKEND_PORT, 0);
        long restartNs = System.nanoTime(); // b2 listens from here on
        await("the VIP's route back on the leaf", () -> leaf.type5Routes(FeatureTopology.SOFTGATE_VTEP)
            .containsKey(vipRoute), Duration.ofSeconds(15));
        long readvertisedMs = (System.nanoTime() - restartNs) / 1_000_000;
        assertEquals(3, lab.softgateLog().split(available, -1).length,
            "the VIP must be reported available twice (start, b2 back):\n" + lab.softgateLog());
        assertEquals("b2", FeatureLab.get(lab.topology.internet(), "http://" + VIP + "/id", 5), lab.softgateLog());
        assertTrue(!lab.softgateLog().contains("Exception"), "the softgate logged an exception:\n" + lab.softgateLog());
        System.out.println("LoadBalancerSystemTest: VIP withdrawn from the FRR leaf " + withdrawnMs
            + " ms after all backends stopped, re-advertised " + readvertisedMs + " ms after b2 listened (interval "
            + INTERVAL_MS + " ms, fall " + FALL + ", rise 2)");
    }

    /**
     * The controller's public addresses reach the fabric: an SNAT address applied through the API
     * (not listed in the file) appears as a type-5 /32 in the public VRF on the FRR leaf, and is
     * withdrawn from it when the API deletes the rule.
     */
    @Test
    void shouldAdvertiseANatAddressAppliedThroughTheApiOnTheFrrLeafAndWithdrawItAfterTheDelete(TestInfo test)
        throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ss", "curl");
        assumeTrue(FrrInstance.available(), "FRR is not installed (.ci/run installs it)");
        Path output = SystemTestSupport.outputDirectory(test);
        lab = FeatureLab.build(test.getTestMethod().orElseThrow().getName(), output, Map.of("b1", BACKENDS.get("b1")),
            Map.of());
        leaf = lab.startFrrLeaf();
        String token = "system-test-token-" + Long.toHexString(System.nanoTime()) + "-0123456789abcdef";
        Path tokens = output.resolve("api-tokens");
        java.nio.file.Files.writeString(tokens, token + "\n");
        int apiPort = 18089;
        lab.startSoftgate("\"api\": {\"port\": " + apiPort + ", \"tokensFile\": \"" + tokens.toAbsolutePath() + "\"},\n"
            + FeatureTopology.bgpSection());
        // The API starts after the BGP speaker, whose start line already matches the running marker.
        lab.softgate().awaitOutput("API listening", Duration.ofSeconds(30));
        await("the session to the leaf Established", () -> "Established".equals(
            leaf.evpnPeerStates().get(FeatureTopology.SOFTGATE_LINK)), Duration.ofSeconds(60));
        String natAddress = "198.51.100.77";
        String natRoute = natAddress + "/32";
        assertTrue(!leaf.type5Routes(FeatureTopology.SOFTGATE_VTEP).containsKey(natRoute), "not advertised before the API");

        SoftgateApiClient api = new SoftgateApiClient(lab.topology.softgate(), apiPort, token);
        int ruleId = createSnatThroughTheApi(api, natAddress);
        await("the API's SNAT address on the leaf", () -> leaf.type5Routes(FeatureTopology.SOFTGATE_VTEP)
            .containsKey(natRoute), Duration.ofSeconds(10));
        String route = leaf.type5Routes(FeatureTopology.SOFTGATE_VTEP).get(natRoute);
        assertTrue(route.contains("RT:" + FeatureTopology.ASN + ":" + FeatureTopology.PUBLIC_L3VNI),
            "the SNAT address must be advertised in the public VRF: " + route);

        long deleteNs = System.nanoTime();
        api.ok("DELETE", "/api/v2/nat/" + ruleId, null);
        await("the SNAT address gone from the leaf", () -> !leaf.type5Routes(FeatureTopology.SOFTGATE_VTEP)
            .containsKey(natRoute), Duration.ofSeconds(5));
        long withdrawnMs = (System.nanoTime() - deleteNs) / 1_000_000;
        assertTrue(!lab.softgateLog().contains("Exception"), "the softgate logged an exception:\n" + lab.softgateLog());
        System.out.println("LoadBalancerSystemTest: API SNAT address " + natRoute + " advertised to the FRR leaf, "
            + "withdrawn " + withdrawnMs + " ms after the DELETE");
    }

    /** The controller's calls for one SNAT rule (public range, NAT subnet, VPC with a vNet, the rule); returns its id. */
    private static int createSnatThroughTheApi(SoftgateApiClient api, String publicAddress) {
        String site = ref(SoftgateApiClient.find(api.ok("GET", "/api/sites", null), "name", "sg-features"));
        String tenant = ref(SoftgateApiClient.find(api.ok("GET", "/api/tenants", null), "name", "Admin"));
        String system = null;
        for (com.fasterxml.jackson.databind.JsonNode vpc : api.ok("GET", "/api/v2/vpc", null)) {
            if (vpc.path("isSystem").asBoolean()) {
                system = ref(vpc);
            }
        }
        api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"PUBLIC\",\"prefix\":\"198.51.100.0/24\",\"vpc\":" + system
            + ",\"tenant\":" + tenant + "}");
        api.ok("POST", "/api/v2/ipam/subnet", subnet("PUBLIC-RANGE", "198.51.100.64/26", "common", system, tenant, site));
        api.ok("POST", "/api/v2/ipam/subnet", subnet("NAT-" + publicAddress, publicAddress + "/32", "nat", system, tenant,
            site));
        String vpc = ref(api.ok("POST", "/api/v2/vpc", "{\"name\":\"api-vpc\",\"adminTenant\":" + tenant + "}"));
        api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"api-vpc-alloc\",\"prefix\":\"10.77.0.0/16\",\"vpc\":" + vpc
            + ",\"tenant\":" + tenant + "}");
        api.ok("POST", "/api/v2/ipam/subnet", subnet("api-vpc-tier", "10.77.1.0/24", "common", vpc, tenant, site));
        api.ok("POST", "/api/v2/vnet", "{\"gateways\":[{\"prefix\":\"10.77.1.1/24\"}],\"name\":\"api-vpc-tier1\","
            + "\"vxlanID\":7001,\"sites\":[" + site + "],\"state\":\"active\",\"tenant\":" + tenant + ",\"vpc\":" + vpc + "}");
        api.ok("POST", "/api/v2/nat", "{\"action\":\"SNAT\",\"name\":\"api-snat\",\"protocol\":\"ALL\",\"state\":\"enabled\","
            + "\"destinationAddress\":\"0.0.0.0/0\",\"sourceAddress\":\"10.77.0.0/16\",\"sourcePort\":\"1-65535\","
            + "\"snatToIP\":\"" + publicAddress + "/32\",\"site\":" + site + ",\"vpc\":" + vpc + "}");
        return SoftgateApiClient.find(api.ok("GET", "/api/v2/nat", null), "name", "api-snat").get("id").asInt();
    }

    private static String ref(com.fasterxml.jackson.databind.JsonNode item) {
        return "{\"id\":" + item.get("id").asInt() + ",\"name\":\"" + item.get("name").asText() + "\"}";
    }

    private static String subnet(String name, String prefix, String purpose, String vpc, String tenant, String site) {
        return "{\"name\":\"" + name + "\",\"prefix\":\"" + prefix + "\",\"purpose\":\"" + purpose + "\",\"vpc\":" + vpc
            + ",\"tenant\":" + tenant + ",\"sites\":[" + site + "]}";
    }

    private void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what + "\nsoftgate log:\n"
                    + lab.softgateLog() + "\nFRR leaf:\n" + (leaf == null ? "-" : leaf.logTail()));
            }
            Thread.sleep(100);
        }
    }
}
