package io.softgate.lb.health;

import io.softgate.lb.model.HealthCheck;
import java.net.InetSocketAddress;

/**
 * One kind of health probe (TCP connect, HTTP GET): true when the backend answered healthily
 * within the check's timeout.
 *
 * <p>Threading: implementations are stateless and called from several probe threads at once.
 */
@FunctionalInterface
public interface HealthProbe {
    boolean probe(ProbeTransport transport, String vpc, InetSocketAddress target, HealthCheck check);
}
