package io.softgate.lb.health;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.BackendKey;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.HealthCheckType;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Probes every backend of every service that has a TCP or HTTP health check, at the check's
 * interval, and tracks rise/fall. A flip is reported to the {@link BackendHealthListener} (the
 * load-balancer controller recompiles and publishes a new snapshot) and is visible through
 * {@link #isHealthy}, which the compiler reads. Backends of services without a check are healthy.
 *
 * <p>Probes run on a small pool of control-plane threads with blocking sockets bounded by the
 * check's timeout (never on a worker); a probe's path into the VPC is the {@link ProbeTransport}'s.
 *
 * <p>Threading: {@link #update}, {@link #start} and {@link #close} from the control thread;
 * {@link #isHealthy} from any thread; probes run on the checker's own threads.
 */
public final class HealthChecker implements BackendHealth, AutoCloseable {
    private final ProbeTransport transport;
    private final BackendHealthListener listener;
    private final ScheduledExecutorService scheduler;
    private static final System.Logger LOGGER = System.getLogger(HealthChecker.class.getName());

    private final Map<BackendKey, Target> targets = new HashMap<>();
    private final java.util.concurrent.atomic.AtomicLong listenerFailures = new java.util.concurrent.atomic.AtomicLong();
    private final HealthProbe tcpProbe = new TcpConnectProbe();
    private final HealthProbe httpProbe = new HttpGetProbe();
    private boolean started;

    /** A checker with {@code threads} probe threads (daemon threads named {@code lb-health-N}). */
    public HealthChecker(ProbeTransport transport, BackendHealthListener listener, int threads) {
        this.transport = transport;
        this.listener = listener;
        AtomicInteger counter = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, runnable -> {
            Thread thread = new Thread(runnable, "lb-health-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.scheduler = executor;
    }

    /**
     * Makes the probed set match {@code config}: new backends start healthy, known ones keep their
     * state (with the check's new thresholds), removed ones stop being probed.
     */
    public synchronized void update(LoadBalancerConfig config) {
        Map<BackendKey, Target> wanted = new HashMap<>();
        for (LoadBalancerService service : config.services()) {
            HealthCheck check = service.healthCheck();
            if (!service.enabled() || check == null || check.type() == HealthCheckType.NONE) {
                continue;
            }
            for (Backend backend : service.backends()) {
                BackendKey key = new BackendKey(service.name(), backend.address(), backend.port());
                Target target = targets.get(key);
                if (target == null || !target.check.equals(check) || !target.vpc.equals(service.vpc())) {
                    Target replacement = new Target(key, service.vpc(), socketAddress(backend), check,
                        target == null ? new RiseFallCounter(check.rise(), check.fall()) : target.counter);
                    replacement.counter.thresholds(check.rise(), check.fall());
                    if (target != null) {
                        target.cancel();
                    }
                    target = replacement;
                    if (started) {
                        schedule(target);
                    }
                }
                wanted.put(key, target);
            }
        }
        for (Map.Entry<BackendKey, Target> old : targets.entrySet()) {
            if (!wanted.containsKey(old.getKey())) {
                old.getValue().cancel();
            }
        }
        targets.clear();
        targets.putAll(wanted);
    }

    /**
     * The health {@link #isHealthy} will report once {@link #update}{@code (config)} has run,
     * without running it: backends {@code config} does not probe are healthy, probed ones keep
     * their current state and new ones start healthy. Lets the controller compile a config before
     * it commits the checker to it.
     */
    public BackendHealth healthAfterUpdate(LoadBalancerConfig config) {
        Set<BackendKey> probed = new HashSet<>();
        for (LoadBalancerService service : config.services()) {
            HealthCheck check = service.healthCheck();
            if (service.enabled() && check != null && check.type() != HealthCheckType.NONE) {
                for (Backend backend : service.backends()) {
                    probed.add(new BackendKey(service.name(), backend.address(), backend.port()));
                }
            }
        }
        return key -> !probed.contains(key) || isHealthy(key);
    }

    /** Starts periodic probing: each backend every interval, the first probe after one interval. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        for (Target target : targets.values()) {
            schedule(target);
        }
    }

    /** Probes every backend once, now, on the calling thread (for tools and tests; counts as one interval). */
    public void probeAllOnce() {
        List<Target> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(targets.values());
        }
        for (Target target : snapshot) {
            probe(target);
        }
    }

    @Override
    public synchronized boolean isHealthy(BackendKey key) {
        Target target = targets.get(key);
        return target == null || target.counter.healthy();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private void schedule(Target target) {
        long intervalMs = target.check.intervalMs();
        target.future = scheduler.scheduleWithFixedDelay(() -> probeGuarded(target), intervalMs, intervalMs,
            TimeUnit.MILLISECONDS);
    }

    /** A scheduled task that throws is never run again, so nothing may escape a periodic probe. */
    private void probeGuarded(Target target) {
        try {
            probe(target);
        } catch (RuntimeException e) {
            listenerFailures.incrementAndGet();
            LOGGER.log(System.Logger.Level.WARNING, "health change of " + target.key + " could not be applied", e);
        }
    }

    /** Times a health-change listener threw (the probe schedule carries on). */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    private void probe(Target target) {
        HealthProbe probe = target.check.type() == HealthCheckType.HTTP ? httpProbe : tcpProbe;
        boolean success = probe.probe(transport, target.vpc, target.address, target.check);
        boolean flipped;
        boolean healthy;
        synchronized (this) {
            if (target.cancelled) {
                return;
            }
            flipped = target.counter.record(success);
            healthy = target.counter.healthy();
            target.probes++;
            target.lastSuccess = success;
            target.lastProbeEpochMs = System.currentTimeMillis();
        }
        if (flipped) {
            listener.healthChanged(target.key, healthy);
        }
    }

    private static InetSocketAddress socketAddress(Backend backend) {
        int address = Ipv4Flyweight.parse(backend.address());
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), backend.port());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an address", e);
        }
    }

    /**
     * One probed backend.
     *
     * <p>Threading: fields guarded by the checker's monitor, except the immutable ones.
     */
    private static final class Target {
        final BackendKey key;
        final String vpc;
        final InetSocketAddress address;
        final HealthCheck check;
        final RiseFallCounter counter;
        ScheduledFuture<?> future;
        boolean cancelled;
        long probes;
        boolean lastSuccess;
        long lastProbeEpochMs;

        Target(BackendKey key, String vpc, InetSocketAddress address, HealthCheck check, RiseFallCounter counter) {
            this.key = key;
            this.vpc = vpc;
            this.address = address;
            this.check = check;
            this.counter = counter;
        }

        void cancel() {
            cancelled = true;
            if (future != null) {
                future.cancel(false);
            }
        }
    }

    /**
     * The checker's view of one backend (for the state API): null when it is not probed (its
     * service has no check, is disabled, or does not have this backend), otherwise its health,
     * the consecutive successes and failures behind it, and the last probe's result and time.
     */
    public synchronized ProbeStatus status(BackendKey key) {
        Target target = targets.get(key);
        if (target == null) {
            return null;
        }
        return new ProbeStatus(target.counter.healthy(), target.counter.successes(), target.counter.failures(),
            target.probes, target.lastSuccess, target.lastProbeEpochMs);
    }
}
