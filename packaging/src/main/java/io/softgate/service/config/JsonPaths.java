package io.softgate.service.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.List;

/**
 * Where in a JSON document a failure is, written the way configuration and API errors name a
 * field: {@code forwarding.vrfs[1].l3vni}; the empty string for the document itself.
 *
 * <p>Threading: stateless static functions.
 */
public final class JsonPaths {
    private JsonPaths() {
    }

    /** Jackson's binding path ({@code [vrfs, 1, l3vni]} references) as {@code vrfs[1].l3vni}. */
    public static String of(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                appendField(path, reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** A JSON pointer such as {@code /forwarding/vrfs/1/l3vni} (a parser's position) as {@code forwarding.vrfs[1].l3vni}. */
    public static String of(JsonPointer pointer) {
        StringBuilder path = new StringBuilder();
        for (JsonPointer p = pointer; p != null && !p.matches(); p = p.tail()) {
            if (p.mayMatchElement()) {
                path.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                appendField(path, p.getMatchingProperty());
            }
        }
        return path.toString();
    }

    private static void appendField(StringBuilder path, String name) {
        if (path.length() > 0) {
            path.append('.');
        }
        path.append(name);
    }
}
