package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.softgate.evpn.bgp.evpn.IpPrefixRoute;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.MacAddress;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.nat.compile.NatTables;
import io.softgate.service.config.ConfigError;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.evpn.BgpSettingsFactory;
import io.softgate.service.evpn.EvpnService;
import io.softgate.service.evpn.PublicAdvertisements;
import io.softgate.service.evpn.RecordingAdvertiser;
import io.softgate.service.pipeline.ForwardingIntents;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the data plane holds when the configuration file, the controller's API and BGP all
 * contribute (packaging/README.md, "What the data plane holds"): each input's part survives the
 * others' publishes, names the file uses are refused to the API, and static routes of the file and
 * of the API route packets.
 */
class ApiCompositionTest {
    static final String CONFIG = """
        {"node": {"name": "sg1", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1", "publicVrf": "public"},
         "forwarding": {"vrfs": [{"name": "public", "l3vni": 9000},
           {"name": "file-vpc", "l3vni": 6001, "routes": [
             {"prefix": "10.20.1.0/24", "nextHopVtep": "10.255.0.21", "nextHopRouterMac": "02:5f:00:00:0b:21"}]}]},
         %s
         "dataplane": {"workers": 1, "batchSize": 32, "framesPerWorker": 256},
         "io": {"backend": "memory"}}
        """;
    static final String FILE_NAT = """
        "nat": {"maxSessions": 1024, "rules": [
          {"name": "file-snat", "vpc": "file-vpc", "action": "SNAT", "sourceAddress": "10.2.0.0/16", "snatToIP": "203.0.113.50"}%s]},
        """;
    static final String VPC_NAME = "api-vpc";
    static final int VXLAN_ID = 5001;
    static final byte[] HYPERVISOR = VxlanFrames.address(10, 255, 0, 11);
    static final byte[] SOFTGATE = VxlanFrames.address(10, 255, 0, 1);

    @TempDir
    Path stateDir;
    ApiFixture api;
    int site;
    int tenant;

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(stateDir, CONFIG.formatted(FILE_NAT.formatted("")));
        assertEquals(200, api.login(ApiFixture.USER, ApiFixture.PASSWORD).statusCode());
        site = ApiFixture.find(api.ok("GET", "/api/sites", null), "name", "softgate-site").get("id").asInt();
        tenant = ApiFixture.find(api.ok("GET", "/api/tenants", null), "name", "Admin").get("id").asInt();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void shouldKeepTheFileNatRulesBesideTheApiRules() throws Exception {
        int vpc = createVpcWithVnet();
        createSnat(vpc, "api-snat", "203.0.113.10");
        NatTables nat = current(NatTables.SLOT);
        ForwardingTables forwarding = current(ForwardingTables.SLOT);
        assertTrue(nat.outbound(forwarding.vrfIndex("file-vpc")).length >= 1, "the file's SNAT rule stays");
        assertTrue(nat.outbound(forwarding.vrfIndex(VPC_NAME)).length >= 1, "the API's SNAT rule is added");
        assertTrue(forwarding.vrfIndex("file-vpc") >= 0 && forwarding.vrfIndex(VPC_NAME) >= 0);
    }

    @Test
    void shouldRefuseAnApiNatRuleNamedAsARuleOfTheFile() throws Exception {
        int vpc = createVpcWithVnet();
        long generation = api.api.store().current().generation();
        HttpResponse<String> refused = sendSnat(vpc, "file-snat", "203.0.113.10");
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("nat[file-snat].name"), refused.body());
        assertTrue(refused.body().contains("configuration file"), refused.body());
        assertEquals(generation + 1, api.api.store().current().generation(), "only the subnet was applied, not the rule");
    }

    @Test
    void shouldRefuseAVpcNamedAsAVrfOfTheFile() throws Exception {
        HttpResponse<String> refused = createVpcWithVnet("file-vpc", 5002);
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("vpc[file-vpc].name"), refused.body());
    }

    @Test
    void shouldKeepTheApiIntentWhenBgpLearnsRoutesAndTheRoutesWhenTheApiApplies() throws Exception {
        int vpc = createVpcWithVnet();
        createSnat(vpc, "api-snat", "203.0.113.10");
        api.composer.learnedRoutesChanged(List.of(learned(VPC_NAME, "10.1.1.20/32", "10.255.0.41")));
        assertTrue(current(NatTables.SLOT).outbound(current(ForwardingTables.SLOT).vrfIndex(VPC_NAME)).length >= 1,
            "a BGP update keeps the API's NAT rules");
        assertEquals(VPC_NAME, current(ForwardingTables.SLOT).vrfName(current(ForwardingTables.SLOT).vrfOfVni(VXLAN_ID)));
        assertEquals(addressOf("10.255.0.41"), outerDestination(routeFromVpc(VXLAN_ID, "10.9.9.9", "10.1.1.20")),
            "the learned route forwards");

        createSnat(vpc, "api-snat-2", "203.0.113.11");
        assertEquals(addressOf("10.255.0.41"), outerDestination(routeFromVpc(VXLAN_ID, "10.9.9.9", "10.1.1.20")),
            "an API apply keeps the learned route");
    }

    @Test
    void shouldRouteAPacketByTheApiStaticRouteThroughItsLearnedNextHop() throws Exception {
        int vpc = createVpcWithVnet();
        addStaticRoute(vpc, "172.16.0.0/16", "10.1.1.254");
        assertEquals(null, routeFromVpc(VXLAN_ID, "10.1.1.10", "172.16.5.5"), "next hop not learned yet: no route");
        api.composer.learnedRoutesChanged(List.of(learned(VPC_NAME, "10.1.1.254/32", "10.255.0.31")));
        byte[] sent = routeFromVpc(VXLAN_ID, "10.1.1.10", "172.16.5.5");
        assertNotNull(sent, "routed by the static route");
        assertEquals(addressOf("10.255.0.31"), outerDestination(sent), "toward the VTEP behind the next hop");
        assertEquals(VXLAN_ID, vni(sent), "in the VPC's L3VNI");
    }

    @Test
    void shouldRouteAPacketByTheFileStaticRoute() throws Exception {
        byte[] sent = routeFromVpc(6001, "10.3.1.10", "10.20.1.5");
        assertNotNull(sent);
        assertEquals(addressOf("10.255.0.21"), outerDestination(sent));
        assertEquals(6001, vni(sent));
    }

    @Test
    void shouldKeepTheApiIntentAndTheLearnedRoutesWhenTheFileIsReloaded() throws Exception {
        int vpc = createVpcWithVnet();
        createSnat(vpc, "api-snat", "203.0.113.10");
        api.composer.learnedRoutesChanged(List.of(learned(VPC_NAME, "10.1.1.20/32", "10.255.0.41")));
        api.features.start(api.runtime.publisher(), stateDir);
        String second = ",\n{\"name\": \"file-dnat\", \"vpc\": \"file-vpc\", \"action\": \"DNAT\", \"protocol\": \"tcp\","
            + " \"destinationAddress\": \"203.0.113.51\", \"destinationPort\": \"80\", \"dnatToIP\": \"10.2.1.10\"}";
        List<ConfigError> errors = api.features.reload(ConfigLoader.parse("test",
            CONFIG.formatted(FILE_NAT.formatted(second)).getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(), errors);
        NatTables nat = current(NatTables.SLOT);
        assertEquals(1, nat.inbound().length, "the reloaded file's DNAT rule");
        assertTrue(nat.outbound(current(ForwardingTables.SLOT).vrfIndex(VPC_NAME)).length >= 1, "the API's SNAT rule stays");
        assertNotNull(current(io.softgate.service.intent.CompiledIntent.SLOT).vrf(VPC_NAME));
        assertEquals(addressOf("10.255.0.41"), outerDestination(routeFromVpc(VXLAN_ID, "10.9.9.9", "10.1.1.20")),
            "the learned route stays");
    }

    @Test
    void shouldRefuseAReloadThatGivesTheFileANameTheApiUses() throws Exception {
        int vpc = createVpcWithVnet();
        createSnat(vpc, "api-snat", "203.0.113.10");
        api.features.start(api.runtime.publisher(), stateDir);
        String clash = ",\n{\"name\": \"api-snat\", \"vpc\": \"file-vpc\", \"action\": \"SNAT\","
            + " \"sourceAddress\": \"10.2.9.0/24\", \"snatToIP\": \"203.0.113.52\"}";
        long epoch = api.runtime.publisher().current().epoch();
        List<ConfigError> errors = api.features.reload(ConfigLoader.parse("test",
            CONFIG.formatted(FILE_NAT.formatted(clash)).getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).path().contains("api-snat"), errors.toString());
        assertEquals(epoch, api.runtime.publisher().current().epoch(), "a refused reload publishes nothing");
    }

    @Test
    void shouldAdvertiseTheApiSnatAddressWhenAppliedAndWithdrawItWhenDeleted() throws Exception {
        List<String> calls = new java.util.ArrayList<>();
        PublicAdvertisements advertisements = new PublicAdvertisements(api.config,
            () -> ForwardingIntents.translate(api.config).intent(), RecordingAdvertiser.routes(calls));
        advertisements.fileChanged(BgpSettingsFactory.publicServices(api.config), Set.of());
        api.composer.onIntentCommitted(advertisements::intentCommitted);
        int vpc = createVpcWithVnet();
        assertEquals(List.of(), calls, "a VPC alone owns no public address");

        createSnat(vpc, "api-snat", "203.0.113.10");
        assertEquals(List.of("+203.0.113.10/32 l3vni 9000"), calls);

        int rule = ApiFixture.find(api.ok("GET", "/api/v2/nat", null), "name", "api-snat").get("id").asInt();
        api.ok("DELETE", "/api/v2/nat/" + rule, null);
        assertEquals(List.of("+203.0.113.10/32 l3vni 9000", "-203.0.113.10/32 l3vni 9000"), calls);
    }

    // ---------------------------------------------------------------- packets

    /** Sends one UDP packet from a VM behind {@code vni}; returns the frame transmitted, or null. */
    private byte[] routeFromVpc(int vni, String source, String destination) {
        byte[] frame = VxlanFrames.udp(vni, HYPERVISOR, SOFTGATE, bytes(source), bytes(destination));
        api.push(frame);
        return api.ports.get(0).pollTransmitted();
    }

    private static int outerDestination(byte[] frame) {
        return ((frame[30] & 0xFF) << 24) | ((frame[31] & 0xFF) << 16) | ((frame[32] & 0xFF) << 8) | (frame[33] & 0xFF);
    }

    private static int vni(byte[] frame) {
        int vxlan = 14 + 20 + 8;
        return ((frame[vxlan + 4] & 0xFF) << 16) | ((frame[vxlan + 5] & 0xFF) << 8) | (frame[vxlan + 6] & 0xFF);
    }

    private static int addressOf(String text) {
        return Ipv4Address.parse(text).value();
    }

    private static byte[] bytes(String text) {
        String[] parts = text.split("\\.");
        return VxlanFrames.address(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]),
            Integer.parseInt(parts[3]));
    }

    private static RouteIntent learned(String vrf, String prefix, String vtep) {
        return new RouteIntent(vrf, IpPrefix.parse(prefix), new NextHop.RemoteVtep(Ipv4Address.parse(vtep),
            MacAddress.parse("02:5f:00:00:0b:99")), RouteSource.BGP);
    }

    private <T> T current(io.softgate.core.snapshot.SnapshotSlot<T> slot) {
        return api.runtime.publisher().current().get(slot);
    }

    // ---------------------------------------------------------------- the controller's calls

    private String tenantRef() {
        return "{\"id\":" + tenant + ",\"name\":\"Admin\"}";
    }

    private String siteRef() {
        return "{\"id\":" + site + ",\"name\":\"softgate-site\"}";
    }

    private String vpcRef(JsonNode vpc) {
        return "{\"id\":" + vpc.get("id").asInt() + ",\"name\":\"" + vpc.get("name").asText() + "\"}";
    }

    private String subnetBody(String name, String prefix, String purpose, JsonNode vpc) {
        return "{\"name\":\"" + name + "\",\"prefix\":\"" + prefix + "\",\"purpose\":\"" + purpose + "\",\"vpc\":" + vpcRef(vpc)
            + ",\"tenant\":" + tenantRef() + ",\"sites\":[" + siteRef() + "]}";
    }

    private JsonNode vpcNamed(String name) throws Exception {
        for (JsonNode vpc : api.ok("GET", "/api/v2/vpc", null)) {
            if (vpc.get("name").asText().equals(name)) {
                return vpc;
            }
        }
        return null;
    }

    @Test
    void shouldCompileTheApiNatRulesWithTheFilesPerSubscriberSessionLimit() throws Exception {
        api.close();
        api = new ApiFixture(stateDir.resolve("session-limit"), CONFIG.formatted(FILE_NAT.formatted("")
            .replace("\"maxSessions\": 1024,", "\"maxSessions\": 1024, \"sessionsPerSubscriberLimit\": 300,")));
        assertEquals(200, api.login(ApiFixture.USER, ApiFixture.PASSWORD).statusCode());
        site = ApiFixture.find(api.ok("GET", "/api/sites", null), "name", "softgate-site").get("id").asInt();
        tenant = ApiFixture.find(api.ok("GET", "/api/tenants", null), "name", "Admin").get("id").asInt();

        createSnat(createVpcWithVnet(), "api-snat", "203.0.113.10");

        NatTables nat = current(NatTables.SLOT);
        assertTrue(nat.outbound(current(ForwardingTables.SLOT).vrfIndex(VPC_NAME)).length >= 1, "the API's SNAT rule is compiled");
        assertEquals(300, nat.settings().sessionsPerSubscriberLimit(), "one node-wide limit, the file's");
    }

    @Test
    void shouldPlanTheEvpnAdvertisementsOncePerCommit() throws Exception {
        api.close();
        api = new ApiFixture(stateDir.resolve("with-bgp"), CONFIG.formatted(
            "\"bgp\": {\"enabled\": true, \"asn\": 65000, \"routerId\": \"10.255.0.1\"},"));
        assertEquals(200, api.login(ApiFixture.USER, ApiFixture.PASSWORD).statusCode());
        site = ApiFixture.find(api.ok("GET", "/api/sites", null), "name", "softgate-site").get("id").asInt();
        tenant = ApiFixture.find(api.ok("GET", "/api/tenants", null), "name", "Admin").get("id").asInt();
        EvpnService evpn = EvpnService.start(new ConfigLoader.LoadedConfig(api.config, stateDir.resolve("softgate.json")),
            api.composer);
        try {
            long plansBefore = evpn.advertisementPlans();
            long generationBefore = api.api.store().current().generation();
            // Commits that add a VPC's VRF (its default route) and then a public address (SNAT).
            int vpc = createVpcWithVnet();
            createSnat(vpc, "api-snat", "203.0.113.10");
            long commits = api.api.store().current().generation() - generationBefore;
            assertTrue(commits >= 2, "commits " + commits);
            assertEquals(commits, evpn.advertisementPlans() - plansBefore, "one plan per commit");
            assertTrue(evpn.speaker().originatedPaths().stream().anyMatch(path -> path.nlri() instanceof IpPrefixRoute route
                && route.prefix().getHostAddress().equals("203.0.113.10")), "the SNAT address is advertised");
        } finally {
            evpn.close();
        }
    }

    private int createVpcWithVnet() throws Exception {
        HttpResponse<String> response = createVpcWithVnet(VPC_NAME, VXLAN_ID);
        assertEquals(200, response.statusCode(), response.body());
        return vpcNamed(VPC_NAME).get("id").asInt();
    }

    /** VPC, its allocation and tier subnet, and a vNet; returns the vNet create's answer. */
    private HttpResponse<String> createVpcWithVnet(String name, int vxlanId) throws Exception {
        JsonNode system = null;
        for (JsonNode vpc : api.ok("GET", "/api/v2/vpc", null)) {
            if (vpc.get("isSystem").asBoolean()) {
                system = vpc;
            }
        }
        if (ApiFixture.find(api.ok("GET", "/api/v2/ipam/subnets?vpc=" + system.get("id").asInt(), null), "prefix", "203.0.113.0/26") == null) {
            api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"PUBLIC\",\"prefix\":\"203.0.113.0/24\",\"vpc\":" + vpcRef(system)
                + ",\"tenant\":" + tenantRef() + "}");
            api.ok("POST", "/api/v2/ipam/subnet", subnetBody("PUBLIC-RANGE", "203.0.113.0/26", "common", system));
        }
        JsonNode vpc = api.ok("POST", "/api/v2/vpc", "{\"name\":\"" + name + "\",\"adminTenant\":" + tenantRef() + "}");
        api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"" + name + "-alloc\",\"prefix\":\"10.1.0.0/16\",\"vpc\":" + vpcRef(vpc)
            + ",\"tenant\":" + tenantRef() + "}");
        api.ok("POST", "/api/v2/ipam/subnet", subnetBody(name + "-tier", "10.1.1.0/24", "common", vpc));
        String body = "{\"gateways\":[{\"prefix\":\"10.1.1.1/24\"}],\"name\":\"" + name + "-tier1\",\"vxlanID\":" + vxlanId
            + ",\"sites\":[" + siteRef() + "],\"state\":\"active\",\"tenant\":" + tenantRef() + ",\"vpc\":" + vpcRef(vpc) + "}";
        return api.send("POST", "/api/v2/vnet", body);
    }

    private void createSnat(int vpcId, String name, String publicIp) throws Exception {
        HttpResponse<String> response = sendSnat(vpcId, name, publicIp);
        assertEquals(200, response.statusCode(), response.body());
    }

    private HttpResponse<String> sendSnat(int vpcId, String name, String publicIp) throws Exception {
        JsonNode system = null;
        for (JsonNode vpc : api.ok("GET", "/api/v2/vpc", null)) {
            if (vpc.get("isSystem").asBoolean()) {
                system = vpc;
            }
        }
        api.ok("POST", "/api/v2/ipam/subnet", subnetBody(name + "-" + publicIp, publicIp + "/32", "nat", system));
        String body = "{\"action\":\"SNAT\",\"name\":\"" + name + "\",\"protocol\":\"ALL\",\"state\":\"enabled\","
            + "\"destinationAddress\":\"0.0.0.0/0\",\"sourceAddress\":\"10.1.0.0/16\",\"sourcePort\":\"1-65535\","
            + "\"snatToIP\":\"" + publicIp + "/32\",\"site\":" + siteRef() + ",\"vpc\":{\"id\":" + vpcId + "}}";
        return api.send("POST", "/api/v2/nat", body);
    }

    private void addStaticRoute(int vpcId, String prefix, String nextHop) throws Exception {
        api.ok("POST", "/api/routes", "{\"prefix\":\"" + prefix + "\",\"nextHop\":\"" + nextHop + "\",\"siteId\":" + site
            + ",\"stateStatus\":\"active\",\"vpc\":{\"id\":" + vpcId + "},\"description\":\"r\",\"switches\":[]}");
    }
}
