package io.softgate.evpn.bgp.rib;

import io.softgate.evpn.bgp.nlri.Nlri;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Adj-RIB-Out of one peer (RFC 4271 §3.2): what was advertised to it, and the changes
 * waiting for the next flush (a null value is a withdrawal). Several changes to one route
 * before a flush collapse into the last one.
 *
 * <p>Threading: confined to the speaker's event loop.
 */
final class AdjRibOut {
    final RibPeer peer;
    final Map<Nlri, Path> advertised = new HashMap<>();
    final LinkedHashMap<Nlri, Path> pending = new LinkedHashMap<>();
    boolean endOfRibPending;

    AdjRibOut(RibPeer peer) {
        this.peer = peer;
    }

    void announce(Nlri routeKey, Path path) {
        pending.put(routeKey, path);
    }

    void withdraw(Nlri routeKey) {
        if (advertised.containsKey(routeKey) || pending.containsKey(routeKey)) {
            pending.put(routeKey, null);
        }
    }
}
