package io.softgate.service.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found (each naming its field path).
 *
 * <p>Threading: immutable.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigError> errors;

    public ConfigException(String source, List<ConfigError> errors) {
        super(describe(source, errors));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }

    private static String describe(String source, List<ConfigError> errors) {
        StringBuilder text = new StringBuilder("invalid configuration ").append(source).append(':');
        for (ConfigError error : errors) {
            text.append("\n  ").append(error);
        }
        return text.toString();
    }
}
