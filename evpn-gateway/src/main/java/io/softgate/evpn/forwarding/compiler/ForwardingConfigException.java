package io.softgate.evpn.forwarding.compiler;

/**
 * Forwarding intent that cannot be compiled; {@link #field()} names the offending field as a
 * path into the intent (e.g. {@code routes[3].prefix}), and the message says what is wrong.
 *
 * <p>Threading: an ordinary immutable exception.
 */
public final class ForwardingConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public ForwardingConfigException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** Path of the offending field in the intent, e.g. {@code vrfs[1].l3Vni}. */
    public String field() {
        return field;
    }
}
