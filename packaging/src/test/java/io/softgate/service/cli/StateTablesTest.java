package io.softgate.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code softgatectl lb-health}'s table: one row per backend, and one for a service without any. */
class StateTablesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldGiveAServiceWithoutBackendsARowOfItsOwn() throws Exception {
        JsonNode data = JSON.readTree("""
            [{"name": "web", "vip": "203.0.113.20", "port": 80, "protocol": "tcp", "active": true,
              "healthCheck": {"type": "tcp"},
              "backends": [{"ip": "10.0.0.5", "port": 8080, "health": "up"}]},
             {"name": "empty", "vip": "203.0.113.21", "port": 443, "protocol": "tcp", "active": true,
              "healthCheck": {"type": "none"}, "backends": []},
             {"name": "parked", "vip": "203.0.113.22", "port": 53, "protocol": "udp", "active": false,
              "inactiveReason": "no-vnet", "healthCheck": {"type": "none"}, "backends": []}]
            """);
        List<String> lines = StateTables.lbHealth(data).lines().toList();
        assertTrue(lines.get(0).startsWith("SERVICE"), lines.get(0));
        assertEquals(1, lines.stream().filter(row -> row.startsWith("web ") && row.contains("10.0.0.5:8080")).count());
        assertTrue(lines.stream().anyMatch(row -> row.startsWith("empty ") && row.contains("no backends")), lines.toString());
        assertTrue(lines.stream().anyMatch(row -> row.startsWith("parked ") && row.contains("inactive, no backends")),
            lines.toString());
        assertEquals("3 service(s)", lines.get(lines.size() - 1));
    }
}
