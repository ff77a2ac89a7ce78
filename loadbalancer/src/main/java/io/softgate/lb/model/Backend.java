package io.softgate.lb.model;

/**
 * One backend of a service: a VM address (IPv4 text) and port inside the service's VPC, its
 * Maglev weight (0 = no new connections) and administrative state.
 *
 * <p>Threading: immutable value.
 */
public record Backend(String address, int port, int weight, BackendAdminState state) {
    public static final int DEFAULT_WEIGHT = 1;

    public static Backend of(String address, int port) {
        return new Backend(address, port, DEFAULT_WEIGHT, BackendAdminState.ENABLED);
    }

    /** The identity the Maglev table hashes: {@code "address:port"} with the address in canonical dotted quad. */
    public String identity() {
        return address + ":" + port;
    }
}
