package io.softgate.lb.model;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The whole load-balancer intent: every service plus the node-wide settings (Maglev table size,
 * idle timeouts of tracked connections). The REST layer fills it from the controller's L4LB list.
 *
 * <p>Threading: immutable value.
 */
public record LoadBalancerConfig(List<LoadBalancerService> services, int maglevTableSize,
                                 long tcpIdleTimeoutNs, long udpIdleTimeoutNs) {
    /** RFC 5382 REQ-5's established-TCP minimum (2 h 4 min), so an idle keep-alive connection survives. */
    public static final long DEFAULT_TCP_IDLE_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(124);
    /** RFC 4787 REQ-5 recommends at least 5 minutes for UDP. */
    public static final long DEFAULT_UDP_IDLE_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(5);
    public static final int DEFAULT_MAGLEV_TABLE_SIZE = 65_537;

    public LoadBalancerConfig {
        services = services == null ? null : List.copyOf(services);
    }

    public static LoadBalancerConfig of(List<LoadBalancerService> services) {
        return new LoadBalancerConfig(services, DEFAULT_MAGLEV_TABLE_SIZE, DEFAULT_TCP_IDLE_TIMEOUT_NS,
            DEFAULT_UDP_IDLE_TIMEOUT_NS);
    }

    public static LoadBalancerConfig empty() {
        return of(List.of());
    }

    public LoadBalancerConfig withMaglevTableSize(int size) {
        return new LoadBalancerConfig(services, size, tcpIdleTimeoutNs, udpIdleTimeoutNs);
    }

    public LoadBalancerConfig withServices(List<LoadBalancerService> newServices) {
        return new LoadBalancerConfig(newServices, maglevTableSize, tcpIdleTimeoutNs, udpIdleTimeoutNs);
    }
}
