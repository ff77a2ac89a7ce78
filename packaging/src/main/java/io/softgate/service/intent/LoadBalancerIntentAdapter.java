package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.LoadBalancerConfigException;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.ValidationError;
import io.softgate.lb.compile.VrfResolver;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import io.softgate.service.config.SoftgateConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Feeds the loadbalancer module's compiler (Maglev tables) from the controller's L4LB services
 * and publishes its {@link LoadBalancerTables} in {@link LoadBalancerTables#SLOT}. VIPs live in
 * the node's public VRF; backends in their VPC's VRF (see {@link VrfNumbering}); a service of a
 * VPC without a VRF (no vNet, not named as a file VRF) stays stored until the VPC has one (the API
 * lists it inactive by the same test, {@link VrfNumbering#NO_VNET}). Health: {@code None} and, until a health
 * checker is attached ({@link #health}), every backend counts as up. The compiler instance lives
 * as long as the adapter so backend ids stay stable across snapshots; it builds its Maglev tables
 * on the calling thread (with {@code staging}, the service's LB controller compiles instead, on its
 * own build threads).
 *
 * <p>Threading: called by the thread applying a change, one at a time.
 */
public final class LoadBalancerIntentAdapter implements IntentModuleAdapter {
    private final FileInputs inputs;
    private final LoadBalancerStaging staging;
    private final SoftgateConfig config;
    private final LoadBalancerCompiler compiler;
    private volatile BackendHealth health = key -> true;
    private Map<String, Integer> vrfs = Map.of();

    public LoadBalancerIntentAdapter(SoftgateConfig config) {
        this(config == null ? null : FileInputs.of(config), null);
    }

    /**
     * An adapter that merges the file's {@code loadBalancer} services with the controller's (a
     * service name used by both is refused) and, with {@code staging}, hands the merged
     * configuration to the service's LB controller instead of compiling it itself.
     */
    public LoadBalancerIntentAdapter(FileInputs inputs, LoadBalancerStaging staging) {
        this.inputs = inputs;
        this.staging = staging;
        this.config = inputs == null ? null : inputs.config();
        this.compiler = new LoadBalancerCompiler(new VrfResolver() {
            @Override
            public int publicVrf() {
                Integer vrf = config == null ? null : vrfs.get(config.node().publicVrf());
                return vrf == null ? UNKNOWN : vrf;
            }

            @Override
            public int vrfOfVpc(String vpc) {
                Integer vrf = vrfs.get(vpc);
                return vrf == null ? UNKNOWN : vrf;
            }
        });
    }

    /** Where backend health comes from once the health checker runs. */
    public void health(BackendHealth source) {
        this.health = source;
    }

    @Override
    public String module() {
        return "loadbalancer";
    }

    @Override
    public boolean wired() {
        return config != null;
    }

    @Override
    public List<IntentError> contribute(CompiledIntent intent, ConfigSnapshot.Builder snapshot) {
        if (config == null) {
            return List.of();
        }
        LoadBalancerConfig file = inputs.features().loadBalancer();
        if (intent.lbServices().isEmpty() && file == null && staging == null) {
            return List.of();
        }
        vrfs = VrfNumbering.of(config, intent);
        String publicVrf = config.node().publicVrf();
        boolean noPublicVrf = publicVrf == null || !vrfs.containsKey(publicVrf);
        List<LoadBalancerService> services = new ArrayList<>();
        java.util.Set<String> fileServices = new java.util.HashSet<>();
        if (file != null) {
            for (LoadBalancerService service : file.services()) {
                services.add(service);
                fileServices.add(service.name());
            }
        }
        for (CompiledIntent.LbService service : intent.lbServices()) {
            if (!vrfs.containsKey(service.vrf())) {
                continue; // VPC without a VRF: stored, listed inactive by the API (VrfNumbering.activeVrfs, NO_VNET)
            }
            if (fileServices.contains(service.name())) {
                return List.of(new IntentError("l4lb[" + service.name() + "].name",
                    "is a service of the configuration file's loadBalancer section"));
            }
            services.add(model(service));
        }
        if (noPublicVrf && !services.isEmpty()) {
            return List.of(new IntentError("node.publicVrf", "load balancers need the node's public VRF (set node.publicVrf in the configuration file)"));
        }
        LoadBalancerConfig merged = file == null ? LoadBalancerConfig.of(services) : file.withServices(services);
        if (staging != null) {
            List<IntentError> errors = new ArrayList<>();
            for (ValidationError error : staging.stage(snapshot, merged, vrfs, noPublicVrf ? -1 : vrfs.get(publicVrf))) {
                errors.add(new IntentError("loadbalancer." + error.field(), error.message()));
            }
            return errors;
        }
        if (services.isEmpty()) {
            return List.of();
        }
        try {
            snapshot.with(LoadBalancerTables.SLOT, compiler.compile(merged, health));
            return List.of();
        } catch (LoadBalancerConfigException e) {
            List<IntentError> errors = new ArrayList<>();
            for (ValidationError error : e.errors()) {
                errors.add(new IntentError("loadbalancer." + error.field(), error.message()));
            }
            return errors;
        } catch (IllegalArgumentException | IllegalStateException e) {
            return List.of(new IntentError("loadbalancer", String.valueOf(e.getMessage())));
        }
    }

    /** The load balancer's model of the controller's {@code service} (VIP, backends, health check, VPC, state). */
    public static LoadBalancerService model(CompiledIntent.LbService service) {
        List<Backend> backends = new ArrayList<>();
        for (CompiledIntent.Backend backend : service.backends()) {
            backends.add(Backend.of(host(backend.address()), backend.port()));
        }
        return new LoadBalancerService(service.name(), service.protocol() == 17 ? LbProtocol.UDP : LbProtocol.TCP,
            host(service.vip()), service.port(), backends, healthCheck(service), service.vrf(), null, service.enabled());
    }

    private static HealthCheck healthCheck(CompiledIntent.LbService service) {
        int timeoutMs = service.timeoutSeconds() * 1000;
        return switch (service.healthCheck()) {
            case "TCP" -> HealthCheck.tcp(timeoutMs, HealthCheck.DEFAULT_INTERVAL_MS, HealthCheck.DEFAULT_RISE, HealthCheck.DEFAULT_FALL);
            case "HTTP" -> HealthCheck.http(service.requestPath() == null ? "/" : service.requestPath(), timeoutMs,
                HealthCheck.DEFAULT_INTERVAL_MS, HealthCheck.DEFAULT_RISE, HealthCheck.DEFAULT_FALL);
            default -> HealthCheck.NONE;
        };
    }

    private static String host(IpPrefix prefix) {
        String text = prefix.toString();
        return text.substring(0, text.indexOf('/'));
    }
}
