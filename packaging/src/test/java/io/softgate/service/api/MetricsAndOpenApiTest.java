package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.softgate.core.pipeline.Worker;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** /metrics parses with a strict text-format parser; /openapi.json documents exactly the registered routes. */
class MetricsAndOpenApiTest extends ApiFixtureTest {
    @Test
    void shouldExposeCountersAndBatchLatencyInStrictPrometheusText() throws Exception {
        Worker worker = api.runtime.workers().get(0);
        for (int i = 0; i < 40; i++) {
            api.ports.get(0).inject(new byte[60]);
        }
        while (worker.doWork() > 0) {
            // drain: two batches of the 40 frames
        }
        HttpResponse<String> response = api.send("GET", "/metrics", null);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        PrometheusTextParser metrics = PrometheusTextParser.parse(response.body());
        assertEquals(40.0, metrics.find("softgate_counter_total", PrometheusTextParser.labels("name", Worker.RX_PACKETS)).value());
        assertEquals("summary", metrics.types.get("softgate_batch_latency_seconds"));
        assertEquals(2.0, metrics.find("softgate_batch_latency_seconds_count", Map.of()).value(), "one latency sample per batch");
        assertTrue(metrics.find("softgate_batch_latency_seconds", PrometheusTextParser.labels("quantile", "0.99")).value() >= 0);
        assertEquals(1.0, metrics.find("softgate_intent_objects", PrometheusTextParser.labels("kind", "vpc")).value());
    }

    @Test
    void shouldEscapeLabelValuesSoTheStrictParserReadsThemBack() {
        String text = new MetricsRenderer().counters(Map.of("odd \"name\"\\with\nbreak", 3L)).render();
        PrometheusTextParser parsed = PrometheusTextParser.parse(text);
        assertEquals(3.0, parsed.find("softgate_counter_total", PrometheusTextParser.labels("name", "odd \"name\"\\with\nbreak")).value());
    }

    @Test
    void shouldRejectMalformedExpositionInTheParser() {
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("x 1\n"), "sample without TYPE");
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE x gauge\nx  1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE x gauge\nx{a=\"\\t\"} 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE x gauge\nx 1\nx 2\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE x gauge\nx 1"));
    }

    @Test
    void shouldDocumentEveryRegisteredRouteAndNothingElse() throws Exception {
        HttpResponse<String> response = api.send("GET", "/openapi.json", null);
        assertEquals(200, response.statusCode());
        JsonNode document = Envelope.MAPPER.readTree(response.body());
        assertTrue(document.get("openapi").asText().startsWith("3.0."));
        assertNotNull(document.get("info").get("title"));
        assertNotNull(document.get("info").get("version"));
        Set<String> registered = new HashSet<>();
        for (Route route : api.api.router().routes()) {
            registered.add(route.method().toLowerCase() + " " + route.template());
        }
        Set<String> documented = new HashSet<>();
        Set<String> operationIds = new HashSet<>();
        Set<String> methods = Set.of("get", "put", "post", "delete", "patch", "head", "options");
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            assertTrue(path.getKey().startsWith("/"), path.getKey());
            for (Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields(); operations.hasNext();) {
                Map.Entry<String, JsonNode> operation = operations.next();
                assertTrue(methods.contains(operation.getKey()), operation.getKey());
                documented.add(operation.getKey() + " " + path.getKey());
                JsonNode op = operation.getValue();
                assertTrue(operationIds.add(op.get("operationId").asText()), "operationId unique: " + op.get("operationId"));
                assertNotNull(op.get("responses").get("200"), path.getKey());
                Set<String> declared = new HashSet<>();
                for (JsonNode parameter : op.get("parameters")) {
                    assertTrue(Set.of("path", "query", "header", "cookie").contains(parameter.get("in").asText()));
                    if ("path".equals(parameter.get("in").asText())) {
                        assertTrue(parameter.get("required").asBoolean());
                        declared.add(parameter.get("name").asText());
                    }
                }
                Set<String> inTemplate = new HashSet<>();
                java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path.getKey());
                while (matcher.find()) {
                    inTemplate.add(matcher.group(1));
                }
                assertEquals(inTemplate, declared, "path parameters of " + path.getKey());
            }
        }
        assertEquals(registered, documented);
        assertRefsResolve(document, document);
        // The state endpoints document their answers (envelope data) with their own schemas.
        for (String[] answer : new String[][] {{"/api/softgate/sessions", "SessionsState"}, {"/api/softgate/bgp", "BgpState"},
            {"/api/softgate/lb-health", "LbHealthState"}}) {
            JsonNode schema = document.get("paths").get(answer[0]).get("get").get("responses").get("200").get("content")
                .get("application/json").get("schema");
            assertEquals("#/components/schemas/" + answer[1], schema.get("allOf").get(1).get("properties").get("data").get("$ref").asText());
        }
    }

    private static void assertRefsResolve(JsonNode root, JsonNode node) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null) {
                String pointer = ref.asText();
                assertTrue(pointer.startsWith("#/"), pointer);
                assertTrue(!root.at(pointer.substring(1)).isMissingNode(), "unresolved " + pointer);
            }
            node.elements().forEachRemaining(child -> assertRefsResolve(root, child));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> assertRefsResolve(root, child));
        }
    }
}
