package io.softgate.acl.model;

import java.util.Objects;

/**
 * One ACL rule in the controller's shape (DESIGN §7): it matches packets going from
 * {@code srcPrefix}/{@code srcPort*} to {@code dstPrefix}/{@code dstPort*} with {@code protocol}
 * (and {@code icmpType}) inside VPC {@code vpc}. A null prefix means "any address of either
 * family". Rules are evaluated by ascending {@code priority}, ties in list order (see
 * acl/README.md); the first match decides.
 *
 * <p>{@code established} (TCP): adds a return grant to the TCP packets this rule permits (any
 * permitted segment, not only a SYN, opens it): segments on the reversed tuple pass if they carry
 * ACK or RST (no further TCP tracking). It does not narrow what the rule itself matches; rules
 * have no direction (acl/README.md). {@code reverse}: the return traffic of any flow this rule
 * permitted passes. Without either flag a permit only admits its own direction.
 *
 * <p>Threading: immutable value; validated on construction.
 */
public record AclRule(String name, String vpc, int priority, AclAction action, AclProtocol protocol,
                      IpPrefix srcPrefix, IpPrefix dstPrefix,
                      int srcPortFrom, int srcPortTo, int dstPortFrom, int dstPortTo,
                      int icmpType, boolean established, boolean reverse) {
    /** {@link #icmpType} value meaning "any type". */
    public static final int ANY_ICMP_TYPE = -1;
    public static final int MAX_PORT = 65535;

    public AclRule {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        if (vpc == null || vpc.isBlank()) {
            throw new IllegalArgumentException("rule " + name + ": vpc is required");
        }
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(protocol, "protocol");
        if (srcPrefix != null && dstPrefix != null && srcPrefix.family() != dstPrefix.family()) {
            throw new IllegalArgumentException("rule " + name + ": srcPrefix and dstPrefix are of different families");
        }
        checkRange(name, "srcPort", srcPortFrom, srcPortTo);
        checkRange(name, "dstPort", dstPortFrom, dstPortTo);
        boolean fullPorts = srcPortFrom == 0 && srcPortTo == MAX_PORT && dstPortFrom == 0 && dstPortTo == MAX_PORT;
        if (!fullPorts && !protocol.hasPorts()) {
            throw new IllegalArgumentException("rule " + name + ": port ranges need proto tcp or udp");
        }
        if (icmpType < ANY_ICMP_TYPE || icmpType > 255) {
            throw new IllegalArgumentException("rule " + name + ": icmpType must be 0..255 (or absent)");
        }
        if (icmpType != ANY_ICMP_TYPE && !protocol.isIcmp()) {
            throw new IllegalArgumentException("rule " + name + ": icmpType needs proto icmp or icmpv6");
        }
        int family = srcPrefix != null ? srcPrefix.family() : dstPrefix != null ? dstPrefix.family() : 0;
        if (protocol == AclProtocol.ICMP && family == IpPrefix.IPV6
            || protocol == AclProtocol.ICMPV6 && family == IpPrefix.IPV4) {
            throw new IllegalArgumentException("rule " + name + ": " + protocol + " does not fit the prefixes' family");
        }
    }

    private static void checkRange(String name, String field, int from, int to) {
        if (from < 0 || to > MAX_PORT || from > to) {
            throw new IllegalArgumentException("rule " + name + ": " + field + "From/To must satisfy 0 <= from <= to <= 65535");
        }
    }

    /** True when this rule can match packets of address family {@code family} (4 or 6). */
    public boolean appliesToFamily(int family) {
        if (srcPrefix != null) {
            return srcPrefix.family() == family;
        }
        if (dstPrefix != null) {
            return dstPrefix.family() == family;
        }
        if (protocol == AclProtocol.ICMP) {
            return family == IpPrefix.IPV4;
        }
        if (protocol == AclProtocol.ICMPV6) {
            return family == IpPrefix.IPV6;
        }
        return true;
    }

    /** True when the rule looks at layer-4 fields (ports or ICMP type). */
    public boolean hasLayer4Condition() {
        return srcPortFrom != 0 || srcPortTo != MAX_PORT || dstPortFrom != 0 || dstPortTo != MAX_PORT
            || icmpType != ANY_ICMP_TYPE;
    }

    /** A builder with "match everything, permit" defaults. */
    public static Builder builder(String name, String vpc) {
        return new Builder(name, vpc);
    }

    /**
     * Builds rules fluently (tests, the REST mapping).
     *
     * <p>Threading: confined to one thread.
     */
    public static final class Builder {
        private final String name;
        private final String vpc;
        private int priority;
        private AclAction action = AclAction.PERMIT;
        private AclProtocol protocol = AclProtocol.ALL;
        private IpPrefix srcPrefix;
        private IpPrefix dstPrefix;
        private int srcPortFrom;
        private int srcPortTo = MAX_PORT;
        private int dstPortFrom;
        private int dstPortTo = MAX_PORT;
        private int icmpType = ANY_ICMP_TYPE;
        private boolean established;
        private boolean reverse;

        private Builder(String name, String vpc) {
            this.name = name;
            this.vpc = vpc;
        }

        public Builder priority(int value) {
            this.priority = value;
            return this;
        }

        public Builder action(AclAction value) {
            this.action = value;
            return this;
        }

        public Builder permit() {
            return action(AclAction.PERMIT);
        }

        public Builder deny() {
            return action(AclAction.DENY);
        }

        public Builder protocol(AclProtocol value) {
            this.protocol = value;
            return this;
        }

        public Builder srcPrefix(String value) {
            this.srcPrefix = value == null ? null : IpPrefix.parse(value);
            return this;
        }

        public Builder srcPrefix(IpPrefix value) {
            this.srcPrefix = value;
            return this;
        }

        public Builder dstPrefix(String value) {
            this.dstPrefix = value == null ? null : IpPrefix.parse(value);
            return this;
        }

        public Builder dstPrefix(IpPrefix value) {
            this.dstPrefix = value;
            return this;
        }

        public Builder srcPorts(int from, int to) {
            this.srcPortFrom = from;
            this.srcPortTo = to;
            return this;
        }

        public Builder dstPorts(int from, int to) {
            this.dstPortFrom = from;
            this.dstPortTo = to;
            return this;
        }

        public Builder dstPort(int port) {
            return dstPorts(port, port);
        }

        public Builder icmpType(int value) {
            this.icmpType = value;
            return this;
        }

        public Builder established(boolean value) {
            this.established = value;
            return this;
        }

        public Builder reverse(boolean value) {
            this.reverse = value;
            return this;
        }

        public AclRule build() {
            return new AclRule(name, vpc, priority, action, protocol, srcPrefix, dstPrefix,
                srcPortFrom, srcPortTo, dstPortFrom, dstPortTo, icmpType, established, reverse);
        }
    }
}
