package io.softgate.service.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The API's route table: registration (with documentation), and matching of a method and path to
 * a route and its path parameters. Literal segments win over parameters.
 *
 * <p>Threading: filled during start-up by one thread, then only read.
 */
public final class Router {
    /**
     * A match: the route and its path parameters, or why none matched (404 / 405); on a 405, the
     * methods the path has ({@code allowedMethods}, sorted, for the {@code Allow} header).
     */
    public record Match(Route route, Map<String, String> parameters, int failureStatus, List<String> allowedMethods) {
        public Match {
            allowedMethods = List.copyOf(allowedMethods);
        }

        public Match(Route route, Map<String, String> parameters, int failureStatus) {
            this(route, parameters, failureStatus, List.of());
        }
    }

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, boolean authenticated, String tag, String summary,
                      String requestBody, List<String> query, ApiHandler handler) {
        for (Route existing : routes) {
            if (existing.method().equals(method) && existing.template().equals(template)) {
                throw new IllegalArgumentException("route registered twice: " + method + " " + template);
            }
        }
        routes.add(new Route(method, template, authenticated, tag, summary, requestBody, query, handler));
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    public Match match(String method, String path) {
        String[] segments = split(path);
        Route best = null;
        Map<String, String> bestParameters = null;
        int bestLiterals = -1;
        java.util.SortedSet<String> methods = new java.util.TreeSet<>();
        for (Route route : routes) {
            String[] template = split(route.template());
            if (template.length != segments.length) {
                continue;
            }
            Map<String, String> parameters = new HashMap<>();
            int literals = 0;
            boolean matches = true;
            for (int i = 0; i < template.length && matches; i++) {
                String part = template[i];
                if (part.startsWith("{") && part.endsWith("}")) {
                    parameters.put(part.substring(1, part.length() - 1), segments[i]);
                } else if (part.equals(segments[i])) {
                    literals++;
                } else {
                    matches = false;
                }
            }
            if (!matches) {
                continue;
            }
            methods.add(route.method());
            if (route.method().equals(method) && literals > bestLiterals) {
                best = route;
                bestParameters = parameters;
                bestLiterals = literals;
            }
        }
        if (best == null) {
            return methods.isEmpty() ? new Match(null, Map.of(), 404) : new Match(null, Map.of(), 405, List.copyOf(methods));
        }
        return new Match(best, bestParameters, 0);
    }

    private static String[] split(String path) {
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return trimmed.split("/", -1);
    }
}
