package io.softgate.service.evpn;

import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.lb.health.VipAvailabilityListener;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The load balancer's say in which public addresses we advertise (issue 5): a VIP of the
 * load balancer is advertised while the LB reports it available (at least one healthy backend)
 * and withdrawn while it does not, whether or not {@code bgp.publicAddresses} also lists it; the
 * other public addresses are advertised as configured. Each availability change runs the
 * {@code changed} callback (the EVPN service re-plans its type-5 routes at once).
 *
 * <p>Threading: the set is guarded by this object's monitor; the LB controller calls the listener
 * methods one at a time from its probe or control thread, and {@code changed} runs on that thread
 * outside the monitor (it must not block: the speaker's API only queues work on its event loop).
 */
public final class VipAdvertisements implements VipAvailabilityListener {
    private final Runnable changed;
    private final Set<InetAddress> available = new LinkedHashSet<>();

    public VipAdvertisements(Runnable changed) {
        this.changed = changed;
    }

    @Override
    public void vipAvailable(String vipAddress) {
        boolean added;
        synchronized (this) {
            added = available.add(InetAddresses.parse(vipAddress));
        }
        if (added) {
            changed.run();
        }
    }

    @Override
    public void vipUnavailable(String vipAddress) {
        boolean removed;
        synchronized (this) {
            removed = available.remove(InetAddresses.parse(vipAddress));
        }
        if (removed) {
            changed.run();
        }
    }

    /**
     * {@code configured} with its public addresses corrected for the load balancer: every address
     * in {@code loadBalancerVips} left out, then every VIP available now added.
     */
    public synchronized PublicServices applyTo(PublicServices configured, Set<InetAddress> loadBalancerVips) {
        Set<InetAddress> addresses = new LinkedHashSet<>();
        for (InetAddress address : configured.publicAddresses()) {
            if (!loadBalancerVips.contains(address)) {
                addresses.add(address);
            }
        }
        addresses.addAll(available);
        List<InetAddress> list = new ArrayList<>(addresses);
        return configured.withPublic(list, configured.publicPools());
    }

    /** The VIPs reported available now. */
    public synchronized Set<InetAddress> available() {
        return Set.copyOf(available);
    }
}
