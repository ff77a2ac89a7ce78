package io.softgate.nat.config;

/**
 * What the NAT must know about one VPC: its name, the compiled VRF index its traffic arrives in,
 * and its masquerade address (the public address MASQUERADE rules use; null when it has none).
 *
 * <p>Threading: immutable value.
 */
public record VpcBinding(String name, int vrf, String masqueradeAddress) {
}
