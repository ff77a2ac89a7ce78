package io.softgate.nat.config;

/**
 * What a NAT rule does, in the controller's vocabulary (DESIGN.md §7). A 1:1 mapping is a
 * {@link #DNAT} rule with protocol {@code all} and no ports (see {@link NatRule}).
 *
 * <p>Threading: immutable enum.
 */
public enum NatAction {
    /** Source NAT to {@code snatToIP} or to an address of {@code snatToPool}. */
    SNAT,
    /** Destination NAT (port forward) to {@code dnatToIP}[:{@code dnatToPort}]; 1:1 when protocol is all. */
    DNAT,
    /** Source NAT to the VPC's own public address (its masquerade address). */
    MASQUERADE,
    /** Exclusion: matching traffic leaves without source NAT. */
    ACCEPT_SNAT
}
