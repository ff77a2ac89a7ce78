package io.softgate.service.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.lb.control.LoadBalancerController;
import io.softgate.lb.health.HealthChecker;
import io.softgate.lb.health.ProbeStatus;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.BackendAdminState;
import io.softgate.lb.model.BackendKey;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.HealthCheckType;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.time.Instant;
import java.util.Locale;

/**
 * The answer of {@code GET /api/softgate/lb-health}: every service the LB controller runs (the
 * file's and the API's) and, per backend, the health checker's own view: {@code healthy} /
 * {@code unhealthy} (its rise/fall verdict, with the consecutive successes and failures behind
 * it and the last probe's result and time), {@code maintenance} (draining by the operator),
 * {@code disabled} (the service is off) or {@code assumed-up} (the service has no check).
 *
 * <p>Threading: API thread; the controller and the checker synchronise their own state.
 */
final class LoadBalancerHealthView {
    private LoadBalancerHealthView() {
    }

    static ArrayNode of(LoadBalancerController controller) {
        ArrayNode list = Envelope.array();
        LoadBalancerConfig config = controller == null ? null : controller.config();
        if (config == null) {
            return list;
        }
        HealthChecker checker = controller.healthChecker();
        for (LoadBalancerService service : config.services()) {
            ObjectNode item = list.addObject();
            item.put("name", service.name());
            item.put("vpc", service.vpc());
            item.put("vip", service.vip());
            item.put("port", service.port());
            item.put("protocol", service.protocol().name().toLowerCase(Locale.ROOT));
            item.put("enabled", service.enabled());
            HealthCheck check = service.healthCheck();
            boolean checked = check != null && check.type() != HealthCheckType.NONE;
            ObjectNode checkNode = item.putObject("healthCheck");
            checkNode.put("type", checked ? check.type().name().toLowerCase(Locale.ROOT) : "none");
            if (checked) {
                checkNode.put("intervalMs", check.intervalMs()).put("timeoutMs", check.timeoutMs())
                    .put("rise", check.rise()).put("fall", check.fall());
                if (check.type() == HealthCheckType.HTTP) {
                    checkNode.put("requestPath", check.requestPath());
                }
            }
            ArrayNode backends = item.putArray("backends");
            for (Backend backend : service.backends()) {
                ObjectNode node = backends.addObject();
                node.put("ip", backend.address());
                node.put("port", backend.port());
                node.put("weight", backend.weight());
                ProbeStatus status = checker.status(new BackendKey(service.name(), backend.address(), backend.port()));
                node.put("health", health(service, backend, checked, status));
                if (status != null) {
                    node.put("consecutiveSuccesses", status.consecutiveSuccesses());
                    node.put("consecutiveFailures", status.consecutiveFailures());
                    node.put("probes", status.probes());
                    if (status.probes() > 0) {
                        node.put("lastProbe", status.lastSuccess() ? "success" : "failure");
                        node.put("lastProbeAt", Instant.ofEpochMilli(status.lastProbeEpochMs()).toString());
                    } else {
                        node.putNull("lastProbe");
                    }
                }
            }
        }
        return list;
    }

    private static String health(LoadBalancerService service, Backend backend, boolean checked, ProbeStatus status) {
        if (!service.enabled()) {
            return "disabled";
        }
        if (backend.state() == BackendAdminState.MAINTENANCE) {
            return "maintenance";
        }
        if (!checked) {
            return "assumed-up";
        }
        if (status == null) {
            return "unknown"; // checked but not (yet) in the checker's set: a config change in flight
        }
        return status.healthy() ? "healthy" : "unhealthy";
    }
}
