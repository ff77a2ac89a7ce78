package io.softgate.service.api;

import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the handlers see it: method, decoded path, query parameters (every value of
 * a repeated name), the headers they need, the remote address and the body bytes.
 *
 * <p>Threading: immutable; handled on the API's executor thread.
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, Map<String, String> headers,
                         String remoteAddress, byte[] body, Map<String, String> pathParameters) {

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public String pathParameter(String name) {
        return pathParameters.get(name);
    }

    public ApiRequest withPathParameters(Map<String, String> parameters) {
        return new ApiRequest(method, path, query, headers, remoteAddress, body, Map.copyOf(parameters));
    }
}
