package io.softgate.service.evpn;

import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.StopMode;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.evpn.bgp.session.BgpSpeaker;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.compose.SnapshotComposer;
import io.softgate.service.intent.CompiledIntent;
import io.softgate.lb.health.VipAvailabilityListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge between the BGP EVPN speaker and the forwarding tables, for one running service:
 * learned routes flow through {@link EvpnRouteBridge} into {@link LearnedRoutes}, and
 * {@link LearnedRouteCompiler} recompiles and publishes them with the static configuration; the
 * routes we originate follow {@link PublicAdvertisements}: the file's public services plus the
 * public addresses of the controller's intent, re-planned once on every intent commit (the
 * composer's {@code onIntentCommitted} hook). The speaker's VRFs follow the composer too: on start
 * and before the re-plan of a commit, {@link #syncVrfs} makes them the file's VRFs plus one per API VPC
 * (created or deleted over the API), and the plan puts a default route into every API VPC's VRF
 * ({@code bgp.advertiseDefaultRouteToApiVpcs}). On SIGHUP (the service calls {@link #reloadAdvertisements}) the
 * configuration file is read again and the advertisements follow its {@code bgp.publicAddresses},
 * LB VIPs and {@code bgp.vrfs[i].advertiseDefaultRoute} (other changes need a restart).
 *
 * <p>The load balancer's VIPs follow their backends' health: {@link #vipListener()} withdraws a VIP
 * whose last healthy backend went down and advertises it again when one comes back.
 *
 * <p>Threading: {@link #start} and {@link #close} belong to the service's control thread; the
 * advertisement plan is re-made under {@link PublicAdvertisements}' monitor (control thread, the
 * composer's commit, SIGHUP handler, the load balancer's probe threads); the speaker runs on its
 * own event loop, compiles on {@code softgate-evpn-compile}.
 */
public final class EvpnService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EvpnService.class);
    /** How long a burst of route changes is collected before one recompile. */
    public static final long COALESCE_MILLIS = 50;

    private final LoadedConfig loaded;
    private final SnapshotComposer composer;
    private final BgpSpeaker speaker;
    private final LearnedRouteCompiler compiler;
    private final PublicAdvertisements advertisements;
    private final LearnedRoutes routes = new LearnedRoutes();
    /** The VRFs last handed to the speaker (file + API); written under {@code vrfLock}. */
    private volatile List<VrfSettings> speakerVrfs;
    private final Object vrfLock = new Object();
    /** Why API VPCs were refused a VRF (clashing RD number or L3VNI), each warned about once. */
    private final Set<String> refusedVrfs = new HashSet<>();
    /** How this run ends, for the next start's graceful restart decision; null without graceful restart. */
    private RestartMarker restartMarker;
    private final Path stateDir;

    private EvpnService(LoadedConfig loaded, SnapshotComposer composer) {
        this.loaded = loaded;
        this.composer = composer;
        BgpNodeSettings settings = BgpSettingsFactory.settings(loaded.config());
        stateDir = loaded.resolve(loaded.config().stateDir());
        GracefulRestartSettings restart = settings.gracefulRestart();
        if (restart.enabled()) {
            // RFC 4724 §4.1: after a restart within the restart time, the OPENs set the R bit and our
            // routes wait for the leaves' End-of-RIB; the previous run's line says whether this is one.
            RestartMarker.Previous previous = RestartMarker.read(stateDir);
            long now = System.currentTimeMillis();
            boolean restarting = RestartMarker.restarting(previous, restart.restartTimeSeconds(), now);
            LOG.info("bgp graceful restart: previous run {}; {}", previous == null ? "unknown (first start)"
                    : previous.state().name().toLowerCase(java.util.Locale.ROOT) + " " + (now - previous.epochMillis()) + " ms ago",
                restarting ? "restarting speaker (Restart State bit set, our routes wait for the leaves' End-of-RIB)"
                    : "not a graceful restart");
            settings = settings.withGracefulRestart(restart.withRestarting(restarting));
        } else {
            // A line left from a run with graceful restart must not make a later start one.
            RestartMarker.forget(stateDir);
        }
        // The composer owns the merge: learned routes go into the forwarding tables with the file's
        // and the API's VRFs and routes, and a new VPC re-filters the routes learned meanwhile.
        compiler = new LearnedRouteCompiler(routes, composer::staticForwardingIntent, composer::learnedRoutesChanged,
            COALESCE_MILLIS);
        composer.onVrfsChanged(() -> {
            routes.touch();
            compiler.requestCompile();
        });
        speaker = new BgpSpeaker(settings);
        // The bridge reads the speaker's VRFs at every update: API VPCs' VRFs come and go at run time.
        speaker.addListener(new EvpnRouteBridge(speaker::settings, routes, compiler::requestCompile));
        speakerVrfs = settings.vrfs();
        advertisements = new PublicAdvertisements(loaded.config(), this::advertisedVrfs,
            new AdvertisementSync.Advertiser() {
                @Override
                public void advertise(Type5Advertisement route) {
                    report(speaker.advertiseType5(route.l3Vni(), route.prefix(), route.prefixLength()), route);
                }

                @Override
                public void withdraw(Type5Advertisement route) {
                    report(speaker.withdrawType5(route.l3Vni(), route.prefix(), route.prefixLength()), route);
                }
            });
    }

    /** Starts the speaker and originates the planned routes; the caller closes the result. */
    public static EvpnService start(LoadedConfig loaded, SnapshotComposer composer) throws InterruptedException {
        EvpnService service = new EvpnService(loaded, composer);
        try {
            service.speaker.start();
            if (service.speaker.settings().gracefulRestart().enabled()) {
                BgpSpeaker speaker = service.speaker;
                service.restartMarker = RestartMarker.start(service.stateDir, System::currentTimeMillis,
                    speaker::isShutDown);
            }
            // The API's VPCs persisted before this start are in the composer already.
            service.syncVrfs();
            service.advertisements.fileChanged(BgpSettingsFactory.publicServices(loaded.config()),
                BgpSettingsFactory.loadBalancerVips(loaded.config()));
            // The API's public addresses (NAT, DNAT/1:1, LB VIPs) follow every commit of its intent,
            // starting with the intent committed now.
            // Every commit also re-syncs the speaker's VRFs first (a VPC created or deleted, a vNet
            // that changed a VPC's L3VNI, SIGHUP), so the plan below finds them on the event loop.
            composer.onIntentCommitted(service::committed);
        } catch (Throwable e) {
            // Also a BindException that Netty throws without declaring it: never leave the event loop running.
            service.close();
            throw e;
        }
        SoftgateConfig config = loaded.config();
        LOG.info("bgp speaker running: AS {}, router id {}, {} neighbour(s), listening on {}", config.bgp().asn(),
            config.bgp().routerId(), config.bgp().neighbors().size(),
            config.bgp().listenAddress() == null ? "-" : config.bgp().listenAddress() + ":" + service.speaker.listenPort());
        return service;
    }

    /** Reads the configuration file again and makes the advertisements follow it (the service's SIGHUP). */
    public void reloadAdvertisements() {
        try {
            SoftgateConfig next = ConfigLoader.load(loaded.file()).config();
            advertisements.fileChanged(BgpSettingsFactory.publicServices(next), BgpSettingsFactory.loadBalancerVips(next));
            LOG.info("reloaded advertisements from {}: {}", loaded.file(), advertisements.current());
        } catch (ConfigException e) {
            LOG.warn("SIGHUP: configuration not reloaded: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("SIGHUP: advertisements not reloaded: {}", e.toString());
        }
    }

    /**
     * Where the load balancer reports VIP availability (install it with
     * {@code ServiceFeatures.vipListener}): a VIP with no healthy backend left is withdrawn from
     * the public VRF through the speaker at once, and advertised again when one comes back.
     */
    public VipAvailabilityListener vipListener() {
        return advertisements.vipListener();
    }

    /**
     * Makes the speaker's VRFs equal to the file's VRFs plus one per API VPC that has a VRF in the
     * composer's intent ({@link BgpSettingsFactory#apiVrf}); an API VPC whose route distinguisher
     * number or L3VNI another VRF holds already gets none (warned once; a {@code bgp.vrfs} entry
     * naming the VPC can set its number). Then the advertisement plan follows: a default route into
     * every API VPC's VRF when {@code bgp.advertiseDefaultRouteToApiVpcs} (the default).
     */
    void syncVrfs() {
        synchronized (vrfLock) {
            VrfSync synced = syncSpeakerVrfs();
            if (synced != null) {
                advertisements.vrfsChanged(synced.withDefaultRoute(), synced.replacedL3Vnis());
            }
        }
    }

    /**
     * An API commit (the composer's hook): the speaker's VRFs follow it ({@link #syncVrfs}), then
     * the advertisement plan follows both in one re-plan.
     */
    private void committed(CompiledIntent committed) {
        synchronized (vrfLock) {
            VrfSync synced = syncSpeakerVrfs();
            if (synced == null) {
                advertisements.intentCommitted(committed); // VRFs not synced: the plan still follows the intent
            } else {
                advertisements.committed(committed, synced.withDefaultRoute(), synced.replacedL3Vnis());
            }
        }
    }

    /** How many times the advertisement plan was made since start (one per input change; for tests and diagnostics). */
    public long advertisementPlans() {
        return advertisements.plans();
    }

    /**
     * The VRF part of a sync: the API VPCs' VRFs that get a default route, and the L3VNIs whose
     * VRF the speaker replaced (it withdrew their routes).
     *
     * <p>Threading: immutable.
     */
    private record VrfSync(Set<String> withDefaultRoute, Set<Integer> replacedL3Vnis) {
    }

    /** Under {@code vrfLock}: makes the speaker's VRFs follow the composer; null when they cannot be planned. */
    private VrfSync syncSpeakerVrfs() {
        SoftgateConfig file = composer.config();
        EvpnVrfPlan plan;
        try {
            plan = EvpnVrfPlan.of(file, composer.staticForwardingIntent().vrfs());
        } catch (RuntimeException e) {
            LOG.warn("EVPN VRFs not synced: {}", e.toString());
            return null;
        }
        for (String reason : plan.refused()) {
            if (refusedVrfs.add(reason)) {
                LOG.warn("API VPC gets no EVPN VRF: {}", reason);
            }
        }
        refusedVrfs.retainAll(plan.refused());
        List<VrfSettings> desired = plan.vrfs();
        List<VrfSettings> before = speakerVrfs;
        Set<Integer> replaced = new HashSet<>();
        if (!desired.equals(before)) {
            for (VrfSettings vrf : before) {
                if (!desired.contains(vrf)) {
                    replaced.add(vrf.l3Vni());
                }
            }
            speakerVrfs = desired;
            speaker.updateVrfs(desired).whenComplete((ignored, failure) -> {
                if (failure != null) {
                    LOG.warn("EVPN VRFs not updated: {}", failure.toString());
                    // Forget the set that did not take, so the next sync compares against what
                    // the speaker really holds and tries again.
                    synchronized (vrfLock) {
                        if (speakerVrfs == desired) {
                            speakerVrfs = speaker.settings().vrfs();
                        }
                    }
                }
            });
            LOG.info("EVPN VRFs: {}", describe(desired));
        }
        return new VrfSync(file.bgp().advertiseDefaultRouteToApiVpcs() ? plan.apiVrfs() : Set.of(), replaced);
    }

    /** The forwarding intent's VRFs the speaker holds: where type-5 routes may be originated. */
    private ForwardingIntent advertisedVrfs() {
        ForwardingIntent forwarding = composer.staticForwardingIntent();
        Set<String> held = new HashSet<>();
        for (VrfSettings vrf : speakerVrfs) {
            held.add(vrf.name());
        }
        List<VrfIntent> vrfs = new ArrayList<>();
        for (VrfIntent vrf : forwarding.vrfs()) {
            if (held.contains(vrf.name())) {
                vrfs.add(vrf);
            }
        }
        return ForwardingIntent.of(forwarding.node(), vrfs, forwarding.routes());
    }

    private static String describe(List<VrfSettings> vrfs) {
        StringBuilder text = new StringBuilder();
        for (VrfSettings vrf : vrfs) {
            text.append(text.length() == 0 ? "" : ", ").append(vrf.name()).append(" l3vni ").append(vrf.l3Vni())
                .append(" rd n ").append(vrf.routeDistinguisherNumber());
        }
        return text.toString();
    }

    private static void report(CompletableFuture<Void> result, Type5Advertisement route) {
        result.whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.warn("type-5 {} failed: {}", route, failure.toString());
            }
        });
    }

    public BgpSpeaker speaker() {
        return speaker;
    }

    /**
     * Stops the speaker, its sessions ending as {@code bgp.gracefulRestart.onStop} says (a shutdown
     * after the API's {@code POST /api/softgate/bgp/shutdown}), and records how for the next start.
     */
    @Override
    public void close() {
        composer.onIntentCommitted(null); // no later commit may reach a closed speaker
        // The speaker first: closing its sessions withdraws learned routes, and those changes
        // must find the compiler still open (they are then dropped, the service is stopping).
        StopMode mode = speaker.stop();
        if (restartMarker != null) {
            if (mode != null) {
                restartMarker.stopped(mode);
            } else {
                restartMarker.close();
            }
        }
        compiler.close();
        if (mode == null) {
            LOG.info("bgp speaker was stopped already");
        } else {
            LOG.info("bgp speaker stopped ({})", mode == StopMode.RESTART
                ? "restart: sessions closed without a NOTIFICATION, the leaves keep our routes for "
                    + speaker.settings().gracefulRestart().restartTimeSeconds() + " s"
                : "shutdown: Cease sent, the leaves withdraw our routes");
        }
    }
}
