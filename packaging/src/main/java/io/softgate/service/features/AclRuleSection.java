package io.softgate.service.features;

/**
 * One ACL rule as the controller sends it (DESIGN §7): name, vpc, priority (lower first; equal
 * priorities keep file order), action {@code permit|deny}, proto {@code all|ip|tcp|udp|icmp|icmpv6},
 * source and destination prefixes (absent = any), inclusive port ranges (tcp/udp only), ICMP type
 * (icmp/icmpv6 only), {@code established} (TCP replies with ACK/RST pass) and {@code reverse}
 * (replies of any protocol pass).
 *
 * <p>Threading: immutable.
 */
public record AclRuleSection(
    String name,
    String vpc,
    Integer priority,
    String action,
    String proto,
    String srcPrefix,
    String dstPrefix,
    Integer srcPortFrom,
    Integer srcPortTo,
    Integer dstPortFrom,
    Integer dstPortTo,
    Integer icmpType,
    Boolean established,
    Boolean reverse) {
}
