package io.softgate.service.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenAPI 3.0 description of the whole API, generated from the registered routes so it
 * cannot drift from them: one operation per route, its path and query parameters, request body
 * schema, the envelope answer, and the security it needs (session cookie or bearer token).
 *
 * <p>Threading: stateless.
 */
public final class OpenApiDocument {
    private OpenApiDocument() {
    }

    public static ObjectNode build(List<Route> routes, String version) {
        ObjectNode root = Envelope.object();
        root.put("openapi", "3.0.3");
        ObjectNode info = root.putObject("info");
        info.put("title", "Softgate controller API");
        info.put("version", version);
        info.put("description", "Netris-shaped resources (as CloudStack's Netris plugin calls them) and the softgate's own resources. "
            + "Every JSON answer is the envelope {isSuccess, message, data, errors, meta}.");
        Map<String, ObjectNode> paths = new TreeMap<>();
        for (Route route : routes) {
            ObjectNode path = paths.computeIfAbsent(route.template(), key -> Envelope.object());
            path.set(route.method().toLowerCase(java.util.Locale.ROOT), operation(route));
        }
        ObjectNode pathsNode = root.putObject("paths");
        paths.forEach(pathsNode::set);
        ObjectNode components = root.putObject("components");
        ObjectNode schemes = components.putObject("securitySchemes");
        schemes.putObject("sessionCookie").put("type", "apiKey").put("in", "cookie").put("name", Authenticator.SESSION_COOKIE);
        schemes.putObject("bearerToken").put("type", "http").put("scheme", "bearer");
        ObjectNode schemas = components.putObject("schemas");
        OpenApiSchemas.addAll(schemas);
        return root;
    }

    private static ObjectNode operation(Route route) {
        ObjectNode operation = Envelope.object();
        operation.put("summary", route.summary());
        operation.put("operationId", operationId(route));
        operation.putArray("tags").add(route.tag());
        ArrayNode parameters = operation.putArray("parameters");
        for (String name : route.pathParameters()) {
            ObjectNode parameter = parameters.addObject().put("name", name).put("in", "path").put("required", true);
            parameter.putObject("schema").put("type", "id".equals(name) ? "integer" : "string");
        }
        for (String name : route.queryParameters()) {
            ObjectNode parameter = parameters.addObject().put("name", name).put("in", "query").put("required", false)
                .put("description", queryDescription(route, name));
            parameter.putObject("schema").put("type", "limit".equals(name) ? "integer" : "string");
        }
        if (route.requestBody() != null) {
            ObjectNode body = operation.putObject("requestBody").put("required", true);
            String mediaType = "LoginForm".equals(route.requestBody()) ? "application/x-www-form-urlencoded" : "application/json";
            body.putObject("content").putObject(mediaType).putObject("schema").put("$ref", "#/components/schemas/" + route.requestBody());
        }
        ObjectNode responses = operation.putObject("responses");
        boolean metrics = "/metrics".equals(route.template());
        ObjectNode ok = responses.putObject("200").put("description", "success");
        if (metrics) {
            ok.putObject("content").putObject("text/plain").putObject("schema").put("type", "string");
        } else if (OpenApiSchemas.ANSWERS.containsKey(route.template())) {
            // The envelope with its data documented: allOf keeps the one Envelope definition.
            ArrayNode allOf = ok.putObject("content").putObject("application/json").putObject("schema").putArray("allOf");
            allOf.addObject().put("$ref", "#/components/schemas/Envelope");
            allOf.addObject().put("type", "object").putObject("properties").putObject("data")
                .put("$ref", "#/components/schemas/" + OpenApiSchemas.ANSWERS.get(route.template()));
        } else {
            envelope(ok);
        }
        envelope(responses.putObject("400").put("description", "invalid request; errors name the field"));
        if (route.authenticated()) {
            envelope(responses.putObject("401").put("description", "no valid session cookie or bearer token"));
            ArrayNode security = operation.putArray("security");
            security.addObject().putArray("sessionCookie");
            security.addObject().putArray("bearerToken");
        } else {
            operation.putArray("security");
        }
        if (!"GET".equals(route.method())) {
            envelope(responses.putObject("404").put("description", "unknown id"));
            envelope(responses.putObject("409").put("description", "conflict or stale If-Match generation"));
        }
        return operation;
    }

    private static String queryDescription(Route route, String name) {
        return switch (name) {
            case "limit" -> "items listed at most (0.." + SessionFilter.MAX_LIMIT + ", default " + SessionFilter.DEFAULT_LIMIT
                + "); the answer still counts every match";
            case "address" -> "an IPv4 address or prefix; matches the inside, outside or remote address";
            default -> route.template().equals("/api/softgate/sessions")
                ? "VPC names or intent ids: one, a comma-separated list, or repeated"
                : "filter: one id, a comma-separated list, or repeated";
        };
    }

    private static void envelope(ObjectNode response) {
        response.putObject("content").putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/Envelope");
    }

    private static String operationId(Route route) {
        StringBuilder id = new StringBuilder(route.method().toLowerCase(java.util.Locale.ROOT));
        for (String part : route.template().split("[/{}.-]")) {
            if (!part.isEmpty()) {
                id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return id.toString();
    }
}
