package io.softgate.service.intent;

/**
 * A static route of a VPC; its name is its prefix (as the controller expects).
 *
 * <p>Threading: immutable.
 */
public record StaticRouteIntent(int id, String prefix, String nextHop, int vpcId, String description) {
}
