package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import io.softgate.service.cli.SoftgateCtl;

/** Packet trace through the API and {@code softgatectl trace}, with packets through the service's real pipeline. */
class TraceApiTest {
    static final byte[] HYPERVISOR = VxlanFrames.address(10, 255, 0, 11);
    static final byte[] SOFTGATE = VxlanFrames.address(10, 255, 0, 1);

    @TempDir
    Path directory;
    ApiFixture api;

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(directory.resolve("state"), ApiCompositionTest.CONFIG.formatted(""));
        assertEquals(200, api.login(ApiFixture.USER, ApiFixture.PASSWORD).statusCode());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private void push(int vni, byte[] source, byte[] destination) {
        api.push(VxlanFrames.udp(vni, HYPERVISOR, SOFTGATE, source, destination));
        api.ports.get(0).pollTransmitted();
    }

    @Test
    void shouldShowEachStageVerdictAndDecisionOfTheTracedPackets() throws Exception {
        api.ok("POST", "/api/softgate/trace", "{\"count\": 2, \"vni\": 6001, \"protocol\": \"udp\", \"destinationPort\": 80}");
        push(9000, VxlanFrames.address(198, 51, 100, 7), VxlanFrames.address(10, 20, 1, 5)); // other VNI: not traced
        push(6001, VxlanFrames.address(10, 3, 1, 10), VxlanFrames.address(10, 20, 1, 5));  // routed by the file's route
        push(6001, VxlanFrames.address(10, 3, 1, 10), VxlanFrames.address(10, 99, 0, 1));  // no route

        JsonNode trace = api.ok("GET", "/api/softgate/trace", null);
        assertTrue(trace.get("complete").asBoolean());
        assertEquals(2, trace.get("packets").size());
        JsonNode routed = trace.get("packets").get(0);
        assertEquals(6001, routed.get("vni").asInt());
        assertEquals(List.of("vxlan-decap>feature-direction", "feature-direction>acl-egress", "acl-egress>lb-reply",
            "lb-reply>nat44-in2out", "nat44-in2out>vrf-route", "vrf-route>vxlan-encap", "vxlan-encap>transmit"), steps(routed));
        JsonNode route = routed.get("steps").get(5);
        assertFalse(route.get("decision").isNull(), "the route lookup's adjacency: " + route);
        assertEquals("file-vpc", route.get("vrf").asText());
        assertEquals("vtep 10.255.0.21", route.get("detail").asText(), "the file's static route's next hop");
        JsonNode dropped = trace.get("packets").get(1);
        assertEquals("vrf-route>drop:no-route", steps(dropped).get(steps(dropped).size() - 1));
    }

    @Test
    void shouldNameTheNatRuleAndMappingOfATracedPacketThatOpensASession() throws Exception {
        api.close();
        api = new ApiFixture(directory.resolve("state-nat"),
            ApiCompositionTest.CONFIG.formatted(ApiCompositionTest.FILE_NAT.formatted("")));
        assertEquals(200, api.login(ApiFixture.USER, ApiFixture.PASSWORD).statusCode());
        api.ok("POST", "/api/softgate/trace", "{\"count\": 1, \"vni\": 6001}");
        push(6001, VxlanFrames.address(10, 2, 1, 10), VxlanFrames.address(10, 20, 1, 5)); // SNAT by file-snat

        JsonNode packet = api.ok("GET", "/api/softgate/trace", null).get("packets").get(0);
        JsonNode nat = null;
        for (JsonNode step : packet.get("steps")) {
            if (step.get("stage").asText().equals("nat44-in2out")) {
                nat = step;
            }
        }
        String detail = nat == null ? "no nat44-in2out step in " + packet : nat.get("detail").asText();
        assertTrue(detail.startsWith("session created by rule file-vpc/file-snat: source 10.2.1.10:")
            && detail.contains(" -> 203.0.113.50:"), detail);
    }

    private static List<String> steps(JsonNode packet) {
        List<String> steps = new ArrayList<>();
        for (JsonNode step : packet.get("steps")) {
            steps.add(step.get("stage").asText() + ">" + step.get("verdict").asText());
        }
        return steps;
    }

    @Test
    void shouldRefuseAnUnknownVrfNamingTheField() throws Exception {
        HttpResponse<String> refused = api.send("POST", "/api/softgate/trace", "{\"vrf\": \"nowhere\"}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("vrf"), refused.body());
        HttpResponse<String> tooMany = api.send("POST", "/api/softgate/trace", "{\"count\": 100000}");
        assertEquals(400, tooMany.statusCode(), tooMany.body());
        assertTrue(tooMany.body().contains("count"), tooMany.body());
    }

    @Test
    void shouldNameAFieldOfTheWrongTypeWithoutJavaClassNames() throws Exception {
        HttpResponse<String> refused = api.send("POST", "/api/softgate/trace", "{\"count\": \"many\"}");
        assertEquals(400, refused.statusCode(), refused.body());
        JsonNode error = Envelope.MAPPER.readTree(refused.body()).get("errors").get(0);
        assertEquals("count", error.get("name").asText());
        assertEquals("must be an integer", error.get("error").asText());
        assertFalse(refused.body().contains("java."), refused.body());
    }

    @Test
    void shouldTraceFromTheCommandLine() throws Exception {
        Path token = directory.resolve("token");
        Files.writeString(token, ApiFixture.TOKEN + "\n");
        String url = "http://127.0.0.1:" + api.api.address().getPort();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine start = SoftgateCtl.commandLine();
        start.setOut(new PrintWriter(out));
        start.setErr(new PrintWriter(err));
        assertEquals(0, start.execute("--url", url, "--token-file", token.toString(), "trace", "start", "--count", "1",
            "--vrf", "file-vpc", "--dst", "10.20.1.0/24"), err.toString());
        push(6001, VxlanFrames.address(10, 3, 1, 10), VxlanFrames.address(10, 20, 1, 5));
        out.getBuffer().setLength(0);
        CommandLine show = SoftgateCtl.commandLine();
        show.setOut(new PrintWriter(out));
        show.setErr(new PrintWriter(err));
        assertEquals(0, show.execute("--url", url, "--token-file", token.toString(), "trace", "show"), err.toString());
        JsonNode trace = Envelope.MAPPER.readTree(out.toString());
        assertEquals(1, trace.get("packets").size(), out.toString());
        assertTrue(out.toString().contains("vxlan-encap"), out.toString());
    }
}
