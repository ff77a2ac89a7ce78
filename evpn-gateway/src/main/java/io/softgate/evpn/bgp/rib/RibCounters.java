package io.softgate.evpn.bgp.rib;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RIB event counters.
 *
 * <p>Threading: atomic counters, written on the event loop, read from any thread.
 */
public final class RibCounters {
    final AtomicLong originatorIdLoopsDiscarded = new AtomicLong();
    final AtomicLong asPathLoopsDiscarded = new AtomicLong();
    final AtomicLong pathsAnnounced = new AtomicLong();
    final AtomicLong pathsWithdrawn = new AtomicLong();
    final AtomicLong updatesSent = new AtomicLong();
    final AtomicLong staleRoutesSwept = new AtomicLong();

    public long originatorIdLoopsDiscarded() {
        return originatorIdLoopsDiscarded.get();
    }

    public long asPathLoopsDiscarded() {
        return asPathLoopsDiscarded.get();
    }

    public long updatesSent() {
        return updatesSent.get();
    }

    public long staleRoutesSwept() {
        return staleRoutesSwept.get();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("rib.originator-id-loop-discarded", originatorIdLoopsDiscarded.get());
        map.put("rib.as-path-loop-discarded", asPathLoopsDiscarded.get());
        map.put("rib.paths-announced", pathsAnnounced.get());
        map.put("rib.paths-withdrawn", pathsWithdrawn.get());
        map.put("rib.updates-sent", updatesSent.get());
        map.put("rib.stale-routes-swept", staleRoutesSwept.get());
        return map;
    }
}
