package io.softgate.service.evpn;

import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.RouteIntent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes BGP EVPN has taught us, as forwarding intent: one entry per learned EVPN route
 * (identified by its kind, route distinguisher and key, so the same prefix from two VTEPs is two
 * entries, an ECMP group, and the same prefix in two VPCs is two entries in two VRFs).
 *
 * <p>Threading: thread-safe; the speaker's event loop writes, the compile thread reads
 * {@link #snapshot()}; every method holds the table's monitor briefly (control plane only).
 */
public final class LearnedRoutes {
    /**
     * Identity of one learned route: {@code kind} (type-2 or type-5), the advertiser's route
     * distinguisher, the host MAC for type-2 (0 for type-5), and the (VRF, prefix) it installs.
     *
     * <p>Threading: immutable value.
     */
    public record Key(int routeType, long routeDistinguisher, long macAddress, String vrf, IpPrefix prefix) {
    }

    /** A learned route and its MAC Mobility sequence number (RFC 7432 §15; 0 when absent or type-5). */
    private record Learned(RouteIntent route, long sequence) {
    }

    private final Map<Key, Learned> routes = new LinkedHashMap<>();
    private long version;

    /** Adds or replaces the route for {@code key} (no MAC Mobility sequence); returns true when the table changed. */
    public synchronized boolean put(Key key, RouteIntent route) {
        return put(key, route, 0);
    }

    /**
     * Adds or replaces the route for {@code key} with its MAC Mobility sequence number; returns
     * true when the table changed.
     */
    public synchronized boolean put(Key key, RouteIntent route, long sequence) {
        Learned learned = new Learned(route, Math.max(0, sequence));
        Learned previous = routes.put(key, learned);
        if (learned.equals(previous)) {
            return false;
        }
        version++;
        return true;
    }

    /** Removes the route for {@code key}; returns true when there was one. */
    public synchronized boolean remove(Key key) {
        if (routes.remove(key) == null) {
            return false;
        }
        version++;
        return true;
    }

    /** Removes every route whose key matches {@code routeType}, RD and MAC whatever its VRF or prefix. */
    public synchronized boolean removeMatching(int routeType, long routeDistinguisher, long macAddress, IpPrefix prefix) {
        boolean removed = routes.keySet().removeIf(key -> key.routeType() == routeType
            && key.routeDistinguisher() == routeDistinguisher && key.macAddress() == macAddress
            && key.prefix().equals(prefix));
        if (removed) {
            version++;
        }
        return removed;
    }

    /** Marks the table changed without changing it: the static intent it is compiled with changed. */
    public synchronized void touch() {
        version++;
    }

    /**
     * The routes now, in learning order. Where type-2 routes from several advertisers install the
     * same host in one VRF (a VM that moved), only those with the highest MAC Mobility sequence
     * number are returned (RFC 7432 §15.2: the higher sequence number wins).
     */
    public synchronized List<RouteIntent> snapshot() {
        Map<String, Long> highest = new HashMap<>();
        for (Map.Entry<Key, Learned> entry : routes.entrySet()) {
            if (entry.getKey().routeType() == EvpnRouteBridge.MAC_IP_ROUTE) {
                highest.merge(entry.getKey().vrf() + " " + entry.getKey().prefix(), entry.getValue().sequence(), Math::max);
            }
        }
        List<RouteIntent> list = new ArrayList<>(routes.size());
        for (Map.Entry<Key, Learned> entry : routes.entrySet()) {
            Key key = entry.getKey();
            if (key.routeType() == EvpnRouteBridge.MAC_IP_ROUTE
                && entry.getValue().sequence() < highest.get(key.vrf() + " " + key.prefix())) {
                continue;
            }
            list.add(entry.getValue().route());
        }
        return list;
    }

    public synchronized int size() {
        return routes.size();
    }

    /** Incremented on every change; lets the compiler skip work when nothing changed. */
    public synchronized long version() {
        return version;
    }
}
