package io.softgate.evpn.bgp.message;

/**
 * The RFC 7606 §2 approaches to a malformed UPDATE, weakest first: a stronger one wins when
 * several errors occur in one message (RFC 7606 §3).
 *
 * <p>Threading: immutable enum.
 */
public enum UpdateErrorAction {
    /** No error. */
    NONE,
    /** The malformed attribute is dropped and the UPDATE processed without it. */
    ATTRIBUTE_DISCARD,
    /** Every route the UPDATE announces is handled as withdrawn. */
    TREAT_AS_WITHDRAW,
    /** NOTIFICATION and close: the rest of the message cannot be trusted or located. */
    SESSION_RESET;

    public UpdateErrorAction strongest(UpdateErrorAction other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
