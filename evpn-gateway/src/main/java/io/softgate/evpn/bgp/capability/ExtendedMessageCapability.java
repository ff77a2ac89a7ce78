package io.softgate.evpn.bgp.capability;

/**
 * Extended Message, code 6, empty (RFC 8654 §3): both sides advertising it allows messages
 * up to 65535 octets (except OPEN and KEEPALIVE).
 *
 * <p>Threading: immutable, safe to share.
 */
public record ExtendedMessageCapability() implements Capability {
    public static final int CODE = 6;
    public static final ExtendedMessageCapability INSTANCE = new ExtendedMessageCapability();

    @Override
    public int code() {
        return CODE;
    }
}
