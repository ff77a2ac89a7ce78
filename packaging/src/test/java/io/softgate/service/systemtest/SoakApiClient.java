package io.softgate.service.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak run's controller: speaks the softgate's REST API with a bearer token through curl run
 * inside the softgate's namespace (the API listens on that namespace's loopback), as CloudStack's
 * Netris plugin does for a VPC with a vNet and a port forward (packaging/README.md, "The
 * controller's API"). {@link #setUp} builds the VPC once; {@link #addPortForward} and
 * {@link #removePortForward} are the per-second change.
 *
 * <p>Threading: used by one thread (the soak's main loop).
 */
final class SoakApiClient {
    static final int PORT = 8089;
    static final String TOKEN = "soak-run-bearer-token-0123456789abcdef0123";
    /** The API's own public range (inside the lab's, apart from every address the file uses). */
    static final String PUBLIC_SUPERNET = "198.51.100.0/24";
    static final String PUBLIC_SUBNET = "198.51.100.192/26";
    static final String PORT_FORWARD_IP = "198.51.100.200";
    static final int PORT_FORWARD_PORT = 9500;
    static final String VPC_NAME = "soak-api-vpc";
    static final int VXLAN_ID = 5077;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: HTTP status, the {@code ETag} generation (-1 when absent) and the envelope's {@code data}. */
    record Answer(int status, long generation, JsonNode data, String raw) {
        boolean accepted() {
            return status >= 200 && status < 300;
        }
    }

    private final NetworkNamespace namespace;
    private int site;
    private String siteName;
    private int tenant;
    private int vpc;
    private String vpcName;

    SoakApiClient(NetworkNamespace namespace) {
        this.namespace = namespace;
    }

    /** The {@code api} section for the softgate's configuration, with the token file written to {@code directory}. */
    static String section(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path tokens = directory.resolve("api-tokens");
        Files.writeString(tokens, TOKEN + "\n");
        return "\"api\": {\"listenAddress\": \"127.0.0.1\", \"port\": " + PORT + ", \"tokensFile\": \"" + tokens.toAbsolutePath()
            + "\"}";
    }

    /** Waits until the API answers {@code /healthz}. */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (namespace.exec(Duration.ofSeconds(10), "curl", "-s", "-f", "--max-time", "2",
                "http://127.0.0.1:" + PORT + "/healthz").ok()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the API did not answer /healthz within " + timeout);
    }

    /** The controller's build-up: public range in the system VPC, a VPC with its allocation, tier subnet and vNet, the port forward's /32. */
    void setUp() {
        JsonNode firstSite = okData("GET", "/api/sites", null).get(0); // the one site: named after the node
        site = firstSite.get("id").asInt();
        siteName = firstSite.get("name").asText();
        tenant = find(okData("GET", "/api/tenants", null), "name", "Admin").get("id").asInt();
        JsonNode system = null;
        for (JsonNode candidate : okData("GET", "/api/v2/vpc", null)) {
            if (candidate.get("isSystem").asBoolean()) {
                system = candidate;
            }
        }
        if (system == null) {
            throw new IllegalStateException("no system VPC");
        }
        okData("POST", "/api/v2/ipam/allocation", "{\"name\":\"SOAK-PUBLIC\",\"prefix\":\"" + PUBLIC_SUPERNET + "\",\"vpc\":"
            + vpcRef(system) + ",\"tenant\":" + tenantRef() + "}");
        okData("POST", "/api/v2/ipam/subnet", subnetBody("SOAK-PUBLIC-RANGE", PUBLIC_SUBNET, "common", system));
        JsonNode created = okData("POST", "/api/v2/vpc", "{\"name\":\"" + VPC_NAME + "\",\"adminTenant\":" + tenantRef() + "}");
        vpc = created.get("id").asInt();
        vpcName = created.get("name").asText();
        okData("POST", "/api/v2/ipam/allocation", "{\"name\":\"" + VPC_NAME + "-alloc\",\"prefix\":\"10.77.0.0/16\",\"vpc\":"
            + vpcRef(created) + ",\"tenant\":" + tenantRef() + "}");
        okData("POST", "/api/v2/ipam/subnet", subnetBody(VPC_NAME + "-tier", "10.77.1.0/24", "common", created));
        okData("POST", "/api/v2/vnet", "{\"gateways\":[{\"prefix\":\"10.77.1.1/24\"}],\"name\":\"" + VPC_NAME + "-tier1\","
            + "\"vxlanID\":" + VXLAN_ID + ",\"sites\":[" + siteRef() + "],\"state\":\"active\",\"tenant\":" + tenantRef()
            + ",\"vpc\":" + vpcRef(created) + "}");
        okData("POST", "/api/v2/ipam/subnet", subnetBody("SOAK-PF-" + PORT_FORWARD_IP + "/32", PORT_FORWARD_IP + "/32", "nat",
            system));
    }

    /** Creates the port forward {@value #PORT_FORWARD_IP}:{@value #PORT_FORWARD_PORT} -> 10.77.1.10:80 (no traffic uses it). */
    Answer addPortForward() {
        String body = "{\"action\":\"DNAT\",\"name\":\"soak-pf\",\"protocol\":\"TCP\",\"state\":\"enabled\",\"comment\":\"soak\","
            + "\"destinationAddress\":\"" + PORT_FORWARD_IP + "/32\",\"destinationPort\":\"" + PORT_FORWARD_PORT + "\","
            + "\"sourceAddress\":\"0.0.0.0/0\",\"sourcePort\":\"1-65535\",\"dnatToIP\":\"10.77.1.10/32\",\"dnatToPort\":80,"
            + "\"site\":" + siteRef() + ",\"vpc\":{\"id\":" + vpc + ",\"name\":\"" + vpcName + "\"}}";
        return send("POST", "/api/v2/nat", body);
    }

    /** Deletes the port forward with id {@code ruleId}. */
    Answer removePortForward(int ruleId) {
        return send("DELETE", "/api/v2/nat/" + ruleId, null);
    }

    /** One request; a transport failure (curl's own error) is status 0. */
    Answer send(String method, String path, String body) {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-i", "--max-time", "5", "-X", method,
            "-H", "Authorization: Bearer " + TOKEN));
        if (body != null) {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data-raw", body));
        }
        command.add("http://127.0.0.1:" + PORT + path);
        Commands.Result result = namespace.exec(Duration.ofSeconds(15), command.toArray(String[]::new));
        if (!result.ok()) {
            return new Answer(0, -1, null, result.output());
        }
        return parse(result.output());
    }

    static Answer parse(String output) {
        String text = output.replace("\r\n", "\n");
        int split = text.indexOf("\n\n");
        String head = split < 0 ? text : text.substring(0, split);
        String body = split < 0 ? "" : text.substring(split + 2);
        int status = 0;
        long generation = -1;
        for (String line : head.split("\n")) {
            if (line.startsWith("HTTP/")) {
                String[] parts = line.split(" ");
                status = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            } else if (line.toLowerCase().startsWith("etag:")) {
                generation = Long.parseLong(line.substring(5).replace("\"", "").replace("W/", "").strip());
            }
        }
        JsonNode data = null;
        try {
            data = body.isBlank() ? null : JSON.readTree(body).get("data");
        } catch (IOException e) {
            // not JSON: left null, the raw text goes into the report
        }
        return new Answer(status, generation, data, output.strip());
    }

    private JsonNode okData(String method, String path, String body) {
        Answer answer = send(method, path, body);
        if (!answer.accepted()) {
            throw new IllegalStateException(method + " " + path + " refused: " + answer.raw());
        }
        return answer.data();
    }

    private static JsonNode find(JsonNode list, String field, String value) {
        for (JsonNode item : list) {
            if (item.path(field).asText().equals(value)) {
                return item;
            }
        }
        throw new IllegalStateException("no " + field + "=" + value + " in " + list);
    }

    private String tenantRef() {
        return "{\"id\":" + tenant + ",\"name\":\"Admin\"}";
    }

    private String siteRef() {
        return "{\"id\":" + site + ",\"name\":\"" + siteName + "\"}";
    }

    private static String vpcRef(JsonNode vpc) {
        return "{\"id\":" + vpc.get("id").asInt() + ",\"name\":\"" + vpc.get("name").asText() + "\"}";
    }

    private String subnetBody(String name, String prefix, String purpose, JsonNode owner) {
        return "{\"name\":\"" + name + "\",\"prefix\":\"" + prefix + "\",\"purpose\":\"" + purpose + "\",\"vpc\":" + vpcRef(owner)
            + ",\"tenant\":" + tenantRef() + ",\"sites\":[" + siteRef() + "]}";
    }
}
