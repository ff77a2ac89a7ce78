package io.softgate.service.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The controller's side of a softgate under test: REST calls to its API (on 127.0.0.1 inside the
 * softgate's namespace) made with curl in that namespace and a bearer token, in the Netris envelope.
 *
 * <p>Threading: confined to the test thread.
 */
final class SoftgateApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NetworkNamespace namespace;
    private final int port;
    private final String token;

    SoftgateApiClient(NetworkNamespace namespace, int port, String token) {
        this.namespace = namespace;
        this.port = port;
        this.token = token;
    }

    /** Sends {@code method path} with {@code json} (or no body); requires HTTP 200 and isSuccess; returns data. */
    JsonNode ok(String method, String path, String json) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-X", method,
            "-H", "Authorization: Bearer " + token, "-w", "\n%{http_code}"));
        if (json != null) {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", json));
        }
        command.add("http://127.0.0.1:" + port + path);
        Commands.Result result = namespace.exec(Duration.ofSeconds(30), command.toArray(String[]::new));
        String output = result.output().strip();
        int newline = output.lastIndexOf('\n');
        String status = newline < 0 ? output : output.substring(newline + 1);
        String body = newline < 0 ? "" : output.substring(0, newline);
        try {
            JsonNode envelope = JSON.readTree(body);
            if (!"200".equals(status) || !envelope.path("isSuccess").asBoolean()) {
                throw new AssertionError(method + " " + path + " -> " + status + " " + body);
            }
            return envelope.get("data");
        } catch (java.io.IOException e) {
            throw new AssertionError(method + " " + path + " -> " + status + " (not JSON) " + output, e);
        }
    }

    /** The first item of a list answer whose {@code field} equals {@code value}, or null. */
    static JsonNode find(JsonNode list, String field, String value) {
        for (JsonNode item : list) {
            if (value.equals(item.path(field).asText())) {
                return item;
            }
        }
        return null;
    }
}
