package io.softgate.service.evpn;

import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.lb.health.VipAvailabilityListener;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.CompiledIntent;
import java.net.InetAddress;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which type-5 routes we originate, kept equal to the union of the configuration file's public
 * services ({@code bgp.publicAddresses}, its VPCs with a default route), the default route into
 * every API VPC's VRF ({@link #vrfsChanged}) and the public addresses
 * of the controller's committed intent ({@link IntentPublicAddresses}), with every load-balancer
 * VIP (file or API) advertised only while the load balancer reports it available. Each input
 * change ({@link #fileChanged} on start and SIGHUP, {@link #committed} on every API apply with
 * the VRFs synced for it, a VIP availability report) re-plans once, and {@link AdvertisementSync} turns the new plan into
 * withdrawals of what left and advertisements of what joined: an unchanged route is never sent
 * again, so it does not flap.
 *
 * <p>Threading: re-planning runs under this object's monitor (control thread, the composer's
 * commit, the SIGHUP handler, the load balancer's probe threads); it only queues work for the
 * speaker, so it never blocks on the network.
 */
public final class PublicAdvertisements {
    /** The node's configuration file: its VRFs decide, with the intent's vNets, which rules are in the data plane. */
    private final SoftgateConfig file;
    private final Supplier<ForwardingIntent> forwarding;
    private final AdvertisementSync sync;
    private final VipAdvertisements vips = new VipAdvertisements(this::replan);
    /** The file's services, before the intent's addresses and the LB's corrections; null before the first. */
    private PublicServices fileServices;
    /** The file's load-balancer VIPs. */
    private Set<InetAddress> fileVips = Set.of();
    private IntentPublicAddresses intent = IntentPublicAddresses.NONE;
    /** The API VPCs' VRFs that get a default route ({@code bgp.advertiseDefaultRouteToApiVpcs}). */
    private Set<String> apiVrfsWithDefaultRoute = Set.of();
    private long plans;

    /**
     * @param file       the node's configuration file as the service started with it (its
     *                   {@code forwarding.vrfs}, which a reload does not change, are VRFs the
     *                   adapters compile a same-named VPC's rules into: {@link IntentPublicAddresses#of})
     * @param forwarding the VRFs routes may be originated into (those the speaker holds: the file's
     *                   and the API VPCs')
     * @param advertiser where advertisements and withdrawals go
     */
    public PublicAdvertisements(SoftgateConfig file, Supplier<ForwardingIntent> forwarding,
                                AdvertisementSync.Advertiser advertiser) {
        this.file = file;
        this.forwarding = forwarding;
        this.sync = new AdvertisementSync(advertiser);
    }

    /** The file's public services and LB VIPs (start and SIGHUP); the first call starts originating. */
    public synchronized void fileChanged(PublicServices services, Set<InetAddress> loadBalancerVips) {
        fileServices = services;
        fileVips = Set.copyOf(loadBalancerVips);
        replan();
    }

    /** The controller's intent {@code committed} is what the data plane holds now (the composer's hook). */
    public synchronized void intentCommitted(CompiledIntent committed) {
        IntentPublicAddresses next = IntentPublicAddresses.of(file, committed);
        if (next.equals(intent)) {
            return; // e.g. an ACL-only apply: nothing to re-plan
        }
        intent = next;
        replan();
    }

    /**
     * The speaker's VRFs changed (an API VPC created or deleted, SIGHUP): {@code withDefaultRoute}
     * are the API VPCs' VRFs a default route goes into; the routes of {@code replacedL3Vnis} were
     * withdrawn by the speaker with their VRF and are advertised again if still planned.
     */
    public synchronized void vrfsChanged(Set<String> withDefaultRoute, Set<Integer> replacedL3Vnis) {
        apiVrfsWithDefaultRoute = Set.copyOf(withDefaultRoute);
        sync.forget(replacedL3Vnis);
        replan();
    }

    /**
     * One API commit, in one re-plan: the speaker's VRFs were synced for it ({@code withDefaultRoute}
     * and {@code replacedL3Vnis} as in {@link #vrfsChanged}) and {@code committed} is the intent the
     * data plane holds now (as in {@link #intentCommitted}).
     */
    public synchronized void committed(CompiledIntent committed, Set<String> withDefaultRoute, Set<Integer> replacedL3Vnis) {
        apiVrfsWithDefaultRoute = Set.copyOf(withDefaultRoute);
        sync.forget(replacedL3Vnis);
        intent = IntentPublicAddresses.of(file, committed);
        replan();
    }

    /** How many times the plan was made (each input change makes it once). */
    public synchronized long plans() {
        return plans;
    }

    /** Where the load balancer reports VIP availability. */
    public VipAvailabilityListener vipListener() {
        return vips;
    }

    /** The routes originated now. */
    public Set<Type5Advertisement> current() {
        return sync.current();
    }

    private synchronized void replan() {
        if (fileServices == null) {
            return; // not started: the first fileChanged plans
        }
        plans++;
        PublicServices merged = vips.applyTo(intent.addTo(fileServices.withDefaultRouteInto(apiVrfsWithDefaultRoute)),
            intent.healthGoverned(fileVips));
        sync.apply(AdvertisementPlan.of(forwarding.get(), merged));
    }
}
