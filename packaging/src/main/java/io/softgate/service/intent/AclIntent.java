package io.softgate.service.intent;

/**
 * One ACL rule: {@code action} permit or deny, {@code proto} (all, ip, tcp, udp, icmp), prefixes,
 * port ranges, and the stateful flags {@code established} (TCP) and {@code reverse}.
 *
 * <p>Threading: immutable.
 */
public record AclIntent(int id, String name, String action, String proto, String srcPrefix, String dstPrefix,
                        int srcPortFrom, int srcPortTo, int dstPortFrom, int dstPortTo, boolean established,
                        boolean reverse, Integer icmpType, int vpcId, String comment) {
    /** Same rule apart from its id and name. */
    public boolean sameMatchAndAction(AclIntent other) {
        return action.equals(other.action) && proto.equals(other.proto) && srcPrefix.equals(other.srcPrefix)
            && dstPrefix.equals(other.dstPrefix) && srcPortFrom == other.srcPortFrom && srcPortTo == other.srcPortTo
            && dstPortFrom == other.dstPortFrom && dstPortTo == other.dstPortTo && established == other.established
            && reverse == other.reverse && java.util.Objects.equals(icmpType, other.icmpType) && vpcId == other.vpcId;
    }
}
