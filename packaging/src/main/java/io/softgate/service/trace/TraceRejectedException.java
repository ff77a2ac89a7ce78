package io.softgate.service.trace;

/**
 * A trace request that cannot be compiled: names the field and the reason (the API answers 400).
 *
 * <p>Threading: immutable.
 */
public final class TraceRejectedException extends Exception {
    private final String field;

    public TraceRejectedException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
