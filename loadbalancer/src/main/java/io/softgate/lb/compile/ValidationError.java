package io.softgate.lb.compile;

/**
 * One problem in a load-balancer document: the field's path (e.g. {@code services[2].backends[0].port})
 * and what is wrong with it.
 *
 * <p>Threading: immutable value.
 */
public record ValidationError(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
