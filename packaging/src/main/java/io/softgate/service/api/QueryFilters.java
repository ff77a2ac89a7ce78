package io.softgate.service.api;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * List filters as Netris clients send them in the query string: {@code vpc=3},
 * {@code vpc=3,4}, {@code vpc=[3,4]} or repeated {@code vpc=3&vpc=4}; same for {@code sites}.
 *
 * <p>Threading: stateless.
 */
public final class QueryFilters {
    private QueryFilters() {
    }

    /** The ids named by parameter {@code name}, or null when the request does not filter by it. */
    public static Set<Integer> ids(ApiRequest request, String name) throws BadRequestException {
        List<String> values = request.query().get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        Set<Integer> ids = new HashSet<>();
        for (String value : values) {
            String trimmed = value.strip();
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                trimmed = trimmed.substring(1, trimmed.length() - 1);
            }
            for (String part : trimmed.split(",")) {
                String id = part.strip();
                if (id.isEmpty()) {
                    continue;
                }
                if (id.length() > 10 || !AsciiDigits.only(id)) {
                    throw new BadRequestException(name, "must be integer ids (was '" + value + "')");
                }
                long parsed = Long.parseLong(id);
                if (parsed > Integer.MAX_VALUE) {
                    throw new BadRequestException(name, "id out of range: " + id);
                }
                ids.add((int) parsed);
            }
        }
        return ids.isEmpty() ? null : ids;
    }

    public static boolean accepts(Set<Integer> filter, int id) {
        return filter == null || filter.contains(id);
    }
}
