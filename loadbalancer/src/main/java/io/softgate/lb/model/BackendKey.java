package io.softgate.lb.model;

/**
 * Names one backend of one service across config generations (health state and connection
 * tracking follow it): service name, backend address (canonicalised like {@link Backend#address})
 * and port.
 *
 * <p>Threading: immutable value.
 */
public record BackendKey(String service, String address, int port) {
    public BackendKey {
        address = Ipv4Text.canonical(address);
    }

    @Override
    public String toString() {
        return service + "/" + address + ":" + port;
    }
}
