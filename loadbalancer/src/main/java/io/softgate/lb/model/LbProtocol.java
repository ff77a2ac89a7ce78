package io.softgate.lb.model;

/**
 * Transport protocol of a load-balanced service (the controller sends upper-case {@code TCP}/{@code UDP}).
 *
 * <p>Threading: immutable enum.
 */
public enum LbProtocol {
    TCP(6),
    UDP(17);

    private final int ipProtocolNumber;

    LbProtocol(int ipProtocolNumber) {
        this.ipProtocolNumber = ipProtocolNumber;
    }

    /** IANA protocol number carried in the IPv4 protocol field. */
    public int ipProtocolNumber() {
        return ipProtocolNumber;
    }
}
