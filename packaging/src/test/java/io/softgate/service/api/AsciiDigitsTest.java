package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.VpcIntent;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ids, filters, limits and generations are ASCII {@code 0-9} only: {@code ٢} (ARABIC-INDIC DIGIT
 * TWO, which {@link Character#isDigit} and {@link Long#parseLong} take for 2) names nothing.
 */
class AsciiDigitsTest {
    /** ARABIC-INDIC DIGIT TWO. */
    private static final String TWO = "\u0662";

    @TempDir
    Path stateDir;

    private static ApiRequest request(Map<String, List<String>> query, Map<String, String> headers, Map<String, String> path) {
        return new ApiRequest("GET", "/", query, headers, "127.0.0.1", new byte[0], path);
    }

    @Test
    void shouldAcceptAsciiDigitsOnly() {
        assertTrue(AsciiDigits.only("0123456789"));
        assertFalse(AsciiDigits.only(TWO));
        assertFalse(AsciiDigits.only("1" + TWO));
        assertFalse(AsciiDigits.only("\uff12"), "FULLWIDTH DIGIT TWO");
        assertFalse(AsciiDigits.only(""));
        assertFalse(AsciiDigits.only("+2"));
        assertFalse(AsciiDigits.only(null));
    }

    @Test
    void shouldRefuseNonAsciiDigitsInPathIdsFiltersLimitsAndGenerations() throws Exception {
        assertEquals(2, ResourceSupport.pathId(request(Map.of(), Map.of(), Map.of("id", "2"))));
        assertEquals("id", assertThrows(BadRequestException.class,
            () -> ResourceSupport.pathId(request(Map.of(), Map.of(), Map.of("id", TWO)))).field());

        assertEquals(Set.of(2, 3), QueryFilters.ids(request(Map.of("vpc", List.of("2,3")), Map.of(), Map.of()), "vpc"));
        assertEquals("vpc", assertThrows(BadRequestException.class,
            () -> QueryFilters.ids(request(Map.of("vpc", List.of("[" + TWO + "]")), Map.of(), Map.of()), "vpc")).field());

        assertEquals("limit", assertThrows(BadRequestException.class, () -> SessionFilter.limit(TWO)).field());
        assertEquals("address", assertThrows(BadRequestException.class, () -> SessionFilter.of(
            request(Map.of("address", List.of("10.0.0.0/" + TWO + "4")), Map.of(), Map.of()), IntentDocument.initial("s", "A"))).field());

        assertEquals(12L, ResourceSupport.expectedGeneration(request(Map.of(), Map.of("if-match", "\"12\""), Map.of())));
        assertEquals("If-Match", assertThrows(BadRequestException.class,
            () -> ResourceSupport.expectedGeneration(request(Map.of(), Map.of("if-match", "\"1" + TWO + "\""), Map.of()))).field());

        JsonNode body = Envelope.MAPPER.readTree("{\"id\": \"2\", \"other\": \"" + TWO + "\"}");
        assertEquals(2, JsonBody.integer(body, "id", true));
        assertEquals("other", assertThrows(BadRequestException.class, () -> JsonBody.integer(body, "other", true)).field());
    }

    @Test
    void shouldTakeANonAsciiVpcIdForANameInTheSessionFilter() throws Exception {
        IntentDocument intent = new IntentDocument(1, 3, "s", "A", List.of(new VpcIntent(2, "blue", 1, false)),
            List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        assertEquals(Set.of("blue"), SessionFilter.of(request(Map.of("vpc", List.of("2")), Map.of(), Map.of()), intent).vpcNames());
        assertEquals(Set.of(TWO), SessionFilter.of(request(Map.of("vpc", List.of(TWO)), Map.of(), Map.of()), intent).vpcNames());
    }

    @Test
    void shouldNotServeAVpcUnderANonAsciiId() throws Exception {
        try (ApiFixture api = new ApiFixture(stateDir)) {
            api.login(ApiFixture.USER, ApiFixture.PASSWORD);
            int id = api.ok("GET", "/api/v2/vpc", null).get(0).get("id").asInt();
            assertTrue(id >= 0 && id <= 9, "the system VPC has a one-digit id to spell in another script: " + id);
            assertEquals(200, api.send("GET", "/api/v2/vpc/" + id, null).statusCode());
            String spelled = java.net.URLEncoder.encode(String.valueOf((char) ('\u0660' + id)), java.nio.charset.StandardCharsets.UTF_8);
            HttpResponse<String> response = api.send("GET", "/api/v2/vpc/" + spelled, null);
            assertEquals(400, response.statusCode(), response.body());
            assertEquals("id", Envelope.MAPPER.readTree(response.body()).get("errors").get(0).get("name").asText());
        }
    }
}
