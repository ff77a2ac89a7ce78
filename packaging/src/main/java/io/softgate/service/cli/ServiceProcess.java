package io.softgate.service.cli;

import io.softgate.core.pipeline.NanoClock;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.nat.compile.NatTables;
import io.softgate.service.ExitCodes;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.evpn.EvpnService;
import io.softgate.service.features.ServiceFeatures;
import io.softgate.service.io.PacketIoFactory;
import io.softgate.service.api.ApiService;
import io.softgate.service.compose.SnapshotComposer;
import io.softgate.service.intent.IntentRejectedException;
import io.softgate.service.intent.IntentStore;
import io.softgate.service.pipeline.ServicePipeline;
import io.softgate.service.runtime.SoftgateRuntime;
import io.softgate.service.runtime.StatsReporter;
import io.softgate.service.state.LoadBalancerPersistence;
import io.softgate.service.state.SessionPersistence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The life of a running service: compile the configuration, build and start the runtime, wait for
 * a stop request, then stop workers and close I/O in that order.
 *
 * <p>Threading: {@link #run} is called by one thread (the main thread), which blocks until
 * {@link #requestStop()} is called from any thread or signal handler.
 */
public final class ServiceProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);
    /** How long the shutdown hook waits for workers to stop and I/O to close. */
    private static final long SHUTDOWN_WAIT_SECONDS = 10;

    private final LoadedConfig loaded;
    private final PacketIoFactory io;
    private final NanoClock clock;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile ServiceFeatures activeFeatures;
    /** The running EVPN service (null when BGP is off or stopped), for the SIGHUP handler. */
    private volatile EvpnService activeEvpn;
    /** The running runtime (null before it runs), for tests reading its counters. */
    private volatile SoftgateRuntime activeRuntime;

    public ServiceProcess(LoadedConfig loaded, PacketIoFactory io, NanoClock clock) {
        this.loaded = loaded;
        this.io = io;
        this.clock = clock;
    }

    /**
     * Handles SIGTERM and SIGINT by requesting a stop, so the main thread stops the workers, closes
     * I/O and exits with 0 (the JVM's default would exit with 143/130 while workers still run).
     * A shutdown hook covers every other way the JVM may go down (another signal, an exit from
     * elsewhere): it requests the same stop and waits for it to finish.
     */
    public int runUntilSignalled() {
        Signal.handle(new Signal("TERM"), signal -> requestStop("SIGTERM"));
        Signal.handle(new Signal("INT"), signal -> requestStop("SIGINT"));
        // SIGHUP: re-read the file; apply its nat, loadBalancer and acl sections (ServiceFeatures.reload)
        // and its BGP advertisement settings (EvpnService.reloadAdvertisements).
        sun.misc.SignalHandler previousHup = Signal.handle(new Signal("HUP"), signal -> {
            ServiceFeatures running = activeFeatures;
            if (running != null) {
                running.reloadFrom(loaded.file());
            }
            EvpnService speaker = activeEvpn;
            if (speaker != null) {
                speaker.reloadAdvertisements();
            }
        });
        if (previousHup == sun.misc.SignalHandler.SIG_IGN) {
            // A parent that ignores SIGHUP (nohup, some supervisors) makes the JVM leave it ignored:
            // say so once, or a reload request would vanish without a trace.
            LOG.warn("SIGHUP is ignored by the process that started the softgate (nohup?): reloads by SIGHUP "
                + "will not happen; start it without nohup, or use the API");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            requestStop("JVM shutdown");
            try {
                stopped.await(SHUTDOWN_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "softgate-shutdown"));
        return run();
    }

    /** Asks a running (or starting) service to stop. */
    public void requestStop() {
        requestStop("request");
    }

    private void requestStop(String why) {
        if (stop.getCount() > 0) {
            LOG.info("stopping ({})", why);
        }
        stop.countDown();
    }

    /** Waits until the workers run (true) or {@code timeoutMs} passed; for tests. */
    public boolean awaitRunning(long timeoutMs) throws InterruptedException {
        return running.await(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The data plane's counters summed over the workers while running (empty otherwise); for tests. */
    java.util.Map<String, Long> counterTotals() {
        SoftgateRuntime current = activeRuntime;
        return current == null ? java.util.Map.of() : current.counters().totals();
    }

    /** Builds, starts and runs the service until {@link #requestStop()}; returns the exit code. */
    public int run() {
        try {
            return startAndWait();
        } finally {
            stopped.countDown();
        }
    }

    private int startAndWait() {
        SoftgateConfig config = loaded.config();
        Path stateDir = loaded.resolve(config.stateDir());
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            System.err.println("softgate: stateDir " + stateDir + ": cannot create: " + e);
            io.close();
            return ExitCodes.FAILURE;
        }
        // The session store opens (seconds, for the first Chronicle Map of a JVM) while the rest starts.
        // NAT and LB always exist (an API-only node sizes them at API_ONLY_CAPACITY), so their stores do too.
        int natSessions = config.nat() == null ? ServiceFeatures.API_ONLY_CAPACITY : config.nat().maxSessions();
        int lbConnectionCapacity = config.loadBalancer() == null ? ServiceFeatures.API_ONLY_CAPACITY
            : config.loadBalancer().maxConnections();
        try (SessionPersistence.Opening sessionStore = SessionPersistence.opening(stateDir, natSessions);
             LoadBalancerPersistence.Opening lbStore = LoadBalancerPersistence.opening(stateDir, lbConnectionCapacity);
             ServiceFeatures features = ServiceFeatures.create(config)) {
            StartupTimeline.mark("feature tables allocated");
            try {
                return startAndWait(config, stateDir, features, sessionStore, lbStore);
            } finally {
                activeFeatures = null; // no reload into features being closed
            }
        }
    }

    private int startAndWait(SoftgateConfig config, Path stateDir, ServiceFeatures features,
                             SessionPersistence.Opening sessionStore, LoadBalancerPersistence.Opening lbStore) {
        ConfigSnapshot.Builder snapshot;
        try {
            snapshot = ServicePipeline.compile(config, features);
            StartupTimeline.mark("tables compiled");
        } catch (ConfigException e) {
            System.err.println("softgate: " + e.getMessage());
            io.close();
            return ExitCodes.CONFIGURATION_ERROR;
        }
        SoftgateRuntime runtime;
        try {
            runtime = new SoftgateRuntime(config.dataplane(), ServicePipeline.definition(config, features), io, clock);
            StartupTimeline.mark("packet I/O opened");
        } catch (IOException | RuntimeException e) {
            System.err.println("softgate: cannot open packet I/O (" + config.io().backend().configName() + "): " + e);
            return ExitCodes.FAILURE;
        }
        EvpnService evpn = null;
        SessionPersistence sessions = null;
        LoadBalancerPersistence lbConnections = null;
        try (runtime) {
            // One owner of the composition (file + API intent + learned routes): every later
            // publish (API apply, BGP update, SIGHUP, LB health flip) goes through it.
            SnapshotComposer composer;
            ConfigSnapshot published;
            IntentStore intent;
            try {
                composer = new SnapshotComposer(runtime.publisher(), config, features);
                // Issue 9: the first snapshot is the file plus the API's applied intent (when the API is
                // on), so sessions and connections that exist through an API rule are restored below.
                intent = ApiHook.loadIntent(loaded, stateDir, composer);
                if (intent != null) {
                    published = runtime.publisher().current();
                    StartupTimeline.mark("applied intent loaded (generation " + intent.current().generation() + ")");
                } else {
                    published = composer.publishFileOnly();
                }
            } catch (ConfigException | IntentRejectedException e) {
                System.err.println("softgate: " + e.getMessage());
                return ExitCodes.CONFIGURATION_ERROR;
            } catch (IOException e) {
                System.err.println("softgate: cannot load the API's applied intent from " + stateDir + ": " + e);
                return ExitCodes.FAILURE;
            }
            // DESIGN §4: persisted NAT sessions go back into the flow tables before any worker runs.
            try {
                sessions = features.nat() == null || sessionStore == null ? null
                    : sessionStore.start(features.nat(), published.get(NatTables.SLOT));
            } catch (IOException | RuntimeException e) {
                System.err.println("softgate: cannot open the session store in " + stateDir + ": " + e);
                return ExitCodes.FAILURE;
            }
            // The LB connection table too: a connection stays on its backend even if Maglev now picks another.
            try {
                lbConnections = features.loadBalancerConnections() == null || lbStore == null ? null
                    : lbStore.start(features.loadBalancerConnections().table(), () -> published.get(LoadBalancerTables.SLOT));
            } catch (IOException | RuntimeException e) {
                System.err.println("softgate: cannot open the LB connection store in " + stateDir + ": " + e);
                return ExitCodes.FAILURE;
            }
            if (sessions != null || lbConnections != null) {
                StartupTimeline.mark("sessions restored");
            }
            // Issue 9: forwarding resumes here; everything below (LB probes, NAT housekeeping, BGP,
            // the API) is off the path that bounds a restart's outage.
            runtime.start();
            StartupTimeline.mark("data plane forwarding");
            try {
                features.start(runtime.publisher(), stateDir);
                activeFeatures = features;
                StartupTimeline.mark("features started");
            } catch (IOException e) {
                System.err.println("softgate: cannot start the feature modules: " + e);
                return ExitCodes.FAILURE;
            }
            if (config.bgp().enabled()) {
                try {
                    evpn = EvpnService.start(loaded, composer);
                    activeEvpn = evpn;
                    // Issue 5: a VIP is advertised while it has a healthy backend, withdrawn otherwise.
                    features.vipListener(evpn.vipListener());
                    StartupTimeline.mark("BGP speaker started");
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    // Netty rethrows a failed bind's BindException unchecked-style: catch every exception.
                    System.err.println("softgate: cannot start the BGP speaker: " + e);
                    return ExitCodes.FAILURE;
                }
            }
            // The controller's API (io.softgate.service.api), when configured: it serves the intent
            // loaded above (same generation, nothing republished), merged by the composer.
            ApiService api;
            try {
                api = ApiHook.start(loaded, stateDir, runtime, intent, features, () -> {
                    EvpnService speaker = activeEvpn;
                    return speaker == null ? null : speaker.speaker();
                }, clock::nanoTime);
                if (api != null) {
                    StartupTimeline.mark("API started");
                }
            } catch (Exception e) {
                System.err.println("softgate: cannot start the API: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            try (api; StatsReporter stats = StatsReporter.start(runtime.counters(), config.dataplane().statsIntervalSeconds())) {
                LOG.info("softgate node {} running: VTEP {}, router MAC {}, io {}, {} VRF(s), snapshot epoch {}, state {}",
                    config.node().name(), config.node().vtepAddress(), config.node().routerMac(),
                    io.description(), config.forwarding().vrfs().size(), published.epoch(), stateDir);
                activeRuntime = runtime;
                running.countDown();
                stop.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            activeRuntime = null;
            if (evpn != null) {
                activeEvpn = null;
                features.vipListener(null); // no health flip may reach a closed speaker
                evpn.close();
            }
            if (sessions != null) {
                sessions.close(); // after the workers stopped (the runtime closed first)
            }
            if (lbConnections != null) {
                lbConnections.close();
            }
        }
        LOG.info("stopped; counters {}", StatsReporter.formatNonZero(runtime.counters().totals()));
        return ExitCodes.OK;
    }
}
