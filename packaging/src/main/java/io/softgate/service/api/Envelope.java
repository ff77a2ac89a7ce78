package io.softgate.service.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.service.intent.IntentError;
import java.util.List;

/**
 * The answer envelope every Netris client expects, used for every JSON answer of the API:
 * {@code {"isSuccess", "message", "data", "errors": [{"name", "error"}], "meta": {"apiVersion",
 * "statusCode"}}}.
 *
 * <p>Threading: stateless (the shared mapper is thread-safe).
 */
public final class Envelope {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    public static final String API_VERSION = "v2";

    private Envelope() {
    }

    public static ApiResponse ok(JsonNode data) {
        return ok("", data);
    }

    public static ApiResponse ok(String message, JsonNode data) {
        return respond(200, true, message, data, List.of());
    }

    public static ApiResponse error(int status, String message, List<IntentError> errors) {
        return respond(status, false, message, null, errors);
    }

    public static ApiResponse error(int status, String field, String reason) {
        return error(status, field + ": " + reason, List.of(new IntentError(field, reason)));
    }

    public static ApiResponse respond(int status, boolean success, String message, JsonNode data, List<IntentError> errors) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("isSuccess", success);
        root.put("message", message);
        root.set("data", data == null ? MAPPER.nullNode() : data);
        ArrayNode errorList = root.putArray("errors");
        for (IntentError error : errors) {
            errorList.addObject().put("name", error.field()).put("error", error.reason());
        }
        ObjectNode meta = root.putObject("meta");
        meta.put("apiVersion", API_VERSION);
        meta.put("statusCode", status);
        try {
            return new ApiResponse(status, ApiResponse.JSON, MAPPER.writeValueAsBytes(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an envelope", e);
        }
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }
}
