package io.softgate.service.intent;

/**
 * An IPAM subnet inside an allocation; {@code purpose} is {@code common}, {@code nat} or
 * {@code load-balancer} (a /32 that NAT rules or L4LB services may use).
 *
 * <p>Threading: immutable.
 */
public record SubnetIntent(int id, String name, String prefix, String purpose, int vpcId, int allocationId) {
    public static final String COMMON = "common";
    public static final String NAT = "nat";
    public static final String LOAD_BALANCER = "load-balancer";
}
