package io.softgate.nat.config;

/**
 * One NAT rule in the controller's shape (DESIGN.md §7, the Netris NAT object): every field is
 * the text or number the controller sends, validated only by the compiler, which names the field
 * of any error. Addresses are dotted quads or CIDR prefixes; ports are {@code "80"},
 * {@code "1000-2000"} or empty/null for any; protocol is {@code all|tcp|udp|icmp} (any case);
 * state is {@code enabled} (default when null) or {@code disabled}.
 *
 * <p>A {@link NatAction#DNAT} rule with protocol {@code all}, no destination port and no
 * {@code dnatToPort} is a 1:1 (elastic IP) mapping: everything sent to {@code destinationAddress}
 * goes to {@code dnatToIP}, and that VM's outbound traffic leaves from {@code destinationAddress}.
 *
 * <p>Threading: immutable value.
 */
public record NatRule(
    String name,
    NatAction action,
    String protocol,
    String sourceAddress,
    String sourcePort,
    String destinationAddress,
    String destinationPort,
    String snatToIP,
    String snatToPool,
    String dnatToIP,
    Integer dnatToPort,
    String state,
    String vpc) {

    /** A rule builder for code and tests (the REST layer maps JSON onto the record directly). */
    public static Builder builder(String name, NatAction action, String vpc) {
        return new Builder(name, action, vpc);
    }

    /**
     * Fluent construction of a {@link NatRule}.
     *
     * <p>Threading: confined to one thread.
     */
    public static final class Builder {
        private final String name;
        private final NatAction action;
        private final String vpc;
        private String protocol = "all";
        private String sourceAddress;
        private String sourcePort;
        private String destinationAddress;
        private String destinationPort;
        private String snatToIP;
        private String snatToPool;
        private String dnatToIP;
        private Integer dnatToPort;
        private String state = "enabled";

        private Builder(String name, NatAction action, String vpc) {
            this.name = name;
            this.action = action;
            this.vpc = vpc;
        }

        public Builder protocol(String value) {
            this.protocol = value;
            return this;
        }

        public Builder source(String address, String port) {
            this.sourceAddress = address;
            this.sourcePort = port;
            return this;
        }

        public Builder destination(String address, String port) {
            this.destinationAddress = address;
            this.destinationPort = port;
            return this;
        }

        public Builder snatToIP(String value) {
            this.snatToIP = value;
            return this;
        }

        public Builder snatToPool(String value) {
            this.snatToPool = value;
            return this;
        }

        public Builder dnatTo(String address, Integer port) {
            this.dnatToIP = address;
            this.dnatToPort = port;
            return this;
        }

        public Builder state(String value) {
            this.state = value;
            return this;
        }

        public NatRule build() {
            return new NatRule(name, action, protocol, sourceAddress, sourcePort, destinationAddress,
                destinationPort, snatToIP, snatToPool, dnatToIP, dnatToPort, state, vpc);
        }
    }
}
