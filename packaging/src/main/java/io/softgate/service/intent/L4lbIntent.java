package io.softgate.service.intent;

import java.util.List;

/**
 * An L4 load-balancer service: a VIP and port spread over backends, with its health check.
 *
 * <p>Threading: immutable.
 */
public record L4lbIntent(int id, String name, String protocol, String ip, int port, String status,
                         List<LbBackendIntent> backends, String healthCheck, Integer timeOut, String requestPath,
                         int vpcId) {
    public L4lbIntent {
        backends = List.copyOf(backends);
    }
}
