package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.VpcIntent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The query of {@code GET /api/softgate/sessions}: VPCs by name or intent id, an address or prefix, a limit. */
class SessionFilterTest {
    private static final IntentDocument INTENT = new IntentDocument(3, 8, "site", "Admin",
        List.of(new VpcIntent(1, IntentDocument.SYSTEM_VPC_NAME, 1, true), new VpcIntent(7, "blue", 1, false)),
        List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    private static SessionFilter filter(Map<String, List<String>> query) throws BadRequestException {
        return SessionFilter.of(new ApiRequest("GET", "/api/softgate/sessions", query, Map.of(), "127.0.0.1", new byte[0],
            Map.of()), INTENT);
    }

    @Test
    void shouldResolveAnIntentVpcIdToItsNameAndKeepNamesAsTheyAre() throws Exception {
        SessionFilter filter = filter(Map.of("vpc", List.of("[7,file-vpc]")));
        assertEquals(Set.of("blue", "file-vpc"), filter.vpcNames());
        assertTrue(filter.acceptsVpc("blue"));
        assertFalse(filter.acceptsVpc("red"));
    }

    @Test
    void shouldMatchNothingForAnUnknownVpcId() throws Exception {
        SessionFilter filter = filter(Map.of("vpc", List.of("99")));
        assertFalse(filter.acceptsVpc("blue"));
    }

    @Test
    void shouldMatchAPrefixAgainstAnyOfTheThreeAddresses() throws Exception {
        SessionFilter filter = filter(Map.of("address", List.of("198.51.100.0/24")));
        int inside = Ipv4Flyweight.parse("10.0.0.5");
        int other = Ipv4Flyweight.parse("192.0.2.1");
        assertTrue(filter.acceptsAddresses(inside, Ipv4Flyweight.parse("198.51.100.9"), other));
        assertTrue(filter.acceptsAddresses(inside, other, Ipv4Flyweight.parse("198.51.100.200")));
        assertFalse(filter.acceptsAddresses(inside, other, other));
        assertTrue(filter(Map.of("address", List.of("0.0.0.0/0"))).acceptsAddresses(inside, other, other));
    }

    @Test
    void shouldDefaultTheLimitAndRefuseOneAboveTheMaximum() throws Exception {
        assertEquals(SessionFilter.DEFAULT_LIMIT, filter(Map.of()).limit());
        assertEquals(0, filter(Map.of("limit", List.of("0"))).limit());
        BadRequestException refused = assertThrows(BadRequestException.class,
            () -> filter(Map.of("limit", List.of(Integer.toString(SessionFilter.MAX_LIMIT + 1)))));
        assertEquals("limit", refused.field());
        assertThrows(BadRequestException.class, () -> filter(Map.of("address", List.of("10.0.0.0/33"))));
        assertThrows(BadRequestException.class, () -> filter(Map.of("limit", List.of("1", "2"))));
    }
}
