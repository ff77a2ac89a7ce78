package io.softgate.nat.compile;

/**
 * What a compiled rule does on the slow path.
 *
 * <p>Threading: immutable enum.
 */
public enum RuleKind {
    /** Outbound: no source NAT for matching traffic (ACCEPT_SNAT). */
    EXCLUDE,
    /** Outbound: 1:1 source rewrite of one VM address to its public address, ports kept. */
    STATIC_SOURCE,
    /** Outbound: source NAT to a pool with port allocation (SNAT, MASQUERADE). */
    DYNAMIC_SOURCE,
    /** Inbound: destination NAT of a public address (and port range) to a VM (DNAT, 1:1). */
    DESTINATION
}
