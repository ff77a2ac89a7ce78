package io.softgate.lb.model;

/**
 * One backend of a service: a VM address (IPv4 text) and port inside the service's VPC, its
 * Maglev weight (0 = no new connections) and administrative state. An address that parses as IPv4
 * is stored in canonical dotted quad ({@link Ipv4Text#canonical}: {@code "010.1.0.5"} becomes
 * {@code "10.1.0.5"}); other text is kept as written for the validator to reject.
 *
 * <p>Threading: immutable value.
 */
public record Backend(String address, int port, int weight, BackendAdminState state) {
    public static final int DEFAULT_WEIGHT = 1;

    public Backend {
        address = Ipv4Text.canonical(address);
    }

    public static Backend of(String address, int port) {
        return new Backend(address, port, DEFAULT_WEIGHT, BackendAdminState.ENABLED);
    }

    /**
     * The identity the Maglev table hashes and duplicates are checked on: {@code "address:port"},
     * the address in canonical dotted quad (the constructor canonicalised it), so one backend
     * written two ways has one identity.
     */
    public String identity() {
        return address + ":" + port;
    }
}
