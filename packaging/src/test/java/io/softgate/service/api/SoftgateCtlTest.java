package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.service.cli.SoftgateCtl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code softgatectl} against the real server: status, counters, config get / apply with generations. */
class SoftgateCtlTest {
    @TempDir
    Path directory;
    ApiFixture api;
    Path tokenFile;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(directory.resolve("state"));
        tokenFile = directory.resolve("token");
        Files.writeString(tokenFile, ApiFixture.TOKEN + "\n");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine line = SoftgateCtl.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 4];
        all[0] = "--url";
        all[1] = "http://127.0.0.1:" + api.api.address().getPort();
        all[2] = "--token-file";
        all[3] = tokenFile.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return line.execute(all);
    }

    @Test
    void shouldPrintTheNodeStatus() throws Exception {
        assertEquals(0, run("status"), err.toString());
        JsonNode state = Envelope.MAPPER.readTree(out.toString());
        assertEquals(0, state.get("generation").asLong());
        assertTrue(state.get("modules").has("nat"));
        assertEquals(0, run("counters"), err.toString());
        assertEquals(0, run("bgp"), err.toString());
        assertEquals(0, run("sessions", "--vpc", "1"), err.toString());
    }

    @Test
    void shouldApplyAnEditedDocumentAndRefuseAStaleOne() throws Exception {
        assertEquals(0, run("config", "get"), err.toString());
        ObjectNode document = (ObjectNode) Envelope.MAPPER.readTree(out.toString());
        int nextId = document.get("nextId").asInt();
        ((ArrayNode) document.get("vpcs")).addObject().put("id", nextId).put("name", "from-cli").put("adminTenantId", 1).put("system", false);
        document.put("nextId", nextId + 1);
        Path file = directory.resolve("intent.json");
        Files.writeString(file, document.toString());
        assertEquals(0, run("config", "apply", file.toString()), err.toString());
        assertEquals(1, api.api.store().current().generation());
        assertEquals("from-cli", api.api.store().current().vpc(nextId).name());

        assertEquals(1, run("config", "apply", file.toString()), "the file names generation 0, the node is at 1");
        assertTrue(err.toString().contains("stale generation"), err.toString());
    }

    @Test
    void shouldNameTheFieldOfAnInvalidDocument() throws Exception {
        Path file = directory.resolve("bad.json");
        Files.writeString(file, "{\"generation\":0,\"nextId\":5,\"siteName\":\"s\",\"adminTenantName\":\"Admin\",\"vpcs\":[{\"id\":1,\"name\":\"sys\","
            + "\"adminTenantId\":1,\"system\":true}],\"allocations\":[],\"subnets\":[],\"vnets\":[{\"id\":2,\"name\":\"v\",\"vpcId\":9,"
            + "\"vxlanId\":5,\"gateways\":[\"10.0.0.1/24\"]}],\"nats\":[],\"l4lbs\":[],\"acls\":[],\"routes\":[]}");
        assertEquals(1, run("config", "apply", file.toString()));
        assertTrue(err.toString().contains("vnet[v].vpc: unknown VPC 9"), err.toString());
    }

    @Test
    void shouldFailWithoutCredentials() {
        CommandLine line = SoftgateCtl.commandLine();
        line.setErr(new PrintWriter(err));
        assertEquals(1, line.execute("--url", "http://127.0.0.1:" + api.api.address().getPort(), "status"));
        assertTrue(err.toString().contains("--token-file"), err.toString());
    }
}
