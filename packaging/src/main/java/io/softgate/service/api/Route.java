package io.softgate.service.api;

import java.util.List;

/**
 * One registered route: method, path template ({@code /api/v2/vpc/{id}}), whether it needs
 * credentials, how it is documented in the OpenAPI document, and its handler.
 *
 * <p>Threading: immutable.
 */
public record Route(String method, String template, boolean authenticated, String tag, String summary,
                    String requestBody, List<String> queryParameters, ApiHandler handler) {
    public Route {
        queryParameters = List.copyOf(queryParameters);
    }

    /** Path parameter names in template order. */
    public List<String> pathParameters() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String segment : template.split("/")) {
            if (segment.startsWith("{") && segment.endsWith("}")) {
                names.add(segment.substring(1, segment.length() - 1));
            }
        }
        return names;
    }
}
