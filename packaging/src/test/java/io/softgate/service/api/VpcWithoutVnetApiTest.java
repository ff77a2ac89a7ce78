package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.softgate.service.intent.VrfNumbering;
import io.softgate.service.evpn.BgpSettingsFactory;
import io.softgate.service.evpn.PublicAdvertisements;
import io.softgate.service.evpn.RecordingAdvertiser;
import io.softgate.service.pipeline.ForwardingIntents;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NAT rules and LB services of a VPC without a vNet are accepted (the controller may create them
 * before the VPC's first vNet) but not in the data plane: the API says so, as {@code active: false}
 * with {@code inactiveReason} "VPC has no vNet" in the lists and in the answers of the change that
 * stored them or that deleted the VPC's last vNet; and their public addresses are advertised over
 * BGP only while the VPC has a vNet. {@code /api/softgate/intent} and {@code /api/softgate/lb-health}
 * mark them the same way. A VPC without a vNet named as a VRF of the configuration file is the
 * exception: the adapters compile its rules into that file VRF, so the API reports them active and
 * their addresses are advertised (one definition, {@code VrfNumbering.activeVrfs}).
 */
class VpcWithoutVnetApiTest extends ApiFixtureTest {
    /** The fixture's file plus the VRF "blue" (no API VPC of that name has a vNet: the API refuses one). */
    static final String CONFIG_WITH_BLUE = ApiFixture.CONFIG.replace("[{\"name\": \"public\", \"l3vni\": 9000}]",
        "[{\"name\": \"public\", \"l3vni\": 9000}, {\"name\": \"blue\", \"l3vni\": 9100}]");

    int vpc;

    @Override
    String configJson() {
        assertTrue(CONFIG_WITH_BLUE.contains("blue"), CONFIG_WITH_BLUE);
        return CONFIG_WITH_BLUE;
    }

    @BeforeEach
    void start() throws Exception {
        int systemVpc = api.api.store().current().systemVpc().id();
        api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"public\",\"prefix\":\"203.0.113.0/24\",\"vpc\":{\"id\":" + systemVpc + "}}");
        api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"snat\",\"prefix\":\"203.0.113.10/32\",\"purpose\":\"nat\",\"vpc\":{\"id\":" + systemVpc + "}}");
        api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"vip\",\"prefix\":\"203.0.113.20/32\",\"purpose\":\"load-balancer\","
            + "\"vpc\":{\"id\":" + systemVpc + "}}");
        vpc = api.ok("POST", "/api/v2/vpc", "{\"name\":\"vpc1\"}").get("id").asInt();
    }

    private HttpResponse<String> createSnat() throws Exception {
        return createSnat("snat1", "203.0.113.10/32", vpc);
    }

    private HttpResponse<String> createSnat(String name, String snatToIp, int inVpc) throws Exception {
        return api.send("POST", "/api/v2/nat", "{\"name\":\"" + name + "\",\"action\":\"SNAT\",\"sourceAddress\":\"10.1.0.0/16\","
            + "\"destinationAddress\":\"0.0.0.0/0\",\"snatToIP\":\"" + snatToIp + "\",\"vpc\":{\"id\":" + inVpc + "}}");
    }

    private HttpResponse<String> createLb(String status) throws Exception {
        return createLb(status, vpc);
    }

    private HttpResponse<String> createLb(String status, int inVpc) throws Exception {
        return api.send("POST", "/api/v2/l4lb", "{\"name\":\"web\",\"protocol\":\"TCP\",\"ip\":\"203.0.113.20\",\"port\":80,"
            + "\"status\":\"" + status + "\",\"backend\":[{\"ip\":\"10.1.1.6\",\"port\":80}],\"vpc\":{\"id\":" + inVpc + "}}");
    }

    private int createVnet() throws Exception {
        return api.ok("POST", "/api/v2/vnet", "{\"name\":\"tier\",\"vxlanID\":5001,\"gateways\":[{\"prefix\":\"10.1.1.1/24\"}],"
            + "\"vpc\":{\"id\":" + vpc + "}}").get("id").asInt();
    }

    private static JsonNode only(JsonNode list) {
        assertEquals(1, list.size(), list.toString());
        return list.get(0);
    }

    private static void assertInactive(JsonNode item, String reason) {
        assertFalse(item.get("active").asBoolean(), item.toString());
        assertEquals(reason, item.get("inactiveReason").asText(), item.toString());
    }

    private static void assertActive(JsonNode item) {
        assertTrue(item.get("active").asBoolean(), item.toString());
        assertTrue(item.get("inactiveReason").isNull(), item.toString());
    }

    @Test
    void shouldAcceptANatRuleBeforeTheVnetAndReportItInactiveUntilTheVnetExists() throws Exception {
        HttpResponse<String> created = createSnat();
        assertEquals(200, created.statusCode(), created.body());
        assertTrue(Envelope.MAPPER.readTree(created.body()).get("message").asText().contains(VrfNumbering.NO_VNET), created.body());
        int id = Envelope.MAPPER.readTree(created.body()).get("data").get("id").asInt();
        assertInactive(only(api.ok("GET", "/api/v2/nat?vpc=" + vpc, null)), VrfNumbering.NO_VNET);
        assertInactive(api.ok("GET", "/api/v2/nat/" + id, null), VrfNumbering.NO_VNET);
        assertEquals("enabled", api.ok("GET", "/api/v2/nat/" + id, null).get("state").asText(), "the stored state is kept");

        createVnet();
        assertActive(only(api.ok("GET", "/api/v2/nat?vpc=" + vpc, null)));
    }

    @Test
    void shouldReportAnLbServiceOfAVpcWithoutVnetInactiveAndADisabledOneAsDisabled() throws Exception {
        HttpResponse<String> created = createLb("enable");
        assertEquals(200, created.statusCode(), created.body());
        assertTrue(created.body().contains(VrfNumbering.NO_VNET), created.body());
        assertInactive(only(api.ok("GET", "/api/v2/l4lb?vpc=" + vpc, null)), VrfNumbering.NO_VNET);
        createVnet();
        JsonNode lb = only(api.ok("GET", "/api/v2/l4lb?vpc=" + vpc, null));
        assertActive(lb);
        api.ok("PUT", "/api/v2/l4lb/" + lb.get("id").asInt(), "{\"name\":\"web\",\"protocol\":\"TCP\",\"ip\":\"203.0.113.20\",\"port\":80,"
            + "\"status\":\"disable\",\"backend\":[{\"ip\":\"10.1.1.6\",\"port\":80}]}");
        assertInactive(only(api.ok("GET", "/api/v2/l4lb?vpc=" + vpc, null)), "disabled");
    }

    @Test
    void shouldNameTheRulesTheDeleteOfTheLastVnetTakesOutOfTheDataPlane() throws Exception {
        int vnet = createVnet();
        assertEquals(200, createSnat().statusCode());
        assertEquals(200, createLb("enable").statusCode());
        HttpResponse<String> deleted = api.send("DELETE", "/api/v2/vnet/" + vnet, null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        String message = Envelope.MAPPER.readTree(deleted.body()).get("message").asText();
        assertTrue(message.contains(VrfNumbering.NO_VNET) && message.contains("nat[snat1]") && message.contains("l4lb[web]"), message);
        assertInactive(only(api.ok("GET", "/api/v2/nat?vpc=" + vpc, null)), VrfNumbering.NO_VNET);
        assertInactive(only(api.ok("GET", "/api/v2/l4lb?vpc=" + vpc, null)), VrfNumbering.NO_VNET);
    }

    @Test
    void shouldMarkTheVpcsRulesInactiveInTheResolvedIntentUntilItHasAVnet() throws Exception {
        assertEquals(200, createSnat().statusCode());
        assertEquals(200, createLb("enable").statusCode());
        JsonNode intent = api.ok("GET", "/api/softgate/intent", null);
        assertInactive(only(intent.get("natRules")), VrfNumbering.NO_VNET);
        assertInactive(only(intent.get("lbServices")), VrfNumbering.NO_VNET);

        createVnet();
        intent = api.ok("GET", "/api/softgate/intent", null);
        assertActive(only(intent.get("natRules")));
        JsonNode lb = only(intent.get("lbServices"));
        assertActive(lb);

        api.ok("PUT", "/api/v2/l4lb/" + lb.get("id").asInt(), "{\"name\":\"web\",\"protocol\":\"TCP\",\"ip\":\"203.0.113.20\",\"port\":80,"
            + "\"status\":\"disable\",\"backend\":[{\"ip\":\"10.1.1.6\",\"port\":80}]}");
        assertInactive(only(api.ok("GET", "/api/softgate/intent", null).get("lbServices")), VrfNumbering.DISABLED);
    }

    @Test
    void shouldListAServiceOfAVpcWithoutVnetInTheLbHealthAsInactiveWithUnprobedBackends() throws Exception {
        assertEquals(200, createLb("enable").statusCode());
        JsonNode web = only(api.ok("GET", "/api/softgate/lb-health", null));
        assertEquals("web", web.get("name").asText());
        assertEquals("203.0.113.20", web.get("vip").asText());
        assertTrue(web.get("enabled").asBoolean(), "the stored state is kept");
        assertInactive(web, VrfNumbering.NO_VNET);
        JsonNode backend = only(web.get("backends"));
        assertEquals("inactive", backend.get("health").asText(), backend.toString());
        assertFalse(backend.has("probes"), "the health checker does not probe it");
        assertTrue(api.softgatectl("lb-health").lines().anyMatch(row -> row.startsWith("web") && row.contains("inactive")));

        int vnet = createVnet();
        web = only(api.ok("GET", "/api/softgate/lb-health", null));
        assertActive(web);
        assertEquals("assumed-up", only(web.get("backends")).get("health").asText());

        api.ok("DELETE", "/api/v2/vnet/" + vnet, null);
        assertInactive(only(api.ok("GET", "/api/softgate/lb-health", null)), VrfNumbering.NO_VNET);
    }

    /**
     * The type-5 routes the EVPN service would originate, wired as it wires them: the composer's
     * commit hook and the load balancer's VIP availability; each call recorded as +/-prefix.
     */
    private List<String> advertisedRoutes() {
        List<String> calls = new ArrayList<>();
        PublicAdvertisements advertisements = new PublicAdvertisements(api.config,
            () -> ForwardingIntents.translate(api.config).intent(), RecordingAdvertiser.prefixes(calls));
        advertisements.fileChanged(BgpSettingsFactory.publicServices(api.config), Set.of());
        api.composer.onIntentCommitted(advertisements::intentCommitted);
        api.features.vipListener(advertisements.vipListener());
        return calls;
    }

    @Test
    void shouldAdvertiseThePublicAddressesOfAVpcOnlyWhileItHasAVnet() throws Exception {
        List<String> calls = advertisedRoutes();
        assertEquals(200, createSnat().statusCode());
        assertEquals(200, createLb("enable").statusCode()); // no health check: its backend counts as up once it runs
        assertEquals(List.of(), calls, "nothing of the VPC is in the data plane, so none of its addresses is ours to announce");

        int vnet = createVnet();
        assertEquals(Set.of("+203.0.113.10/32", "+203.0.113.20/32"), Set.copyOf(calls), calls.toString());
        assertEquals(2, calls.size(), calls.toString());
        calls.clear();

        api.ok("DELETE", "/api/v2/vnet/" + vnet, null);
        assertEquals(Set.of("-203.0.113.10/32", "-203.0.113.20/32"), Set.copyOf(calls), calls.toString());
        assertEquals(2, calls.size(), calls.toString());
    }

    @Test
    void shouldKeepAnAddressAnActiveRuleOfAnotherVpcStillUsesWhenAVpcLosesItsLastVnet() throws Exception {
        List<String> calls = advertisedRoutes();
        int vnet = createVnet();
        assertEquals(200, createSnat().statusCode());
        int other = api.ok("POST", "/api/v2/vpc", "{\"name\":\"vpc2\"}").get("id").asInt();
        api.ok("POST", "/api/v2/vnet", "{\"name\":\"tier-b\",\"vxlanID\":5002,\"gateways\":[{\"prefix\":\"10.2.1.1/24\"}],"
            + "\"vpc\":{\"id\":" + other + "}}");
        api.ok("POST", "/api/v2/nat", "{\"name\":\"snat2\",\"action\":\"SNAT\",\"sourceAddress\":\"10.2.0.0/16\","
            + "\"destinationAddress\":\"0.0.0.0/0\",\"snatToIP\":\"203.0.113.10/32\",\"vpc\":{\"id\":" + other + "}}");
        assertEquals(List.of("+203.0.113.10/32"), calls);

        api.ok("DELETE", "/api/v2/vnet/" + vnet, null);

        assertEquals(List.of("+203.0.113.10/32"), calls, "vpc2's SNAT rule still translates to 203.0.113.10");
    }

    @Test
    void shouldSayNothingWhenTheDeletedVnetWasNotTheVpcsLast() throws Exception {
        createVnet();
        int second = api.ok("POST", "/api/v2/vnet", "{\"name\":\"tier2\",\"vxlanID\":5002,\"gateways\":[{\"prefix\":\"10.1.2.1/24\"}],"
            + "\"vpc\":{\"id\":" + vpc + "}}").get("id").asInt();
        assertEquals(200, createSnat().statusCode());
        HttpResponse<String> deleted = api.send("DELETE", "/api/v2/vnet/" + second, null);
        assertEquals("", Envelope.MAPPER.readTree(deleted.body()).get("message").asText());
        assertActive(only(api.ok("GET", "/api/v2/nat?vpc=" + vpc, null)));
    }

    /** The NAT rule {@code name} of {@code list}. */
    private static JsonNode named(JsonNode list, String name) {
        for (JsonNode item : list) {
            if (name.equals(item.get("name").asText())) {
                return item;
            }
        }
        throw new AssertionError("no " + name + " in " + list);
    }

    @Test
    void shouldReportTheRulesOfAVpcWithoutVnetNamedAsAFileVrfActiveAndAdvertiseTheirAddresses() throws Exception {
        // The adapters compile the rules of a VPC named as a file VRF into that VRF (VrfNumbering.of
        // holds the file's VRFs), vNet or not: they translate traffic, so the API must say active and
        // BGP must announce their public addresses, while vpc1 (no vNet, no file VRF) stays inactive.
        List<String> calls = advertisedRoutes();
        int systemVpc = api.api.store().current().systemVpc().id();
        api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"snat2\",\"prefix\":\"203.0.113.11/32\",\"purpose\":\"nat\","
            + "\"vpc\":{\"id\":" + systemVpc + "}}");
        int blue = api.ok("POST", "/api/v2/vpc", "{\"name\":\"blue\"}").get("id").asInt();
        HttpResponse<String> created = createSnat("snat-blue", "203.0.113.10/32", blue);
        assertEquals(200, created.statusCode(), created.body());
        assertEquals("", Envelope.MAPPER.readTree(created.body()).get("message").asText(), "nothing inactive to report");
        int id = Envelope.MAPPER.readTree(created.body()).get("data").get("id").asInt();
        assertEquals(200, createLb("enable", blue).statusCode()); // no health check: its backend counts as up once it runs
        HttpResponse<String> plain = createSnat("snat-plain", "203.0.113.11/32", vpc);
        assertEquals(200, plain.statusCode(), plain.body());
        assertTrue(plain.body().contains(VrfNumbering.NO_VNET), plain.body());

        assertActive(only(api.ok("GET", "/api/v2/nat?vpc=" + blue, null)));
        assertActive(api.ok("GET", "/api/v2/nat/" + id, null));
        assertInactive(only(api.ok("GET", "/api/v2/nat?vpc=" + vpc, null)), VrfNumbering.NO_VNET);
        JsonNode lb = only(api.ok("GET", "/api/v2/l4lb?vpc=" + blue, null));
        assertActive(lb);
        assertActive(api.ok("GET", "/api/v2/l4lb/" + lb.get("id").asInt(), null));

        JsonNode intent = api.ok("GET", "/api/softgate/intent", null);
        assertActive(named(intent.get("natRules"), "snat-blue"));
        assertInactive(named(intent.get("natRules"), "snat-plain"), VrfNumbering.NO_VNET);
        assertActive(only(intent.get("lbServices")));
        JsonNode web = only(api.ok("GET", "/api/softgate/lb-health", null));
        assertActive(web);
        assertEquals("assumed-up", only(web.get("backends")).get("health").asText(), "the load balancer runs it");

        assertEquals(Set.of("+203.0.113.10/32", "+203.0.113.20/32"), Set.copyOf(calls), calls.toString());
        assertEquals(2, calls.size(), calls.toString());
    }
}
