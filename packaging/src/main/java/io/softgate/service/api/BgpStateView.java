package io.softgate.service.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.evpn.IpPrefixRoute;
import io.softgate.evpn.bgp.message.UpdateErrorCounters;
import io.softgate.evpn.bgp.rib.Path;
import io.softgate.evpn.bgp.session.BgpSpeaker;
import io.softgate.evpn.bgp.session.BgpState;
import io.softgate.evpn.bgp.session.RibSnapshot;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.config.VrfConfig;
import java.net.InetAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The answer of {@code GET /api/softgate/bgp}, read from the running speaker: each neighbour's
 * FSM state, Established transitions and time, paths received and selected best, RFC 7606
 * outcomes; the speaker's VRFs (name, L3VNI, RD, route targets, whether the file or the API made
 * them) with the type-5 prefixes we advertise in each and how many learned best paths each
 * imports; the learned best paths themselves (at most {@code limit}); the speaker's counters.
 * Without a running speaker the answer is {@code {"bgp": "disabled"}}.
 *
 * <p>Threading: API thread; the speaker's RIB is read by one task on its event loop (bounded wait).
 */
final class BgpStateView {
    /** VRF name of learned paths no VRF of ours imports. */
    static final String NO_VRF = "(none)";

    private BgpStateView() {
    }

    static ObjectNode of(BgpSpeaker speaker, SoftgateConfig config, int limit) {
        ObjectNode data = Envelope.object();
        if (speaker == null) {
            data.put("bgp", "disabled");
            return data;
        }
        RibSnapshot rib;
        try {
            rib = speaker.ribSnapshot(); // one task on the speaker's event loop
        } catch (RuntimeException e) {
            // The speaker is stopping (its event loop refuses tasks) or did not answer in time.
            data.put("bgp", "unavailable");
            data.put("reason", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return data;
        }
        BgpNodeSettings settings = rib.settings();
        List<Path> best = rib.bestPaths();
        List<Path> originated = rib.originatedPaths();
        Map<InetAddress, Integer> received = rib.receivedPathCounts();
        data.put("bgp", "enabled");
        data.put("routerId", settings.routerId().getHostAddress());
        data.put("asn", settings.asNumber());
        data.put("listenPort", speaker.listenPort());
        ObjectNode restart = data.putObject("gracefulRestart");
        restart.put("enabled", settings.gracefulRestart().enabled());
        restart.put("onStop", settings.gracefulRestart().effectiveOnStop().name().toLowerCase(Locale.ROOT));
        restart.put("restartTimeSeconds", settings.gracefulRestart().restartTimeSeconds());
        restart.put("restarting", speaker.restartInProgress());
        restart.put("shutDown", speaker.isShutDown());

        Map<InetAddress, Integer> bestByPeer = new HashMap<>();
        Map<String, Integer> learnedByVrf = new TreeMap<>();
        int learnedTotal = 0;
        long now = System.currentTimeMillis();
        for (Path path : best) {
            if (!path.source().isLocal()) {
                learnedTotal++;
                bestByPeer.merge(path.source().address(), 1, Integer::sum);
                learnedByVrf.merge(vrfOf(settings, path), 1, Integer::sum);
            }
        }
        ArrayNode peers = data.putArray("peers");
        Map<InetAddress, BgpState> states = speaker.peerStates();
        for (NeighborSettings neighbor : settings.neighbors()) {
            InetAddress address = neighbor.address();
            BgpState state = states.get(address);
            ObjectNode peer = peers.addObject();
            peer.put("address", address.getHostAddress());
            peer.put("remoteAsn", neighbor.remoteAsn());
            peer.put("state", state == null ? "Idle" : stateName(state));
            peer.put("establishedTransitions", speaker.establishedTransitions(address));
            long since = speaker.establishedAtEpochMs(address);
            if (state == BgpState.ESTABLISHED && since > 0) {
                peer.put("establishedSince", Instant.ofEpochMilli(since).toString());
                peer.put("uptimeSeconds", Math.max(0, (now - since) / 1000));
            }
            peer.put("pathsReceived", received.getOrDefault(address, 0));
            peer.put("bestPaths", bestByPeer.getOrDefault(address, 0));
            UpdateErrorCounters errors = speaker.updateErrorCounters(address);
            ObjectNode updateErrors = peer.putObject("updateErrors");
            errors.snapshot().forEach(updateErrors::put);
        }

        Set<String> fileVrfs = new HashSet<>();
        for (VrfConfig vrf : config.forwarding().vrfs()) {
            fileVrfs.add(vrf.name());
        }
        Map<Integer, ArrayNode> advertisedByVni = new LinkedHashMap<>();
        ArrayNode vrfs = data.putArray("vrfs");
        for (VrfSettings vrf : settings.vrfs()) {
            ObjectNode item = vrfs.addObject();
            item.put("name", vrf.name());
            item.put("l3Vni", vrf.l3Vni());
            item.put("routeDistinguisher", settings.routerId().getHostAddress() + ":" + vrf.routeDistinguisherNumber());
            ArrayNode exports = item.putArray("exportRouteTargets");
            vrf.effectiveExportRouteTargets(settings.asNumber()).forEach(target -> exports.add(target.toString()));
            ArrayNode imports = item.putArray("importRouteTargets");
            vrf.effectiveImportRouteTargets(settings.asNumber()).forEach(target -> imports.add(target.toString()));
            item.put("source", fileVrfs.contains(vrf.name()) ? "file" : "api");
            item.put("learnedBestPaths", learnedByVrf.getOrDefault(vrf.name(), 0));
            advertisedByVni.put(vrf.l3Vni(), item.putArray("advertised"));
        }
        int advertisedCount = 0;
        for (Path path : originated) {
            if (path.nlri() instanceof IpPrefixRoute route) {
                ArrayNode list = advertisedByVni.get(route.label());
                if (list != null) {
                    list.add(route.prefix().getHostAddress() + "/" + route.prefixLength());
                    advertisedCount++;
                }
            }
        }
        data.put("advertisedRoutes", advertisedCount);

        ObjectNode learned = data.putObject("learned");
        learned.put("bestPaths", learnedTotal);
        learned.put("limit", limit);
        ArrayNode paths = learned.putArray("paths");
        for (Path path : best) {
            if (path.source().isLocal()) {
                continue;
            }
            if (paths.size() >= limit) {
                break;
            }
            ObjectNode item = paths.addObject();
            item.put("vrf", vrfOf(settings, path));
            item.put("route", path.nlri().toString());
            item.put("nextHop", path.nextHop() == null ? null : path.nextHop().getHostAddress());
            item.put("peer", path.source().address().getHostAddress());
            item.put("stale", path.stale());
        }
        learned.put("truncated", learnedTotal > paths.size());
        ObjectNode counters = data.putObject("counters");
        new TreeMap<>(speaker.counters()).forEach(counters::put);
        return data;
    }

    /** The VRF of ours whose import targets a learned path carries, or {@link #NO_VRF}. */
    private static String vrfOf(BgpNodeSettings settings, Path path) {
        VrfSettings vrf = settings.vrfForRouteTargets(path.routeTargets());
        return vrf == null ? NO_VRF : vrf.name();
    }

    /** The FSM state as RFC 4271 §8.2.2 names it (Idle, Connect, Active, OpenSent, OpenConfirm, Established). */
    private static String stateName(BgpState state) {
        StringBuilder name = new StringBuilder();
        for (String word : state.name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }
}
