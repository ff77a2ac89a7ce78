package io.softgate.service.intent;

/**
 * One reason a change was refused: the field (e.g. {@code nat[3].snatToIP}) and why.
 * {@code conflict} marks a clash with another object of the intent (a name, a VXLAN id, a route
 * or an address another object already has), as opposed to a value that is wrong by itself: a
 * change of one object that only clashes conflicts with the current state and is answered 409
 * (RFC 9110 §15.5.10) instead of 400 ({@link IntentStore#apply}).
 *
 * <p>Threading: immutable.
 */
public record IntentError(String field, String reason, boolean conflict) {
    /** A value that is wrong by itself (400). */
    public IntentError(String field, String reason) {
        this(field, reason, false);
    }

    /** A clash with another object of the intent (409 for a change of one object). */
    public static IntentError ofConflict(String field, String reason) {
        return new IntentError(field, reason, true);
    }

    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
