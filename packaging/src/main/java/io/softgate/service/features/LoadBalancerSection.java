package io.softgate.service.features;

import io.softgate.lb.compile.MaglevBuildPool;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code loadBalancer} section: the L4 services (controller's L4LB shape), the Maglev table
 * size, the connection-table capacity, the number of health-probe threads and how many Maglev
 * tables a compile builds at once ({@code maglevBuildThreads}, the compiling thread included;
 * default half the cores, at least one). Its presence puts
 * the {@code lb-vip} and {@code lb-reply} stages into the pipeline and starts the health checker.
 *
 * <p>Threading: immutable.
 */
public record LoadBalancerSection(
    List<LbServiceSection> services,
    Integer maglevTableSize,
    Integer maxConnections,
    Integer probeThreads,
    Integer maglevBuildThreads) {

    public static final int DEFAULT_MAX_CONNECTIONS = 1 << 20;
    public static final int DEFAULT_PROBE_THREADS = 2;

    public LoadBalancerSection {
        services = services == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(services));
        maxConnections = maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections;
        probeThreads = probeThreads == null ? DEFAULT_PROBE_THREADS : probeThreads;
        maglevBuildThreads = maglevBuildThreads == null ? MaglevBuildPool.defaultParallelism() : maglevBuildThreads;
    }

    /**
     * One service: {@code name}, {@code protocol} ({@code tcp|udp}), {@code vip} and {@code port}
     * (public), {@code backends}, {@code healthCheck} (absent = none), the backends' {@code vpc},
     * optional {@code fullNatSourceAddress}, {@code enabled} (default true).
     *
     * <p>Threading: immutable.
     */
    public record LbServiceSection(String name, String protocol, String vip, Integer port, List<LbBackendSection> backends,
                                   LbHealthCheckSection healthCheck, String vpc, String fullNatSourceAddress,
                                   Boolean enabled) {
        public LbServiceSection {
            backends = backends == null ? null : Collections.unmodifiableList(new ArrayList<>(backends));
        }
    }

    /**
     * A backend VM: {@code address}, {@code port}, {@code weight} (default 1), {@code state}
     * ({@code enabled} default, or {@code maintenance}: drained).
     *
     * <p>Threading: immutable.
     */
    public record LbBackendSection(String address, Integer port, Integer weight, String state) {
    }

    /**
     * Health check: {@code type} ({@code none|tcp|http}), {@code timeoutMs}, {@code intervalMs},
     * {@code requestPath} (http), {@code rise}, {@code fall}; absent values take the module defaults.
     *
     * <p>Threading: immutable.
     */
    public record LbHealthCheckSection(String type, Integer timeoutMs, Integer intervalMs, String requestPath,
                                       Integer rise, Integer fall) {
    }
}
