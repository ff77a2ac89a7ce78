package io.softgate.service.config;

/**
 * One BGP neighbour: its address (the leaf knows us by our link address, so we connect from
 * there) and its AS number.
 *
 * <p>Threading: immutable.
 */
public record BgpNeighborConfig(String address, Long remoteAsn) {
}
