package io.softgate.nat.config;

/**
 * A NAT configuration the compiler refuses; {@link #field()} names the offending field as
 * {@code rule[<name>].<field>} (or {@code settings.<field>}) so the REST layer can answer a 4xx
 * that names it.
 *
 * <p>Threading: immutable.
 */
public final class NatConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public NatConfigException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
