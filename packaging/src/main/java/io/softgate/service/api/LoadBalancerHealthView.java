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
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.CompiledIntent;
import io.softgate.service.intent.LoadBalancerIntentAdapter;
import io.softgate.service.intent.VrfNumbering;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The answer of {@code GET /api/softgate/lb-health}: every service the LB controller runs (the
 * file's and the API's) and, per backend, the health checker's own view: {@code healthy} /
 * {@code unhealthy} (its rise/fall verdict, with the consecutive successes and failures behind
 * it and the last probe's result and time), {@code maintenance} (draining by the operator),
 * {@code disabled} (the service is off) or {@code assumed-up} (the service has no check). Each
 * service carries {@code active} and {@code inactiveReason} as {@code /api/v2/l4lb} reports them;
 * the controller's services of a VPC without a VRF (no vNet, and not named as a VRF of the
 * configuration file: {@link VrfNumbering#activeVrfs}), which the load balancer does not run, are
 * listed too ({@code active: false}, every backend {@code inactive}: not probed), so the one place
 * an operator looks for a service that does nothing says why.
 *
 * <p>Threading: API thread; the controller and the checker synchronise their own state.
 */
final class LoadBalancerHealthView {
    /** The health of a backend of a service not in the data plane: the checker does not probe it. */
    static final String INACTIVE = "inactive";

    private LoadBalancerHealthView() {
    }

    /**
     * The services {@code controller} runs, then those of {@code intent} it does not run because
     * their VPC has no VRF ({@code file}: the node's configuration file).
     */
    static ArrayNode of(LoadBalancerController controller, CompiledIntent intent, SoftgateConfig file) {
        ArrayNode list = Envelope.array();
        LoadBalancerConfig config = controller == null ? null : controller.config();
        Set<String> running = new HashSet<>();
        if (config != null) {
            HealthChecker checker = controller.healthChecker();
            for (LoadBalancerService service : config.services()) {
                running.add(service.name());
                item(list, service, true, checker);
            }
        }
        Set<String> active = VrfNumbering.activeVrfs(file, intent);
        for (CompiledIntent.LbService service : intent.lbServices()) {
            // The name check only matters while a change is in flight (controller and store one commit apart).
            if (!active.contains(service.vrf()) && !running.contains(service.name())) {
                item(list, LoadBalancerIntentAdapter.model(service), false, null);
            }
        }
        return list;
    }

    /** One service; {@code checker} null for a service not in the data plane. */
    private static void item(ArrayNode list, LoadBalancerService service, boolean vpcHasVrf, HealthChecker checker) {
        ObjectNode item = list.addObject();
        item.put("name", service.name());
        item.put("vpc", service.vpc());
        item.put("vip", service.vip());
        item.put("port", service.port());
        item.put("protocol", service.protocol().name().toLowerCase(Locale.ROOT));
        item.put("enabled", service.enabled());
        NetrisServiceResources.activity(item, vpcHasVrf, service.enabled());
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
            if (checker == null) {
                node.put("health", INACTIVE);
                continue;
            }
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
