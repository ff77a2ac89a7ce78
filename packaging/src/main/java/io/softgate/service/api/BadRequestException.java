package io.softgate.service.api;

/**
 * A request body or parameter that cannot be read; answered 400 with the field and the reason.
 *
 * <p>Threading: immutable.
 */
public final class BadRequestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String reason;

    public BadRequestException(String field, String reason) {
        super(field + ": " + reason, null, false, false);
        this.field = field;
        this.reason = reason;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
