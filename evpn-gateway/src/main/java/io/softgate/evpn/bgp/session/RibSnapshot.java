package io.softgate.evpn.bgp.session;

import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.rib.Path;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * The speaker's RIB as one event-loop task saw it ({@link BgpSpeaker#ribSnapshot}): the settings
 * (so the VRFs are those the RIB worked with), the Loc-RIB's best paths, the paths we originate
 * and how many paths each neighbour's Adj-RIB-In holds, all from the same moment.
 *
 * <p>Threading: immutable, safe to share.
 */
public record RibSnapshot(BgpNodeSettings settings, List<Path> bestPaths, List<Path> originatedPaths,
                          Map<InetAddress, Integer> receivedPathCounts) {
    public RibSnapshot {
        bestPaths = List.copyOf(bestPaths);
        originatedPaths = List.copyOf(originatedPaths);
        receivedPathCounts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(receivedPathCounts));
    }
}
