package io.softgate.evpn.bgp.rib;

import io.softgate.evpn.bgp.nlri.Nlri;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Loc-RIB: every candidate path per route key (RFC 4271 §3.2) and the best one. EVPN
 * route keys include the route distinguisher, so overlapping VPC prefixes stay apart.
 *
 * <p>Threading: confined to the speaker's event loop.
 */
public final class LocRib {
    /** Called after the best path of a key changed; either side may be null. Threading: called on the event loop. */
    @FunctionalInterface
    public interface BestPathListener {
        void bestPathChanged(Nlri routeKey, Path previous, Path current);
    }

    private static final class Entry {
        final Map<PeerIdentity, Path> paths = new LinkedHashMap<>(2);
        Path best;
    }

    private final Map<Nlri, Entry> entries = new HashMap<>();
    private final List<BestPathListener> listeners = new ArrayList<>();

    public void addListener(BestPathListener listener) {
        listeners.add(listener);
    }

    /** Adds or replaces the path of {@code path.source()} for its route key. */
    public void put(Path path) {
        Nlri key = path.nlri().routeKey();
        Entry entry = entries.computeIfAbsent(key, k -> new Entry());
        entry.paths.put(path.source(), path);
        reselect(key, entry);
    }

    /** Removes the path of {@code source} for {@code routeKey}, if any. */
    public void remove(Nlri routeKey, PeerIdentity source) {
        Entry entry = entries.get(routeKey);
        if (entry == null || entry.paths.remove(source) == null) {
            return;
        }
        reselect(routeKey, entry);
        if (entry.paths.isEmpty()) {
            entries.remove(routeKey);
        }
    }

    public Path best(Nlri routeKey) {
        Entry entry = entries.get(routeKey);
        return entry == null ? null : entry.best;
    }

    /** Every best path (a copy, safe to iterate while the RIB changes). */
    public List<Path> bestPaths() {
        List<Path> result = new ArrayList<>(entries.size());
        for (Entry entry : entries.values()) {
            if (entry.best != null) {
                result.add(entry.best);
            }
        }
        return result;
    }

    /** Every path {@code source} contributed, best or not (a copy). */
    public List<Path> pathsOf(PeerIdentity source) {
        List<Path> result = new ArrayList<>();
        for (Entry entry : entries.values()) {
            Path path = entry.paths.get(source);
            if (path != null) {
                result.add(path);
            }
        }
        return result;
    }

    public Collection<Path> paths(Nlri routeKey) {
        Entry entry = entries.get(routeKey);
        return entry == null ? List.of() : List.copyOf(entry.paths.values());
    }

    public int size() {
        return entries.size();
    }

    private void reselect(Nlri key, Entry entry) {
        Path best = null;
        for (Path candidate : entry.paths.values()) {
            if (best == null || BestPathSelector.INSTANCE.compare(candidate, best) < 0) {
                best = candidate;
            }
        }
        Path previous = entry.best;
        entry.best = best;
        if (previous != best && (previous == null || !previous.equals(best))) {
            for (BestPathListener listener : listeners) {
                listener.bestPathChanged(key, previous, best);
            }
        }
    }
}
