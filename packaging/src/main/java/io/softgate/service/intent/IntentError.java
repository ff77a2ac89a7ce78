package io.softgate.service.intent;

/**
 * One reason a change was refused: the field (e.g. {@code nat[3].snatToIP}) and why.
 *
 * <p>Threading: immutable.
 */
public record IntentError(String field, String reason) {
    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
