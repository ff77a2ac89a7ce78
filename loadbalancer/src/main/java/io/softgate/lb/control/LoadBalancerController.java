package io.softgate.lb.control;

import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.LoadBalancerConfigException;
import io.softgate.lb.compile.MaglevBuildPool;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.ValidationError;
import io.softgate.lb.compile.VrfResolver;
import io.softgate.lb.health.HealthChecker;
import io.softgate.lb.health.ProbeTransport;
import io.softgate.lb.health.VipAvailabilityListener;
import io.softgate.lb.health.VipAvailabilityTracker;
import io.softgate.lb.model.BackendKey;
import io.softgate.lb.model.LoadBalancerConfig;
import java.util.List;
import java.util.function.Consumer;

/**
 * The load balancer's control plane in one place: it holds the applied intent, compiles it with
 * the health checker's view of the backends, hands every new {@link LoadBalancerTables} to the
 * publisher (the service puts it into the next {@code ConfigSnapshot} under
 * {@link LoadBalancerTables#SLOT}), and tells the {@link VipAvailabilityListener} which VIPs to
 * advertise. A backend health flip recompiles and republishes on its own.
 *
 * <p>It owns the compiler's {@link MaglevBuildPool} (threads {@code softgate-maglev-build-N}) and
 * closes it with itself.
 *
 * <p>Threading: all methods are synchronized; the health checker calls in from its probe threads.
 */
public final class LoadBalancerController implements AutoCloseable {
    /** Thread name prefix of the Maglev build pool. */
    public static final String MAGLEV_BUILD_THREAD_NAME = "softgate-maglev-build";

    private final MaglevBuildPool maglevBuilders;
    private final LoadBalancerCompiler compiler;
    private final HealthChecker healthChecker;
    private final Consumer<LoadBalancerTables> publisher;
    private final VipAvailabilityTracker vips;
    private LoadBalancerConfig config = LoadBalancerConfig.empty();
    private LoadBalancerTables current;
    /** Set by {@link #close}: a health flip still in flight then recompiles nothing. */
    private boolean closed;

    /**
     * @param vrfs        VPC name -> VRF index, and the public VRF
     * @param transport   how health probes reach backends inside VPCs
     * @param publisher   publishes compiled tables (called with this controller's lock held)
     * @param vipListener told when a VIP gains its first or loses its last usable backend
     * @param probeThreads threads the health checker probes with
     * @param maglevBuildParallelism how many Maglev tables a compile builds at once (1: all on the
     *                    compiling thread; see {@link MaglevBuildPool#defaultParallelism})
     */
    public LoadBalancerController(VrfResolver vrfs, ProbeTransport transport, Consumer<LoadBalancerTables> publisher,
                                  VipAvailabilityListener vipListener, int probeThreads, int maglevBuildParallelism) {
        this.maglevBuilders = MaglevBuildPool.create(MAGLEV_BUILD_THREAD_NAME, maglevBuildParallelism);
        this.compiler = new LoadBalancerCompiler(vrfs, maglevBuilders);
        this.publisher = publisher;
        this.vips = new VipAvailabilityTracker(vipListener);
        this.healthChecker = new HealthChecker(transport, this::healthChanged, probeThreads);
    }

    /** Errors in {@code candidate} without applying it (for a REST dry run / 4xx answer). */
    public List<ValidationError> validate(LoadBalancerConfig candidate) {
        return compiler.validate(candidate);
    }

    /**
     * Applies {@code next} atomically: validates and compiles it (with the backend health the probed
     * set will have once it follows {@code next}) and only then updates the probed set, stores the
     * config and publishes. If validation or compilation fails, nothing changes: the health checker
     * keeps probing the previous backends, and the previous config and tables stay applied and
     * published, so later health flips still recompile a config that compiles.
     *
     * @throws LoadBalancerConfigException naming every bad field; the applied config stays as it was
     * @throws RuntimeException when compiling fails unexpectedly; the applied config stays as it was
     */
    public synchronized LoadBalancerTables apply(LoadBalancerConfig next) throws LoadBalancerConfigException {
        List<ValidationError> errors = compiler.validate(next);
        if (!errors.isEmpty()) {
            throw new LoadBalancerConfigException(errors);
        }
        LoadBalancerTables tables = compiler.compile(next, healthChecker.healthAfterUpdate(next));
        // Health flips run recompile() under this lock, so none can slip in between the compile
        // above and the update below; a flip recorded meanwhile recompiles {@code next} after us.
        healthChecker.update(next);
        config = next;
        publish(tables);
        return tables;
    }

    /** Starts the periodic health checks. */
    public void start() {
        healthChecker.start();
    }

    public synchronized LoadBalancerConfig config() {
        return config;
    }

    /** The last published tables, or null before the first {@link #apply}. */
    public synchronized LoadBalancerTables current() {
        return current;
    }

    /**
     * Tells {@code listener} about every VIP available now, under this controller's lock so that no
     * health flip interleaves: how a listener plugged in after the first apply (the EVPN speaker
     * starts after the feature tables) catches up. Flips before the call must already reach it.
     */
    public synchronized void announceAvailableVips(VipAvailabilityListener listener) {
        for (String vip : new java.util.TreeSet<>(vips.advertised())) {
            listener.vipAvailable(vip);
        }
    }

    public HealthChecker healthChecker() {
        return healthChecker;
    }

    private synchronized void healthChanged(BackendKey backend, boolean healthy) {
        if (closed) {
            return;
        }
        try {
            recompile();
        } catch (LoadBalancerConfigException e) {
            // The applied config was validated when it was applied; a failure here is a bug.
            throw new IllegalStateException("recompiling an applied config failed: " + e.getMessage(), e);
        }
    }

    private void recompile() throws LoadBalancerConfigException {
        publish(compiler.compile(config, healthChecker));
    }

    private void publish(LoadBalancerTables tables) {
        current = tables;
        publisher.accept(tables);
        vips.update(tables);
    }

    @Override
    public void close() {
        healthChecker.close();
        // After the health checker: its last flip may still recompile until it has stopped.
        synchronized (this) {
            closed = true;
            maglevBuilders.close();
        }
    }
}
