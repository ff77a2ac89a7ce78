package io.softgate.service.evpn;

import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.session.BgpSpeaker;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.pipeline.ForwardingIntents;
import io.softgate.service.pipeline.ServicePipeline;
import io.softgate.lb.health.VipAvailabilityListener;
import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge between the BGP EVPN speaker and the forwarding tables, for one running service:
 * learned routes flow through {@link EvpnRouteBridge} into {@link LearnedRoutes}, and
 * {@link LearnedRouteCompiler} recompiles and publishes them with the static configuration; the
 * routes we originate follow {@link AdvertisementPlan} of the forwarding intent and the public
 * services. On SIGHUP (the service calls {@link #reloadAdvertisements}) the configuration file is
 * read again and the advertisements follow its
 * {@code bgp.publicAddresses} and {@code bgp.vrfs[i].advertiseDefaultRoute} (other changes need
 * a restart).
 *
 * <p>The load balancer's VIPs follow their backends' health: {@link #vipListener()} withdraws a VIP
 * whose last healthy backend went down and advertises it again when one comes back.
 *
 * <p>Threading: {@link #start} and {@link #close} belong to the service's control thread; the
 * advertisement plan is re-made under this object's monitor (control thread, SIGHUP handler, the
 * load balancer's probe threads); the
 * speaker runs on its own event loop, compiles on {@code softgate-evpn-compile}.
 */
public final class EvpnService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EvpnService.class);
    /** How long a burst of route changes is collected before one recompile. */
    public static final long COALESCE_MILLIS = 50;

    private final LoadedConfig loaded;
    private final BgpSpeaker speaker;
    private final LearnedRouteCompiler compiler;
    private final AdvertisementSync advertisements;
    private final LearnedRoutes routes = new LearnedRoutes();
    private final AtomicReference<SoftgateConfig> config;
    private final VipAdvertisements vips = new VipAdvertisements(this::replan);
    /** The public services as the configuration (or the API) gave them, before the LB's corrections. */
    private PublicServices configuredServices;
    /** The configuration's load-balancer VIPs: advertised only while the LB reports them available. */
    private Set<InetAddress> loadBalancerVips;

    private EvpnService(LoadedConfig loaded, SnapshotPublisher publisher) {
        this.loaded = loaded;
        config = new AtomicReference<>(loaded.config());
        loadBalancerVips = BgpSettingsFactory.loadBalancerVips(loaded.config());
        BgpNodeSettings settings = BgpSettingsFactory.settings(loaded.config());
        compiler = new LearnedRouteCompiler(routes, () -> ForwardingIntents.translate(config.get()).intent(),
            learned -> publisher.replace(ForwardingTables.SLOT, ServicePipeline.compileForwarding(config.get(), learned)),
            COALESCE_MILLIS);
        speaker = new BgpSpeaker(settings);
        speaker.addListener(new EvpnRouteBridge(settings, routes, compiler::requestCompile));
        advertisements = new AdvertisementSync(new AdvertisementSync.Advertiser() {
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
    public static EvpnService start(LoadedConfig loaded, SnapshotPublisher publisher) throws InterruptedException {
        EvpnService service = new EvpnService(loaded, publisher);
        try {
            service.speaker.start();
            service.applyPublicServices(BgpSettingsFactory.publicServices(loaded.config()));
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
            applyPublicServices(BgpSettingsFactory.publicServices(next), BgpSettingsFactory.loadBalancerVips(next));
            LOG.info("reloaded advertisements from {}: {}", loaded.file(), advertisements.current());
        } catch (ConfigException e) {
            LOG.warn("SIGHUP: configuration not reloaded: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("SIGHUP: advertisements not reloaded: {}", e.toString());
        }
    }

    /**
     * Makes our advertisements follow {@code services} (public addresses, VPCs with a NAT or LB
     * service; the hook for the NAT/LB resources of the API), corrected by the load balancer's
     * VIP availability ({@link #vipListener()}).
     */
    public synchronized void applyPublicServices(PublicServices services) {
        configuredServices = services;
        replan();
    }

    private synchronized void applyPublicServices(PublicServices services, Set<InetAddress> lbVips) {
        loadBalancerVips = Set.copyOf(lbVips);
        applyPublicServices(services);
    }

    /**
     * Where the load balancer reports VIP availability (install it with
     * {@code ServiceFeatures.vipListener}): a VIP with no healthy backend left is withdrawn from
     * the public VRF through the speaker at once, and advertised again when one comes back.
     */
    public VipAvailabilityListener vipListener() {
        return vips;
    }

    /** Plans the type-5 routes anew from the configured services and the VIPs available now. */
    private synchronized void replan() {
        if (configuredServices == null) {
            return; // not started yet: start() plans once the speaker runs
        }
        advertisements.apply(AdvertisementPlan.of(ForwardingIntents.translate(config.get()).intent(),
            vips.applyTo(configuredServices, loadBalancerVips)));
    }

    /**
     * The static configuration changed (e.g. the API replaced it): the next snapshot, compiled
     * and published here at once, holds {@code next} and the learned routes together. While BGP
     * runs, publish static changes through this method rather than directly, or the learned
     * routes vanish from the tables until their next change. Node and BGP settings are not
     * re-read (they need a restart).
     */
    public void staticConfigChanged(SoftgateConfig next) {
        config.set(next);
        routes.touch();
        compiler.requestCompile();
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

    @Override
    public void close() {
        // The speaker first: closing its sessions withdraws learned routes, and those changes
        // must find the compiler still open (they are then dropped, the service is stopping).
        speaker.close();
        compiler.close();
        LOG.info("bgp speaker stopped");
    }
}
