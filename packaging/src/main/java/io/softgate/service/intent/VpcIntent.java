package io.softgate.service.intent;

/**
 * A VPC (one tenant VRF) as the controller declared it; the system VPC holds the public range and
 * the /32 NAT and load-balancer subnets.
 *
 * <p>Threading: immutable.
 */
public record VpcIntent(int id, String name, int adminTenantId, boolean system) {
}
