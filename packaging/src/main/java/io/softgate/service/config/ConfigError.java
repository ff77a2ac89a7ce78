package io.softgate.service.config;

/**
 * One problem in a configuration file: the path of the offending field
 * (e.g. {@code forwarding.vrfs[1].l3vni}) and what is wrong with it.
 *
 * <p>Threading: immutable.
 */
public record ConfigError(String path, String message) {
    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
