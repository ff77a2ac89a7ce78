package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/softgate/sessions} answers the NAT sessions the real pipeline created, read from
 * the running session table, with its filters and limit; {@code /bgp} says BGP is disabled when
 * there is no speaker.
 */
class StateApiTest {
    static final byte[] HYPERVISOR = VxlanFrames.address(10, 255, 0, 11);
    static final byte[] SOFTGATE = VxlanFrames.address(10, 255, 0, 1);
    static final int FILE_VPC_VNI = 6001;

    @TempDir
    Path stateDir;
    ApiFixture api;

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(stateDir, ApiCompositionTest.CONFIG.formatted(ApiCompositionTest.FILE_NAT.formatted("")));
        assertEquals(200, api.login(ApiFixture.USER, ApiFixture.PASSWORD).statusCode());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** One UDP packet 40000 -> 80 from a VM of the file's VPC (SNAT 10.2.0.0/16 -> 203.0.113.50). */
    private void fromVm(int lastOctet, byte[] destination) {
        api.push(VxlanFrames.udp(FILE_VPC_VNI, HYPERVISOR, SOFTGATE, VxlanFrames.address(10, 2, 0, lastOctet), destination));
        api.ports.get(0).pollTransmitted();
    }

    @Test
    void shouldListTheSessionThePipelineCreatedWithItsAddressesAndExpiry() throws Exception {
        fromVm(5, VxlanFrames.address(198, 51, 100, 7));
        assertEquals(1, api.features.nat().sessions().sessionCount(), "the packet created one session");

        JsonNode data = api.ok("GET", "/api/softgate/sessions", null);
        assertEquals(1, data.get("matched").asInt());
        assertFalse(data.get("truncated").asBoolean());
        JsonNode session = data.get("sessions").get(0);
        assertEquals("nat", session.get("kind").asText());
        assertEquals("udp", session.get("protocol").asText());
        assertEquals("file-vpc", session.get("vpc").asText());
        assertEquals("10.2.0.5:40000", session.get("inside").asText());
        assertTrue(session.get("outside").asText().startsWith("203.0.113.50:"), session.toString());
        assertEquals("198.51.100.7:80", session.get("remote").asText());
        assertTrue(session.get("tcpState").isNull(), "UDP has no TCP state");
        long expires = session.get("expiresInSeconds").asLong();
        // The 5 min UDP timeout, plus the about 1 s step a refresh moves the deadline by (NatSessions.refresh).
        assertTrue(expires > 0 && expires <= 300 + 2, "a fresh UDP session's idle timeout: " + expires);
    }

    @Test
    void shouldFilterByAddressMatchingInsideOutsideOrRemote() throws Exception {
        fromVm(5, VxlanFrames.address(198, 51, 100, 7));
        fromVm(6, VxlanFrames.address(198, 51, 100, 8));

        assertEquals(2, api.ok("GET", "/api/softgate/sessions", null).get("matched").asInt());
        assertEquals("10.2.0.6:40000", only(api.ok("GET", "/api/softgate/sessions?address=10.2.0.6", null)).get("inside").asText());
        assertEquals("10.2.0.5:40000", only(api.ok("GET", "/api/softgate/sessions?address=198.51.100.7", null)).get("inside").asText());
        assertEquals(2, api.ok("GET", "/api/softgate/sessions?address=203.0.113.50", null).get("matched").asInt(),
            "both leave from the SNAT address");
        assertEquals(2, api.ok("GET", "/api/softgate/sessions?address=10.2.0.0/24", null).get("matched").asInt());
        assertEquals(0, api.ok("GET", "/api/softgate/sessions?address=10.9.9.9", null).get("matched").asInt());
    }

    @Test
    void shouldFilterByVpcName() throws Exception {
        fromVm(5, VxlanFrames.address(198, 51, 100, 7));
        assertEquals(1, api.ok("GET", "/api/softgate/sessions?vpc=file-vpc", null).get("matched").asInt());
        assertEquals(1, api.ok("GET", "/api/softgate/sessions?vpc=other,file-vpc", null).get("matched").asInt());
        assertEquals(0, api.ok("GET", "/api/softgate/sessions?vpc=other", null).get("matched").asInt());
    }

    @Test
    void shouldCutTheListAtTheLimitAndSayHowManyMatched() throws Exception {
        for (int vm = 1; vm <= 3; vm++) {
            fromVm(vm, VxlanFrames.address(198, 51, 100, 7));
        }
        JsonNode data = api.ok("GET", "/api/softgate/sessions?limit=2", null);
        assertEquals(3, data.get("matched").asInt());
        assertEquals(2, data.get("returned").asInt());
        assertEquals(2, data.get("sessions").size());
        assertTrue(data.get("truncated").asBoolean());
    }

    @Test
    void shouldRefuseAMalformedAddressOrLimit() throws Exception {
        HttpResponse<String> address = api.send("GET", "/api/softgate/sessions?address=10.2.0", null);
        assertEquals(400, address.statusCode());
        assertTrue(address.body().contains("address"), address.body());
        assertEquals(400, api.send("GET", "/api/softgate/sessions?limit=-1", null).statusCode());
        assertEquals(400, api.send("GET", "/api/softgate/sessions?limit=" + (SessionFilter.MAX_LIMIT + 1), null).statusCode());
    }

    @Test
    void shouldSayBgpIsDisabledWithoutASpeaker() throws Exception {
        JsonNode data = api.ok("GET", "/api/softgate/bgp", null);
        assertEquals("disabled", data.get("bgp").asText());
        assertTrue(data.path("peers").isMissingNode(), "no made-up peers: " + data);
    }

    @Test
    void shouldPrintTheSessionsAsATableInSoftgatectl() throws Exception {
        fromVm(5, VxlanFrames.address(198, 51, 100, 7));
        fromVm(6, VxlanFrames.address(198, 51, 100, 8));
        String table = api.softgatectl("sessions", "--vpc", "file-vpc", "--address", "10.2.0.5");
        assertTrue(table.startsWith("KIND"), table);
        assertTrue(table.contains("10.2.0.5:40000") && table.contains("198.51.100.7:80") && !table.contains("10.2.0.6"), table);
        assertTrue(table.contains("1 of 1 matching session(s) shown; tables hold 2 NAT session(s)"), table);
        assertEquals("BGP disabled", api.softgatectl("bgp").strip());
    }

    @Test
    void shouldKeepSoftgatectlsTokenFileInsideTheStateDirectoryAndDeleteItOnClose() throws Exception {
        assertEquals("BGP disabled", api.softgatectl("bgp").strip());
        assertTrue(api.tokenFile().startsWith(stateDir) && Files.exists(api.tokenFile()), api.tokenFile().toString());
        assertFalse(Files.exists(stateDir.resolveSibling(stateDir.getFileName() + ".token")),
            "nothing beside the @TempDir, which JUnit would not remove");
        api.close();
        assertFalse(Files.exists(api.tokenFile()), "the fixture removes it when it closes");
    }

    private static JsonNode only(JsonNode data) {
        assertEquals(1, data.get("matched").asInt(), data.toString());
        return data.get("sessions").get(0);
    }
}
