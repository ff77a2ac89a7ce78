package io.softgate.lb.model;

import java.util.List;

/**
 * One L4 load-balancing rule in the controller's L4LB shape: a public VIP and port spread over
 * backends inside one VPC. {@code fullNatSourceAddress} (null for none) turns on full NAT: the
 * client's source is replaced by that softgate address, for backends that do not route their
 * replies through the softgate. {@code enabled} mirrors the controller's {@code status}. The VIP
 * and full-NAT address are stored canonicalised ({@link Ipv4Text#canonical}), so one VIP written
 * two ways is one VIP everywhere (availability is tracked and advertised per address text).
 *
 * <p>Threading: immutable value.
 */
public record LoadBalancerService(String name, LbProtocol protocol, String vip, int port, List<Backend> backends,
                                  HealthCheck healthCheck, String vpc, String fullNatSourceAddress, boolean enabled) {
    public LoadBalancerService {
        backends = backends == null ? null : List.copyOf(backends);
        vip = Ipv4Text.canonical(vip);
        fullNatSourceAddress = Ipv4Text.canonical(fullNatSourceAddress);
    }

    /** An enabled, destination-NAT-only service. */
    public static LoadBalancerService of(String name, LbProtocol protocol, String vip, int port, List<Backend> backends,
                                         HealthCheck healthCheck, String vpc) {
        return new LoadBalancerService(name, protocol, vip, port, backends, healthCheck, vpc, null, true);
    }

    public boolean fullNat() {
        return fullNatSourceAddress != null;
    }

    public LoadBalancerService withBackends(List<Backend> newBackends) {
        return new LoadBalancerService(name, protocol, vip, port, newBackends, healthCheck, vpc, fullNatSourceAddress, enabled);
    }
}
