package io.softgate.service.intent;

/**
 * A NAT rule in the controller's terms: {@code action} SNAT, DNAT, MASQUERADE or ACCEPT_SNAT;
 * addresses are prefixes, ports are strings ("80", "1-65535") except {@code dnatToPort}.
 *
 * <p>Threading: immutable.
 */
public record NatIntent(int id, String name, String action, String protocol, String sourceAddress,
                        String sourcePort, String destinationAddress, String destinationPort, String snatToIp,
                        String snatToPool, String dnatToIp, Integer dnatToPort, String state, int vpcId) {
}
