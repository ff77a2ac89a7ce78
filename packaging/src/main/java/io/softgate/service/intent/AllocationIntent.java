package io.softgate.service.intent;

/**
 * An IPAM allocation: a prefix reserved for a VPC (its CIDR, or the zone's public super CIDR).
 *
 * <p>Threading: immutable.
 */
public record AllocationIntent(int id, String name, String prefix, int vpcId) {
}
