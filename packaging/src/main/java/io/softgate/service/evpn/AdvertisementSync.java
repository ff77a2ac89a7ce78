package io.softgate.service.evpn;

import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the routes we originate equal to a plan: {@link #apply} withdraws what left the plan and
 * advertises what joined it, so feeding it the plan after every change of the intent is enough.
 *
 * <p>Threading: {@link #apply} is synchronized (called by the control thread and the reload
 * handler); the advertiser hands the work to the speaker's event loop.
 */
public final class AdvertisementSync {
    private static final Logger LOG = LoggerFactory.getLogger(AdvertisementSync.class);

    /**
     * Where advertisements go: the BGP speaker in the service, a recorder in tests.
     *
     * <p>Threading: called under the sync's monitor; must not block (hand work to the speaker).
     */
    public interface Advertiser {
        void advertise(Type5Advertisement route);

        void withdraw(Type5Advertisement route);
    }

    private final Advertiser advertiser;
    private final Set<Type5Advertisement> current = new LinkedHashSet<>();

    public AdvertisementSync(Advertiser advertiser) {
        this.advertiser = advertiser;
    }

    /** Makes the originated routes equal to {@code plan}. */
    public synchronized void apply(Set<Type5Advertisement> plan) {
        for (Type5Advertisement route : Set.copyOf(current)) {
            if (!plan.contains(route)) {
                advertiser.withdraw(route);
                current.remove(route);
                LOG.info("withdrawn type-5 {}", route);
            }
        }
        for (Type5Advertisement route : plan) {
            if (current.add(route)) {
                advertiser.advertise(route);
                LOG.info("advertised type-5 {}", route);
            }
        }
    }

    /**
     * Forgets, without withdrawing, the routes in these L3VNIs: the speaker already withdrew them
     * (their VRF was removed or replaced), so the next {@link #apply} advertises them again if
     * the plan still holds them.
     */
    public synchronized void forget(Set<Integer> l3Vnis) {
        current.removeIf(route -> l3Vnis.contains(route.l3Vni()));
    }

    /** The routes we originate now. */
    public synchronized Set<Type5Advertisement> current() {
        return Set.copyOf(current);
    }
}
