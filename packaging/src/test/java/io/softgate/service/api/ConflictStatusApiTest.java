package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A change that conflicts with the current state (RFC 9110 §15.5.10) answers 409, not 400: a
 * name, VXLAN id or route another object already has, a subnet a NAT rule or load-balancer
 * service still stands on. A value wrong by itself stays 400, and so does a whole document whose
 * own objects clash. Nothing changes on a refusal.
 */
class ConflictStatusApiTest extends ApiFixtureTest {
    int systemVpc;
    int vpcA;
    int vpcB;
    int natSubnet;
    int vipSubnet;

    @BeforeEach
    void start() throws Exception {
        systemVpc = api.api.store().current().systemVpc().id();
        api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"public\",\"prefix\":\"203.0.113.0/24\",\"vpc\":{\"id\":" + systemVpc + "}}");
        natSubnet = api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"pf\",\"prefix\":\"203.0.113.11/32\",\"purpose\":\"nat\","
            + "\"vpc\":{\"id\":" + systemVpc + "}}").get("id").asInt();
        vipSubnet = api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"vip\",\"prefix\":\"203.0.113.20/32\",\"purpose\":\"load-balancer\","
            + "\"vpc\":{\"id\":" + systemVpc + "}}").get("id").asInt();
        vpcA = api.ok("POST", "/api/v2/vpc", "{\"name\":\"vpc-a\"}").get("id").asInt();
        vpcB = api.ok("POST", "/api/v2/vpc", "{\"name\":\"vpc-b\"}").get("id").asInt();
        api.ok("POST", "/api/v2/vnet", "{\"name\":\"tier-a\",\"vxlanID\":5001,\"gateways\":[{\"prefix\":\"10.1.1.1/24\"}],\"vpc\":{\"id\":" + vpcA + "}}");
    }

    /** Sends a change that must be refused with {@code status}; checks nothing changed; returns the first error. */
    private JsonNode refused(int status, String method, String path, String body) throws Exception {
        long generation = api.api.store().current().generation();
        String file = api.intentFileText();
        long epoch = api.runtime.publisher().current().epoch();
        HttpResponse<String> response = api.send(method, path, body);
        assertEquals(status, response.statusCode(), response.body());
        JsonNode envelope = Envelope.MAPPER.readTree(response.body());
        assertFalse(envelope.get("isSuccess").asBoolean());
        assertEquals(status, envelope.get("meta").get("statusCode").asInt());
        assertEquals(generation, api.api.store().current().generation());
        assertEquals(file, api.intentFileText(), "the persisted document is untouched");
        assertEquals(epoch, api.runtime.publisher().current().epoch(), "no snapshot was published");
        return envelope.get("errors").get(0);
    }

    @Test
    void shouldAnswer409ToARenameOntoAnotherVpcsName() throws Exception {
        JsonNode error = refused(409, "PUT", "/api/v2/vpc/" + vpcB, "{\"name\":\"vpc-a\"}");
        assertEquals("vpc[vpc-a].name", error.get("name").asText());
        assertTrue(error.get("error").asText().contains("duplicate VPC name"), error.toString());
    }

    @Test
    void shouldAnswer409ToAVnetWithAVxlanIdAnotherVnetHas() throws Exception {
        JsonNode error = refused(409, "POST", "/api/v2/vnet", "{\"name\":\"tier-b\",\"vxlanID\":5001,"
            + "\"gateways\":[{\"prefix\":\"10.2.1.1/24\"}],\"vpc\":{\"id\":" + vpcB + "}}");
        assertEquals("vnet[tier-b].vxlanID", error.get("name").asText());
        assertTrue(error.get("error").asText().contains("already used by vNet 'tier-a'"), error.toString());
    }

    @Test
    void shouldAnswer409ToARouteForAPrefixTheVpcRoutesElsewhere() throws Exception {
        api.ok("POST", "/api/routes", "{\"prefix\":\"172.16.0.0/16\",\"nextHop\":\"10.1.1.254\",\"vpc\":{\"id\":" + vpcA + "}}");
        JsonNode error = refused(409, "POST", "/api/routes", "{\"prefix\":\"172.16.0.0/16\",\"nextHop\":\"10.1.1.253\",\"vpc\":{\"id\":" + vpcA + "}}");
        assertEquals("route[172.16.0.0/16].prefix", error.get("name").asText());
    }

    @Test
    void shouldAnswerARepeatedCreateOfTheSameRouteWithTheExistingRoute() throws Exception {
        String route = "{\"prefix\":\"172.16.0.0/16\",\"nextHop\":\"10.1.1.254\",\"vpc\":{\"id\":" + vpcA + "}}";
        int id = api.ok("POST", "/api/routes", route).get("id").asInt();
        long generation = api.api.store().current().generation();
        assertEquals(id, api.ok("POST", "/api/routes", route).get("id").asInt());
        assertEquals(generation, api.api.store().current().generation(), "nothing changed");
        assertEquals(1, api.api.store().current().routes().size());
    }

    @Test
    void shouldAnswer409NamingTheRuleToADeleteOfASubnetADnatRuleStandsOn() throws Exception {
        int rule = api.ok("POST", "/api/v2/nat", "{\"name\":\"pf\",\"action\":\"DNAT\",\"protocol\":\"TCP\","
            + "\"destinationAddress\":\"203.0.113.11/32\",\"destinationPort\":\"80\",\"dnatToIP\":\"10.1.1.5/32\",\"dnatToPort\":80,"
            + "\"vpc\":{\"id\":" + vpcA + "}}").get("id").asInt();
        JsonNode error = refused(409, "DELETE", "/api/v2/ipam/subnet/" + natSubnet, null);
        assertEquals("id", error.get("name").asText());
        assertTrue(error.get("error").asText().endsWith("is in use by nat[pf]"), error.toString());
        // The plugin's order (the rule, then its /32) works.
        api.ok("DELETE", "/api/v2/nat/" + rule, null);
        api.ok("DELETE", "/api/v2/ipam/subnet/" + natSubnet, null);
    }

    @Test
    void shouldAnswer409ToASubnetUpdateThatTakesTheVipFromALoadBalancer() throws Exception {
        api.ok("POST", "/api/v2/l4lb", "{\"name\":\"web\",\"protocol\":\"TCP\",\"ip\":\"203.0.113.20\",\"port\":80,"
            + "\"backend\":[{\"ip\":\"10.1.1.6\",\"port\":80}],\"vpc\":{\"id\":" + vpcA + "}}");
        JsonNode error = refused(409, "PUT", "/api/v2/ipam/subnet/" + vipSubnet, "{\"name\":\"vip\",\"prefix\":\"203.0.113.20/32\","
            + "\"purpose\":\"common\",\"vpc\":{\"id\":" + systemVpc + "}}");
        assertTrue(error.get("error").asText().endsWith("is in use by l4lb[web]"), error.toString());
    }

    @Test
    void shouldAnswer400WhenAConflictComesWithAnInvalidValue() throws Exception {
        JsonNode error = refused(400, "POST", "/api/v2/vnet", "{\"name\":\"tier-b\",\"vxlanID\":5001,"
            + "\"gateways\":[{\"prefix\":\"not-a-prefix\"}],\"vpc\":{\"id\":" + vpcB + "}}");
        assertTrue(error.get("name").asText().startsWith("vnet[tier-b]."), error.toString());
    }

    @Test
    void shouldAnswer400ToAWholeDocumentWhoseOwnObjectsClash() throws Exception {
        ObjectNode document = Envelope.MAPPER.valueToTree(api.api.store().current());
        for (JsonNode vpc : (ArrayNode) document.get("vpcs")) {
            if (vpc.get("id").asInt() == vpcB) {
                ((ObjectNode) vpc).put("name", "vpc-a");
            }
        }
        JsonNode error = refused(400, "PUT", "/api/softgate/config", Envelope.MAPPER.writeValueAsString(document));
        assertEquals("vpc[vpc-a].name", error.get("name").asText());
    }
}
