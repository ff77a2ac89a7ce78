package io.softgate.service.compose;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.LoadBalancerConfigException;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.ValidationError;
import io.softgate.lb.compile.VrfResolver;
import io.softgate.lb.control.LoadBalancerController;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.service.config.ConfigError;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.features.FileFeatureModels;
import io.softgate.service.features.ServiceFeatures;
import io.softgate.service.intent.AclIntentAdapter;
import io.softgate.service.intent.CompiledIntent;
import io.softgate.service.intent.FileInputs;
import io.softgate.service.intent.ForwardingIntentAdapter;
import io.softgate.service.intent.IntentCompiler;
import io.softgate.service.intent.IntentError;
import io.softgate.service.intent.IntentModuleAdapter;
import io.softgate.service.intent.IntentRejectedException;
import io.softgate.service.intent.IntentStore;
import io.softgate.service.intent.LoadBalancerIntentAdapter;
import io.softgate.service.intent.LoadBalancerStaging;
import io.softgate.service.intent.NatIntentAdapter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of what the data plane's snapshot holds: the configuration file (VRFs, static
 * routes, feature sections), merged with the controller's intent (VPCs, their routes, NAT, LB,
 * ACL), plus the routes BGP EVPN learned. Every input change comes here: an API apply
 * ({@link #commit}, the intent store's sink), a learned-route change
 * ({@link #learnedRoutesChanged}), a SIGHUP reload ({@link #recompose}) and a load-balancer health
 * flip ({@link #publishLoadBalancer}); each publishes a snapshot that keeps the other inputs'
 * current contribution, whichever comes last. Precedence (packaging/README.md, "What the data
 * plane holds"): the file and the API add up; a name the file already uses (a VRF, a NAT rule,
 * an LB service, an ACL rule in the same VPC) is refused to the API with a 400 naming the field;
 * a static route (file or API) wins over a learned one for the same VRF and prefix.
 *
 * <p>Threading: any control thread. Lock order, never reversed: intent store monitor (API applies
 * and reloads) -> {@code commitLock} -> LB controller -> snapshot publisher monitor; the
 * {@link #onIntentCommitted} hook runs under {@code commitLock} after the publish, outside the
 * controller and publisher (the EVPN advertisements' monitor comes after both). Learned
 * routes and health flips take only the publisher monitor (flips after the controller's).
 */
public final class SnapshotComposer implements FileInputs, LoadBalancerStaging, ServiceFeatures.Recomposer {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotComposer.class);
    /** The intent of a node without the API: no VPC, no rule. */
    public static final CompiledIntent NO_INTENT = new CompiledIntent(0, List.of(), List.of(), List.of(), List.of(), List.of());

    private final SnapshotPublisher publisher;
    private final ServiceFeatures features;
    private final List<IntentModuleAdapter> adapters;
    private final Object commitLock = new Object();
    private volatile SoftgateConfig file;
    private volatile FileFeatureModels models;
    private volatile IntentStore store;
    private volatile Runnable vrfsChanged = () -> { };
    private volatile Consumer<CompiledIntent> intentCommitted = committed -> { };
    // Guarded by the publisher's monitor.
    private volatile List<RouteIntent> learned = List.of();
    private long learnedVersion;
    private volatile CompiledIntent intent = NO_INTENT;
    private boolean committing;
    private LoadBalancerTables lbStash;
    // The snapshot being built (one at a time: the store's monitor or commitLock serialises builds).
    private volatile Pending pending;

    // The load-balancer configuration the last build validated without error, with its VRF numbering.
    private volatile StagedLoadBalancer lastValidLoadBalancer;

    private record StagedLoadBalancer(LoadBalancerConfig config, Map<String, Integer> vrfs, int publicVrf) {
    }

    private record Pending(ConfigSnapshot.Builder builder, CompiledIntent intent, long learnedVersion,
                           LoadBalancerConfig loadBalancer, Map<String, Integer> vrfs, int publicVrf) {
    }

    /**
     * Composes over {@code features} (their stages are in every worker's pipeline) and the file;
     * the file's feature sections must compile ({@link ConfigException} naming the file's paths).
     */
    public SnapshotComposer(SnapshotPublisher publisher, SoftgateConfig file, ServiceFeatures features)
        throws ConfigException {
        this.publisher = publisher;
        this.features = features;
        this.file = file;
        List<ConfigError> errors = new ArrayList<>();
        this.models = features.fileModels(file, -1, errors);
        if (!errors.isEmpty()) {
            throw new ConfigException("(feature compilers)", errors);
        }
        this.adapters = List.of(new PendingRecorder(), new AclIntentAdapter(this), new LoadBalancerIntentAdapter(this, this),
            new NatIntentAdapter(this, features.nat()::compile), new ForwardingIntentAdapter(this));
        features.recomposer(this);
    }

    /** The adapters every snapshot is built with (the API's intent compiler uses the same). */
    public List<IntentModuleAdapter> adapters() {
        return adapters;
    }

    /** An intent compiler whose snapshots this composer {@link #commit commits}. */
    public IntentCompiler intentCompiler() {
        return new IntentCompiler(ConfigSnapshot::builder, adapters);
    }

    /** The API's intent store, once it runs: reloads then recompile its current intent under its monitor. */
    public void attach(IntentStore intentStore) {
        this.store = intentStore;
    }

    /** Called after a commit that changed the set of VRFs (the EVPN service re-filters its learned routes). */
    public void onVrfsChanged(Runnable hook) {
        this.vrfsChanged = hook;
    }

    /**
     * Installs {@code hook} (null: none) and tells it at once, under the commit lock, the intent
     * committed now; from then on it is called after every published commit (API apply, SIGHUP)
     * with the intent the data plane now holds, in commit order, under the same lock, so no commit
     * is missed or seen out of order (the EVPN service re-plans the public addresses it advertises).
     * The hook must not block and must not call back into this composer's commit path.
     */
    public void onIntentCommitted(Consumer<CompiledIntent> hook) {
        synchronized (commitLock) {
            this.intentCommitted = hook == null ? committed -> { } : hook;
            intentCommitted.accept(intent);
        }
    }

    /** Builds and publishes the snapshot of the file, no intent and the learned routes (start-up without the API). */
    public ConfigSnapshot publishFileOnly() throws IntentRejectedException {
        synchronized (commitLock) {
            return commit(compile(NO_INTENT));
        }
    }

    /** Builds (does not publish) the snapshot of {@code compiled} with the current file and learned routes. */
    ConfigSnapshot.Builder compile(CompiledIntent compiled) throws IntentRejectedException {
        ConfigSnapshot.Builder builder = ConfigSnapshot.builder();
        if (compiled != NO_INTENT) {
            builder.with(CompiledIntent.SLOT, compiled);
        }
        List<IntentError> errors = new ArrayList<>();
        for (IntentModuleAdapter adapter : adapters) {
            errors.addAll(adapter.contribute(compiled, builder));
        }
        if (!errors.isEmpty()) {
            throw new IntentRejectedException(400, errors);
        }
        return builder;
    }

    /**
     * Publishes {@code builder}, which must be the snapshot built last through {@link #adapters()}:
     * applies its load-balancer configuration to the controller, takes the tables of a health flip
     * that raced with it, and recompiles the forwarding tables if the learned routes changed since
     * the build. The intent store's sink: it throws only when nothing was published (the store
     * then keeps its previous intent); the listeners' failures after the publish are logged.
     */
    public ConfigSnapshot commit(ConfigSnapshot.Builder builder) {
        synchronized (commitLock) {
            Pending built = pending;
            if (built == null || built.builder() != builder) {
                throw new IllegalStateException("a snapshot not built by this composer's adapters");
            }
            pending = null;
            Map<String, Integer> vpcs = new LinkedHashMap<>(built.vrfs());
            String publicName = file.node().publicVrf();
            if (publicName != null) {
                vpcs.remove(publicName);
            }
            features.vrfNumbering(built.publicVrf(), vpcs);
            LoadBalancerController controller = features.loadBalancer();
            synchronized (publisher) {
                committing = true;
                lbStash = null;
            }
            LoadBalancerTables lbTables;
            try {
                lbTables = Objects.equals(controller.config(), built.loadBalancer()) && controller.current() != null
                    ? controller.current() : controller.apply(built.loadBalancer());
            } catch (LoadBalancerConfigException e) {
                synchronized (publisher) {
                    committing = false;
                }
                // Staged configurations were validated against the same numbering.
                throw new IllegalStateException("a validated load-balancer configuration failed: " + e.getMessage(), e);
            }
            Map<String, Integer> before = vrfNames(publisher.current());
            ConfigSnapshot published;
            synchronized (publisher) {
                committing = false;
                builder.with(LoadBalancerTables.SLOT, lbStash != null ? lbStash : lbTables);
                if (built.learnedVersion() != learnedVersion) {
                    try {
                        builder.with(ForwardingTables.SLOT, ForwardingIntentAdapter.compile(file, built.intent(), learned));
                    } catch (IntentRejectedException e) {
                        // Keep the tables built with the earlier learned routes; the next BGP change retries.
                    }
                }
                intent = built.intent();
                published = publisher.publish(builder);
            }
            if (!before.equals(vrfNames(published))) {
                try {
                    vrfsChanged.run();
                } catch (RuntimeException e) {
                    // The snapshot is published: a throw from here would tell the intent store that
                    // nothing was (it would put the previous intent back under the new tables).
                    LOG.error("VRF change listener failed after the snapshot was published (learned routes may miss the new VRFs until BGP changes)", e);
                }
            }
            try {
                intentCommitted.accept(built.intent());
            } catch (RuntimeException e) {
                // The snapshot is published: a failing listener must not turn the commit into an error.
                LOG.warn("intent commit listener failed: {}", e.toString());
            }
            return published;
        }
    }

    private static Map<String, Integer> vrfNames(ConfigSnapshot snapshot) {
        Map<String, Integer> names = new LinkedHashMap<>();
        ForwardingTables tables = snapshot.get(ForwardingTables.SLOT);
        if (tables != null) {
            for (int vrf = 0; vrf < tables.vrfCount(); vrf++) {
                if (tables.vrfName(vrf) != null) {
                    names.put(tables.vrfName(vrf), vrf);
                }
            }
        }
        return names;
    }

    /**
     * The routes BGP EVPN learned changed: the forwarding tables of the file, the committed intent
     * and {@code usable} replace the current ones; every other table stays. Throws (nothing
     * published) when the forwarding compiler refuses them.
     */
    public void learnedRoutesChanged(List<RouteIntent> usable) throws IntentRejectedException {
        synchronized (publisher) {
            ForwardingTables tables = ForwardingIntentAdapter.compile(file, intent, usable);
            learned = List.copyOf(usable);
            learnedVersion++;
            publisher.replace(ForwardingTables.SLOT, tables);
        }
    }

    /** The static part of the forwarding intent (file and committed intent), which learned routes are checked against. */
    public ForwardingIntent staticForwardingIntent() {
        try {
            return ForwardingIntentAdapter.intent(file, intent, List.of());
        } catch (IntentRejectedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A health flip's LB tables (the controller's lock held): into the next snapshot, or into the commit in flight. */
    @Override
    public void publishLoadBalancer(LoadBalancerTables tables) {
        synchronized (publisher) {
            if (committing) {
                lbStash = tables;
            } else {
                publisher.replace(LoadBalancerTables.SLOT, tables);
            }
        }
    }

    /** SIGHUP: the file's feature sections changed; recompiles them with the current intent and learned routes. */
    @Override
    public List<ConfigError> recompose(SoftgateConfig next, FileFeatureModels nextModels) {
        IntentStore intentStore = store;
        Object monitor = intentStore != null ? intentStore : commitLock;
        synchronized (monitor) {
            SoftgateConfig previousFile = file;
            FileFeatureModels previousModels = models;
            file = next;
            models = nextModels;
            try {
                if (intentStore != null) {
                    intentStore.recompile();
                } else {
                    commit(compile(intent));
                }
                return List.of();
            } catch (IntentRejectedException e) {
                file = previousFile;
                models = previousModels;
                List<ConfigError> errors = new ArrayList<>();
                for (IntentError error : e.errors()) {
                    errors.add(new ConfigError(error.field(), error.reason()
                        + " (with the controller's intent: the file may not take a name the API uses)"));
                }
                return errors;
            }
        }
    }

    // ---------------------------------------------------------------- FileInputs

    @Override
    public SoftgateConfig config() {
        return file;
    }

    @Override
    public FileFeatureModels features() {
        return models;
    }

    @Override
    public List<RouteIntent> learnedRoutes() {
        return learned;
    }

    // ---------------------------------------------------------------- LoadBalancerStaging

    @Override
    public List<ValidationError> stage(ConfigSnapshot.Builder builder, LoadBalancerConfig config, Map<String, Integer> vrfs,
                                       int publicVrf) {
        Map<String, Integer> numbering = Map.copyOf(vrfs);
        StagedLoadBalancer valid = lastValidLoadBalancer;
        List<ValidationError> errors = valid != null && valid.publicVrf() == publicVrf && valid.vrfs().equals(numbering)
            && valid.config().equals(config) ? List.of() : validate(config, numbering, publicVrf);
        if (errors.isEmpty()) {
            // A change elsewhere (a NAT rule) does not validate 1,000 unchanged services again.
            lastValidLoadBalancer = new StagedLoadBalancer(config, numbering, publicVrf);
        }
        Pending recorded = pending;
        if (errors.isEmpty() && recorded != null && recorded.builder() == builder) {
            pending = new Pending(builder, recorded.intent(), recorded.learnedVersion(), config, numbering, publicVrf);
        }
        return errors;
    }

    private static List<ValidationError> validate(LoadBalancerConfig config, Map<String, Integer> numbering, int publicVrf) {
        LoadBalancerCompiler validator = new LoadBalancerCompiler(VrfResolver.of(numbering, publicVrf));
        return validator.validate(config);
    }

    /** First adapter of every build: remembers which intent (and learned routes) the builder holds. */
    private final class PendingRecorder implements IntentModuleAdapter {
        @Override
        public String module() {
            return "composer";
        }

        @Override
        public boolean wired() {
            return true;
        }

        @Override
        public List<IntentError> contribute(CompiledIntent compiled, ConfigSnapshot.Builder builder) {
            long version;
            synchronized (publisher) {
                version = learnedVersion;
            }
            pending = new Pending(builder, compiled, version, io.softgate.lb.model.LoadBalancerConfig.empty(), Map.of(), -1);
            return List.of();
        }
    }
}
