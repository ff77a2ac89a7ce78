package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT /api/softgate/config} with an enumerated field removed or null (a NAT rule's
 * {@code action}, a subnet's {@code purpose}) is a bad document: 400 naming the field, and the
 * document, the file and the published snapshot stay as they were.
 */
class ConfigDocumentNullFieldApiTest extends ApiFixtureTest {
    @BeforeEach
    void start() throws Exception {
        int systemVpc = api.api.store().current().systemVpc().id();
        api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"public\",\"prefix\":\"203.0.113.0/24\",\"vpc\":{\"id\":" + systemVpc + "}}");
        api.ok("POST", "/api/v2/ipam/subnet", "{\"name\":\"snat\",\"prefix\":\"203.0.113.10/32\",\"purpose\":\"nat\",\"vpc\":{\"id\":" + systemVpc + "}}");
        int vpc = api.ok("POST", "/api/v2/vpc", "{\"name\":\"vpc1\"}").get("id").asInt();
        api.ok("POST", "/api/v2/nat", "{\"name\":\"snat1\",\"action\":\"SNAT\",\"sourceAddress\":\"10.1.0.0/16\","
            + "\"destinationAddress\":\"0.0.0.0/0\",\"snatToIP\":\"203.0.113.10/32\",\"vpc\":{\"id\":" + vpc + "}}");
    }

    @Test
    void shouldRefuseANatRuleWithoutActionWith400NamingTheField() throws Exception {
        ObjectNode document = currentDocument();
        ((ObjectNode) document.get("nats").get(0)).remove("action");
        assertRefusedNaming(document, "nat[snat1].action");
    }

    @Test
    void shouldRefuseANatRuleWithANullActionWith400NamingTheField() throws Exception {
        ObjectNode document = currentDocument();
        ((ObjectNode) document.get("nats").get(0)).putNull("action");
        assertRefusedNaming(document, "nat[snat1].action");
    }

    @Test
    void shouldRefuseASubnetWithANullPurposeWith400NamingTheField() throws Exception {
        ObjectNode document = currentDocument();
        ((ObjectNode) document.get("subnets").get(0)).putNull("purpose");
        assertRefusedNaming(document, "subnet[snat].purpose");
    }

    private ObjectNode currentDocument() {
        return Envelope.MAPPER.valueToTree(api.api.store().current());
    }

    private void assertRefusedNaming(ObjectNode document, String field) throws Exception {
        var before = api.api.store().current();
        String file = api.intentFileText();
        long epoch = api.runtime.publisher().current().epoch();
        HttpResponse<String> response = api.send("PUT", "/api/softgate/config", Envelope.MAPPER.writeValueAsString(document));
        assertEquals(400, response.statusCode(), response.body());
        JsonNode envelope = Envelope.MAPPER.readTree(response.body());
        assertFalse(envelope.get("isSuccess").asBoolean());
        JsonNode error = envelope.get("errors").get(0);
        assertEquals(field, error.get("name").asText(), response.body());
        assertEquals("required", error.get("error").asText());
        assertEquals(before, api.api.store().current(), "the document is unchanged");
        assertEquals(file, api.intentFileText(), "the persisted document is untouched");
        assertEquals(epoch, api.runtime.publisher().current().epoch(), "no snapshot was published");
    }
}
