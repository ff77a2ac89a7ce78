package io.softgate.service.intent;

import java.util.List;

/**
 * A change that was not applied, with the HTTP status it deserves (400 invalid, 404 unknown id,
 * 409 stale generation or conflict) and every reason; nothing changed.
 *
 * <p>Threading: immutable.
 */
public final class IntentRejectedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final transient List<IntentError> errors;

    public IntentRejectedException(int status, List<IntentError> errors) {
        super(describe(errors), null, false, false);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public IntentRejectedException(int status, String field, String reason) {
        this(status, List.of(new IntentError(field, reason)));
    }

    private static String describe(List<IntentError> errors) {
        StringBuilder text = new StringBuilder();
        for (IntentError error : errors) {
            if (!text.isEmpty()) {
                text.append("; ");
            }
            text.append(error);
        }
        return text.toString();
    }

    public int status() {
        return status;
    }

    public List<IntentError> errors() {
        return errors;
    }
}
