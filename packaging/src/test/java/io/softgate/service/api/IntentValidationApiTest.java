package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A change that fails validation changes nothing (document, generation, file, snapshot) and gets a
 * 4xx whose error names the field and the reason; generations guard against stale writes.
 */
class IntentValidationApiTest extends ApiFixtureTest {
    int systemVpc;
    int vpc;

    @BeforeEach
    void start() throws Exception {
        systemVpc = api.api.store().current().systemVpc().id();
        api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"public\",\"prefix\":\"203.0.113.0/24\",\"vpc\":{\"id\":" + systemVpc + "}}");
        api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"snat\",\"prefix\":\"203.0.113.10/32\",\"purpose\":\"nat\",\"vpc\":{\"id\":" + systemVpc + "}}");
        api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"vip\",\"prefix\":\"203.0.113.20/32\",\"purpose\":\"load-balancer\",\"vpc\":{\"id\":" + systemVpc + "}}");
        vpc = api.ok("POST", "/api/v2/vpc", "{\"name\":\"vpc1\",\"adminTenant\":{\"id\":1}}").get("id").asInt();
        api.ok("POST", "/api/v2/nat", "{\"name\":\"snat1\",\"action\":\"SNAT\",\"protocol\":\"ALL\",\"sourceAddress\":\"10.1.0.0/16\","
            + "\"destinationAddress\":\"0.0.0.0/0\",\"snatToIP\":\"203.0.113.10/32\",\"vpc\":{\"id\":" + vpc + "}}");
    }

    /** Sends a change that must be refused with {@code status}; returns the first error; checks nothing changed. */
    private JsonNode refused(int status, String method, String path, String body, Map<String, String> headers) throws Exception {
        long generation = api.api.store().current().generation();
        String file = api.intentFileText();
        long epoch = api.runtime.publisher().current().epoch();
        HttpResponse<String> response = api.send(method, path, body, headers);
        assertEquals(status, response.statusCode(), response.body());
        JsonNode envelope = Envelope.MAPPER.readTree(response.body());
        assertFalse(envelope.get("isSuccess").asBoolean());
        assertEquals(generation, api.api.store().current().generation());
        assertEquals(file, api.intentFileText(), "the persisted document is untouched");
        assertEquals(epoch, api.runtime.publisher().current().epoch(), "no snapshot was published");
        return envelope.get("errors").get(0);
    }

    @Test
    void shouldRefuseADnatToAnAddressOutsideEveryNatSubnet() throws Exception {
        JsonNode error = refused(400, "POST", "/api/v2/nat", "{\"name\":\"pf\",\"action\":\"DNAT\",\"protocol\":\"TCP\","
            + "\"destinationAddress\":\"198.51.100.7/32\",\"destinationPort\":\"80\",\"dnatToIP\":\"10.1.1.5/32\",\"dnatToPort\":80,"
            + "\"vpc\":{\"id\":" + vpc + "}}", Map.of());
        assertEquals("nat[pf].destinationAddress", error.get("name").asText());
        assertTrue(error.get("error").asText().contains("outside every NAT subnet"), error.toString());
    }

    @Test
    void shouldRefuseARuleOnlyTheNatCompilerRejectsAndLeaveNoStagedFileBehind() throws Exception {
        // Valid for the document's checks (ports 1..65535), refused by the NAT module's compiler
        // while the document was being written beside the persisted one.
        api.ok("POST", "/api/v2/vnet", "{\"name\":\"tier\",\"vxlanID\":7,\"gateways\":[{\"prefix\":\"10.1.1.1/24\"}],\"vpc\":{\"id\":" + vpc + "}}");
        api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"forwards\",\"prefix\":\"203.0.113.11/32\",\"purpose\":\"nat\",\"vpc\":{\"id\":" + systemVpc + "}}");
        JsonNode error = refused(400, "POST", "/api/v2/nat", "{\"name\":\"pf\",\"action\":\"DNAT\",\"protocol\":\"TCP\","
            + "\"destinationAddress\":\"203.0.113.11/32\",\"destinationPort\":\"80-90\",\"dnatToIP\":\"10.1.1.5/32\",\"dnatToPort\":65535,"
            + "\"vpc\":{\"id\":" + vpc + "}}", Map.of());
        assertTrue(error.get("name").asText().startsWith("nat."), error.toString());
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(stateDir)) {
            assertEquals(java.util.List.of("intent.json"), files.map(file -> file.getFileName().toString()).toList());
        }
    }

    @Test
    void shouldRefuseAnUnknownVpc() throws Exception {
        JsonNode error = refused(400, "POST", "/api/v2/vnet", "{\"name\":\"n\",\"vxlanID\":7,\"gateways\":[{\"prefix\":\"10.1.1.1/24\"}],"
            + "\"vpc\":{\"id\":999}}", Map.of());
        assertEquals("vpc.id", error.get("name").asText());
        assertTrue(error.get("error").asText().contains("unknown VPC 999"));
    }

    @Test
    void shouldRefuseAnLbVipThatIsAnSnatAddress() throws Exception {
        api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"vip2\",\"prefix\":\"203.0.113.10/32\",\"purpose\":\"load-balancer\",\"vpc\":{\"id\":" + systemVpc + "}}");
        // The address is taken by the SNAT rule: a conflict with the current state.
        JsonNode error = refused(409, "POST", "/api/v2/l4lb", "{\"name\":\"lb\",\"protocol\":\"TCP\",\"ip\":\"203.0.113.10\",\"port\":80,"
            + "\"backend\":[{\"ip\":\"10.1.1.5\",\"port\":80}],\"vpc\":{\"id\":" + vpc + "}}", Map.of());
        assertEquals("l4lb[lb].ip", error.get("name").asText());
        assertTrue(error.get("error").asText().contains("SNAT"), error.toString());
    }

    @Test
    void shouldRefuseAnLbProtocolInLowerCaseWithTheFieldNamed() throws Exception {
        JsonNode error = refused(400, "POST", "/api/v2/l4lb", "{\"name\":\"lb\",\"protocol\":\"tcp\",\"ip\":\"203.0.113.20\",\"port\":80,"
            + "\"backend\":[{\"ip\":\"10.1.1.5\",\"port\":80}],\"vpc\":{\"id\":" + vpc + "}}", Map.of());
        assertEquals("l4lb[lb].protocol", error.get("name").asText());
    }

    @Test
    void shouldRefuseADuplicateVpcName() throws Exception {
        JsonNode error = refused(409, "POST", "/api/v2/vpc", "{\"name\":\"vpc1\"}", Map.of());
        assertEquals("name", error.get("name").asText());
        assertTrue(error.get("error").asText().contains("already exists"));
    }

    @Test
    void shouldRefuseAWriteNamingAStaleGeneration() throws Exception {
        long generation = api.api.store().current().generation();
        refused(409, "POST", "/api/v2/vpc", "{\"name\":\"vpc2\"}", Map.of("If-Match", "\"" + (generation - 1) + "\""));
        HttpResponse<String> accepted = api.send("POST", "/api/v2/vpc", "{\"name\":\"vpc2\"}", Map.of("If-Match", "\"" + generation + "\""));
        assertEquals(200, accepted.statusCode());
        assertEquals("\"" + (generation + 1) + "\"", accepted.headers().firstValue("ETag").orElseThrow());
    }

    @Test
    void shouldAnswerAnUnchangedAclUpdateWithSuccess() throws Exception {
        String acl = "\"name\":\"a1\",\"action\":\"permit\",\"proto\":\"tcp\",\"srcPrefix\":\"0.0.0.0/0\",\"dstPrefix\":\"10.1.1.0/24\","
            + "\"dstPortFrom\":22,\"dstPortTo\":22,\"established\":1,\"vpc\":{\"id\":" + vpc + "}";
        int id = api.ok("POST", "/api/acl", "{" + acl + "}").get("id").asInt();
        long generation = api.api.store().current().generation();
        HttpResponse<String> again = api.send("PUT", "/api/acl", "{\"id\":" + id + "," + acl + "}");
        assertEquals(200, again.statusCode());
        assertTrue(again.body().contains(NetrisServiceResources.ACL_EXISTS));
        assertEquals(generation, api.api.store().current().generation());
        JsonNode error = refused(409, "POST", "/api/acl", "{" + acl.replace("\"a1\"", "\"a2\"") + "}", Map.of());
        assertTrue(error.get("error").asText().contains(NetrisServiceResources.ACL_EXISTS));
    }

    @Test
    void shouldRefuseAConfigDocumentThatDoesNotBindNamingTheProblem() throws Exception {
        String document = Envelope.MAPPER.writeValueAsString(api.api.store().current());
        JsonNode error = refused(400, "PUT", "/api/softgate/config", document.replaceFirst("\\{", "{\"surprise\":1,"), Map.of());
        assertEquals("surprise", error.get("name").asText());
        assertEquals("unknown field", error.get("error").asText());
        error = refused(400, "PUT", "/api/softgate/config", document.replaceFirst("\\{", "{\"nextId\":1,"), Map.of());
        assertEquals("nextId", error.get("name").asText());
        assertEquals("duplicate field \"nextId\"", error.get("error").asText());
        error = refused(400, "PUT", "/api/softgate/config", "[" + document + "]", Map.of());
        assertEquals("must be a JSON object", error.get("error").asText());
        // A vNet whose gateways are null failed in the record's constructor: Jackson named the
        // object and quoted a NullPointerException; the list is refused by name now.
        ObjectNode withVnet = (ObjectNode) Envelope.MAPPER.readTree(document);
        withVnet.putArray("vnets").addObject().put("id", 90).put("name", "n").put("vpcId", vpc).put("vxlanId", 5001).putNull("gateways");
        error = refused(400, "PUT", "/api/softgate/config", withVnet.toString(), Map.of());
        assertEquals("vnets[0].gateways", error.get("name").asText());
        assertEquals("must be a list", error.get("error").asText());
    }

    @Test
    void shouldRefuseAMalformedBodyNamingTheProblem() throws Exception {
        JsonNode error = refused(400, "POST", "/api/v2/nat", "{\"name\":\"x\",\"name\":\"y\"}", Map.of());
        assertEquals("name", error.get("name").asText());
        assertEquals("duplicate field \"name\"", error.get("error").asText());
        error = refused(400, "POST", "/api/v2/vnet", "{\"name\":\"n\",\"vxlanID\":\"lots\",\"vpc\":{\"id\":" + vpc + "}}", Map.of());
        assertEquals("vxlanID", error.get("name").asText());
    }
}
