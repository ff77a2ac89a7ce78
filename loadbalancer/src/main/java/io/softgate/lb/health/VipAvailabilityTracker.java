package io.softgate.lb.health;

import io.softgate.lb.compile.LoadBalancerTables;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares the VIPs each newly compiled {@link LoadBalancerTables} can serve with the previous
 * set and tells the {@link VipAvailabilityListener} about every VIP that appeared or vanished.
 *
 * <p>Threading: confined to the control thread that publishes tables.
 */
public final class VipAvailabilityTracker {
    private final VipAvailabilityListener listener;
    private Set<String> advertised = new HashSet<>();

    public VipAvailabilityTracker(VipAvailabilityListener listener) {
        this.listener = listener;
    }

    /** Reports changes against the last tables seen (sorted, so the call order is deterministic). */
    public void update(LoadBalancerTables tables) {
        Set<String> now = tables.availableVips();
        for (String vip : new TreeSet<>(advertised)) {
            if (!now.contains(vip)) {
                listener.vipUnavailable(vip);
            }
        }
        for (String vip : new TreeSet<>(now)) {
            if (!advertised.contains(vip)) {
                listener.vipAvailable(vip);
            }
        }
        advertised = new HashSet<>(now);
    }

    /** VIPs currently reported available. */
    public Set<String> advertised() {
        return Set.copyOf(advertised);
    }
}
