package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/softgate/lb-health} shows the real health checker's view: a TCP-checked service
 * with a backend listening on loopback (healthy), one whose port is bound but not listening
 * (refused: unhealthy), one in maintenance; and a service without a check (assumed up). Probes are
 * run on the test thread ({@code probeAllOnce}), so nothing depends on timing.
 */
class LoadBalancerHealthApiTest {
    @TempDir
    Path stateDir;
    private ServerSocket listening;
    private Socket boundNotListening;
    private ApiFixture api;

    @BeforeEach
    void start() throws Exception {
        listening = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
        boundNotListening = new Socket();
        boundNotListening.setReuseAddress(true); // lets a listener take the port later without releasing it
        boundNotListening.bind(new InetSocketAddress("127.0.0.1", 0)); // connects to it are refused
        String lb = """
            "loadBalancer": {"maxConnections": 1024, "probeThreads": 1, "services": [
              {"name": "web", "protocol": "tcp", "vip": "203.0.113.80", "port": 80, "vpc": "file-vpc",
               "healthCheck": {"type": "tcp", "timeoutMs": 2000, "intervalMs": 60000, "rise": 1, "fall": 1},
               "backends": [{"address": "127.0.0.1", "port": %d}, {"address": "127.0.0.1", "port": %d},
                            {"address": "127.0.0.1", "port": 9, "state": "maintenance"}]},
              {"name": "plain", "protocol": "udp", "vip": "203.0.113.81", "port": 80, "vpc": "file-vpc",
               "backends": [{"address": "10.2.0.53", "port": 8080}]}]},
            """.formatted(listening.getLocalPort(), boundNotListening.getLocalPort());
        api = new ApiFixture(stateDir, ApiCompositionTest.CONFIG.formatted(lb));
        assertEquals(200, api.login(ApiFixture.USER, ApiFixture.PASSWORD).statusCode());
    }

    @AfterEach
    void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        listening.close();
        boundNotListening.close();
    }

    @Test
    void shouldShowEachBackendAsTheCheckerSeesIt() throws Exception {
        api.features.loadBalancer().healthChecker().probeAllOnce();
        JsonNode services = api.ok("GET", "/api/softgate/lb-health", null);
        assertEquals(2, services.size());
        JsonNode web = ApiFixture.find(services, "name", "web");
        assertEquals("tcp", web.get("healthCheck").get("type").asText());
        assertTrue(web.get("active").asBoolean(), "the load balancer runs it");
        assertTrue(web.get("inactiveReason").isNull(), web.toString());
        JsonNode up = web.get("backends").get(0);
        assertEquals("healthy", up.get("health").asText(), up.toString());
        assertEquals(1, up.get("consecutiveSuccesses").asInt());
        assertEquals("success", up.get("lastProbe").asText());
        assertTrue(up.get("lastProbeAt").asText().endsWith("Z"));
        JsonNode down = web.get("backends").get(1);
        assertEquals("unhealthy", down.get("health").asText(), down.toString());
        assertEquals(1, down.get("consecutiveFailures").asInt());
        assertEquals("failure", down.get("lastProbe").asText());
        assertEquals("maintenance", web.get("backends").get(2).get("health").asText());
        JsonNode plain = ApiFixture.find(services, "name", "plain");
        assertEquals("none", plain.get("healthCheck").get("type").asText());
        assertEquals("assumed-up", plain.get("backends").get(0).get("health").asText());

        String text = api.softgatectl("lb-health");
        assertTrue(text.lines().anyMatch(row -> row.contains(":" + boundNotListening.getLocalPort()) && row.contains("unhealthy")
            && row.contains("0/1") && row.contains("failure")), text);
        assertTrue(text.lines().anyMatch(row -> row.startsWith("plain") && row.contains("assumed-up")), text);
    }

    @Test
    void shouldShowABackendThatCameBackAsHealthyAgain() throws Exception {
        api.features.loadBalancer().healthChecker().probeAllOnce();
        int port = boundNotListening.getLocalPort();
        // Linux: with SO_REUSEADDR on both, a second socket may bind the port while no socket listens
        // on it; the port never becomes free in between, so nothing else can take it.
        try (ServerSocket back = new ServerSocket()) {
            back.setReuseAddress(true);
            back.bind(new InetSocketAddress("127.0.0.1", port));
            api.features.loadBalancer().healthChecker().probeAllOnce();
            JsonNode backend = ApiFixture.find(api.ok("GET", "/api/softgate/lb-health", null), "name", "web")
                .get("backends").get(1);
            assertEquals("healthy", backend.get("health").asText(), backend.toString());
            assertEquals(0, backend.get("consecutiveFailures").asInt());
            assertEquals(2, backend.get("probes").asInt());
        }
    }

    @Test
    void shouldListALoadBalancedConnectionAmongTheSessions() throws Exception {
        // A client on the public side (VNI 9000) sends UDP 40000 -> 80 to the unchecked service's VIP.
        api.push(VxlanFrames.udp(9000, VxlanFrames.address(10, 255, 0, 11), VxlanFrames.address(10, 255, 0, 1),
            VxlanFrames.address(198, 51, 100, 7), VxlanFrames.address(203, 0, 113, 81)));
        api.ports.get(0).pollTransmitted();
        JsonNode data = api.ok("GET", "/api/softgate/sessions?address=203.0.113.81", null);
        assertEquals(1, data.get("matched").asInt(), data.toString());
        JsonNode connection = data.get("sessions").get(0);
        assertEquals("lb", connection.get("kind").asText());
        assertEquals("udp", connection.get("protocol").asText());
        assertEquals("file-vpc", connection.get("vpc").asText());
        assertEquals("10.2.0.53:8080", connection.get("inside").asText());
        assertEquals("203.0.113.81:80", connection.get("outside").asText());
        assertEquals("198.51.100.7:40000", connection.get("remote").asText());
        assertTrue(connection.get("expiresInSeconds").asLong() > 0);
        assertEquals(1, api.ok("GET", "/api/softgate/sessions?vpc=file-vpc&address=10.2.0.53", null).get("matched").asInt());
    }

    @Test
    void shouldShowABackendNotYetProbedWithoutALastProbe() throws Exception {
        JsonNode backend = ApiFixture.find(api.ok("GET", "/api/softgate/lb-health", null), "name", "web")
            .get("backends").get(0);
        assertEquals("healthy", backend.get("health").asText(), "a new backend starts healthy (rise/fall)");
        assertEquals(0, backend.get("probes").asInt());
        assertTrue(backend.get("lastProbe").isNull());
    }
}
