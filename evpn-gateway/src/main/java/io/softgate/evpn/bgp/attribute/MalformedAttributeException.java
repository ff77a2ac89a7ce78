package io.softgate.evpn.bgp.attribute;

import io.softgate.evpn.bgp.message.UpdateErrorAction;

/**
 * Raised by an attribute codec for a malformed attribute, carrying the RFC 7606 approach the
 * attribute's specification prescribes; the UPDATE decoder catches it and never lets it out.
 *
 * <p>Threading: immutable.
 */
public final class MalformedAttributeException extends Exception {
    private static final long serialVersionUID = 1L;
    private final UpdateErrorAction action;

    public MalformedAttributeException(UpdateErrorAction action, String reason) {
        super(reason, null, false, false);
        this.action = action;
    }

    public UpdateErrorAction action() {
        return action;
    }
}
