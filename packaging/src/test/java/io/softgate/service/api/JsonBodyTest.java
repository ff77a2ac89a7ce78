package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.VnetIntent;
import io.softgate.service.trace.TraceRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A body that does not parse or bind is a 400 naming the field by its JSON path, with the reason
 * in plain words: never Jackson's message, which names Java classes.
 */
class JsonBodyTest {
    private static final String DOCUMENT = documentWithOneVnet();

    private static String documentWithOneVnet() {
        IntentDocument initial = IntentDocument.initial("site", "Admin");
        IntentDocument document = new IntentDocument(initial.generation(), 10, "site", "Admin", initial.vpcs(), List.of(),
            List.of(), List.of(new VnetIntent(5, "net1", initial.vpcs().get(0).id(), 5001, List.of("10.1.1.1/24"))),
            List.of(), List.of(), List.of(), List.of());
        return Envelope.MAPPER.valueToTree(document).toString();
    }

    /** The error of binding {@code json} onto {@code type}, as field and reason. */
    private static String error(String json, Class<?> type) {
        BadRequestException e = assertThrows(BadRequestException.class,
            () -> JsonBody.bind(JsonBody.parse(json.getBytes(StandardCharsets.UTF_8)), type), json);
        String text = e.field() + ": " + e.reason();
        assertFalse(text.contains("java") || text.contains("io.softgate") || text.contains("`") || text.contains("Cannot"),
            "no Java internals: " + text);
        return text;
    }

    private static String documentError(java.util.function.Consumer<ObjectNode> change) throws Exception {
        ObjectNode document = (ObjectNode) Envelope.MAPPER.readTree(DOCUMENT);
        change.accept(document);
        return error(document.toString(), IntentDocument.class);
    }

    private static ObjectNode vnet(ObjectNode document) {
        return (ObjectNode) document.get("vnets").get(0);
    }

    @Test
    void shouldBindAGoodDocument() throws Exception {
        IntentDocument document = JsonBody.bind(JsonBody.parse(DOCUMENT.getBytes(StandardCharsets.UTF_8)), IntentDocument.class);
        assertEquals(List.of("10.1.1.1/24"), document.vnets().get(0).gateways());
    }

    @Test
    void shouldNameTheFieldOfANullOrMissingListAndOfANullInIt() throws Exception {
        assertEquals("vnets[0].gateways: must be a list", documentError(d -> vnet(d).putNull("gateways")));
        assertEquals("vnets[0].gateways: must be a list", documentError(d -> vnet(d).remove("gateways")));
        assertEquals("vnets[0].gateways[1]: must be a string", documentError(d -> ((ArrayNode) vnet(d).get("gateways")).addNull()));
        assertEquals("vnets: must be a list", documentError(d -> d.putNull("vnets")));
        assertEquals("vnets: must be a list", documentError(d -> d.put("vnets", "none")));
    }

    @Test
    void shouldNameTheFieldOfAWrongType() throws Exception {
        assertEquals("vnets[0].vxlanId: must be an integer", documentError(d -> vnet(d).put("vxlanId", "lots")));
        assertEquals("vnets[0].vxlanId: must be an integer", documentError(d -> vnet(d).putNull("vxlanId")));
        assertEquals("vnets[0]: must be an object", documentError(d -> ((ArrayNode) d.get("vnets")).insert(0, 5)));
        assertEquals("vnets[0].name: must be a string", documentError(d -> vnet(d).putArray("name")));
        assertEquals("vpcs[0].system: must be true or false", documentError(d -> ((ObjectNode) d.get("vpcs").get(0)).put("system", "maybe")));
        assertEquals("vnets[0].surprise: unknown field", documentError(d -> vnet(d).put("surprise", 1)));
        assertEquals("vnets[0].vxlanId: must be an integer from -2147483648 to 2147483647",
            documentError(d -> vnet(d).put("vxlanId", 99_999_999_999L)));
    }

    @Test
    void shouldNameTheFieldOfABadTraceRequest() {
        assertEquals("count: must be an integer", error("{\"count\": \"many\"}", TraceRequest.class));
        assertEquals("count: must be an integer from -2147483648 to 2147483647", error("{\"count\": 99999999999}", TraceRequest.class));
        assertEquals("vrf: must be a string", error("{\"vrf\": {}}", TraceRequest.class));
        assertEquals("colour: unknown field", error("{\"colour\": \"blue\"}", TraceRequest.class));
    }

    @Test
    void shouldNameADuplicateField() {
        assertEquals("name: duplicate field \"name\"", parseError("{\"name\":\"x\",\"name\":\"y\"}"));
        assertEquals("vnets[1].id: duplicate field \"id\"", parseError("{\"vnets\":[{\"id\":1},{\"id\":2,\"id\":3}]}"));
        assertEquals("body: not valid JSON (line 1, column 10)", parseError("{\"name\": }"));
    }

    private static String parseError(String json) {
        BadRequestException e = assertThrows(BadRequestException.class, () -> JsonBody.parse(json.getBytes(StandardCharsets.UTF_8)));
        return e.field() + ": " + e.reason();
    }
}
