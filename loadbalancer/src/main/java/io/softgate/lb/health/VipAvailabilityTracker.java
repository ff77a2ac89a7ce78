package io.softgate.lb.health;

import io.softgate.lb.compile.LoadBalancerTables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

    /**
     * Reports changes against the last tables seen, as one {@link VipAvailabilityListener#vipsChanged}
     * call (sorted, so the order is deterministic); no call when nothing changed.
     */
    public void update(LoadBalancerTables tables) {
        Set<String> now = tables.availableVips();
        List<String> unavailable = new ArrayList<>();
        for (String vip : new TreeSet<>(advertised)) {
            if (!now.contains(vip)) {
                unavailable.add(vip);
            }
        }
        List<String> available = new ArrayList<>();
        for (String vip : new TreeSet<>(now)) {
            if (!advertised.contains(vip)) {
                available.add(vip);
            }
        }
        advertised = new HashSet<>(now);
        if (!available.isEmpty() || !unavailable.isEmpty()) {
            listener.vipsChanged(List.copyOf(available), List.copyOf(unavailable));
        }
    }

    /** VIPs currently reported available. */
    public Set<String> advertised() {
        return Set.copyOf(advertised);
    }
}
