package io.softgate.service.evpn;

import io.softgate.evpn.bgp.EvpnRouteListener;
import io.softgate.evpn.bgp.IpPrefixRouteUpdate;
import io.softgate.evpn.bgp.MacIpRouteUpdate;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.Ipv4Prefix;
import io.softgate.evpn.forwarding.model.Ipv6Prefix;
import io.softgate.evpn.forwarding.model.MacAddress;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns learned EVPN routes into forwarding intent (RFC 9135 symmetric IRB, RFC 9136 type-5):
 * a type-2 MAC/IP route carrying an L3VNI and a Router's MAC becomes a host route (/32 or /128)
 * in the VPC's VRF via that VTEP and router MAC; a type-5 route becomes a prefix route; a
 * withdrawal removes what the route installed. The VRF is the one whose import route targets
 * match the route's (exact match), never chosen by address, so two VPCs may hold the same
 * prefixes. Routes that cannot be forwarded (no L3VNI, no Router's MAC, an IPv6 next hop, our
 * own VTEP, a label that is not the VRF's L3VNI) are counted and ignored. Every change asks
 * {@code onChange} for a recompile, which coalesces bursts.
 *
 * <p>Threading: the listener methods run on the speaker's event loop, one at a time, and only
 * touch the thread-safe {@link LearnedRoutes} and atomic counters; they never block.
 */
public final class EvpnRouteBridge implements EvpnRouteListener {
    private static final Logger LOG = LoggerFactory.getLogger(EvpnRouteBridge.class);
    static final int MAC_IP_ROUTE = 2;
    static final int IP_PREFIX_ROUTE = 5;

    private final Supplier<BgpNodeSettings> settings;
    private final LearnedRoutes routes;
    private final Runnable onChange;
    private final AtomicLong installed = new AtomicLong();
    private final AtomicLong withdrawn = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();

    /** A bridge over fixed settings (tests; a speaker whose VRFs never change). */
    public EvpnRouteBridge(BgpNodeSettings settings, LearnedRoutes routes, Runnable onChange) {
        this(() -> settings, routes, onChange);
    }

    /**
     * A bridge that reads the VRFs from {@code settings} at every update ({@code speaker::settings}:
     * the speaker swaps them on its event loop before it reports the routes a VRF added at run
     * time imports, or the withdrawals of one removed).
     */
    public EvpnRouteBridge(Supplier<BgpNodeSettings> settings, LearnedRoutes routes, Runnable onChange) {
        this.settings = settings;
        this.routes = routes;
        this.onChange = onChange;
    }

    @Override
    public void macIpRouteChanged(MacIpRouteUpdate update) {
        if (update.ipAddress() == null) {
            // A MAC-only route (RFC 7432 §7.2) bridges inside the MAC-VRF; a routing gateway has no use for it.
            return;
        }
        IpPrefix host = hostPrefix(update.ipAddress());
        if (update.withdrawn()) {
            remove(MAC_IP_ROUTE, update.routeDistinguisher().value(), update.macAddress(), host, update);
            return;
        }
        // RFC 9135 §4.1: only a route with the L3VNI label and a Router's MAC can be routed to symmetrically.
        if (update.l3Vni() < 0 || update.routersMac() < 0) {
            ignore("no L3VNI or Router's MAC (asymmetric IRB is not supported)", update);
            return;
        }
        install(MAC_IP_ROUTE, update.routeDistinguisher().value(), update.macAddress(), update.l3Vni(), host,
            update.nextHopVtep(), update.routersMac(), update.routeTargets(), update.macMobilitySequence(), update);
    }

    @Override
    public void ipPrefixRouteChanged(IpPrefixRouteUpdate update) {
        IpPrefix prefix = prefix(update.prefix(), update.prefixLength());
        if (update.withdrawn()) {
            remove(IP_PREFIX_ROUTE, update.routeDistinguisher().value(), 0, prefix, update);
            return;
        }
        if (update.routersMac() < 0) {
            ignore("no Router's MAC", update);
            return;
        }
        install(IP_PREFIX_ROUTE, update.routeDistinguisher().value(), 0, update.l3Vni(), prefix, update.nextHopVtep(),
            update.routersMac(), update.routeTargets(), 0, update);
    }

    private void install(int routeType, long routeDistinguisher, long mac, int l3Vni, IpPrefix prefix,
                         InetAddress nextHopVtep, long routersMac, List<RouteTarget> targets, long sequence,
                         Object update) {
        BgpNodeSettings node = settings.get();
        VrfSettings vrf = node.vrfForRouteTargets(targets);
        if (vrf == null) {
            // Not one of our VRFs; if it was before (targets changed), forget what it installed.
            if (routes.removeMatching(routeType, routeDistinguisher, mac, prefix)) {
                onChange.run();
            }
            ignore("no VRF imports its route targets", update);
            return;
        }
        if (vrf.l3Vni() != l3Vni) {
            ignore("label " + l3Vni + " is not the L3VNI " + vrf.l3Vni() + " of VRF " + vrf.name(), update);
            return;
        }
        if (!(nextHopVtep instanceof Inet4Address)) {
            ignore("next hop is not an IPv4 VTEP", update);
            return;
        }
        if (nextHopVtep.equals(node.vtepAddress())) {
            ignore("next hop is our own VTEP", update);
            return;
        }
        int vtep = ByteBuffer.wrap(nextHopVtep.getAddress()).getInt();
        RouteIntent route = new RouteIntent(vrf.name(), prefix,
            new NextHop.RemoteVtep(new Ipv4Address(vtep), new MacAddress(routersMac)), RouteSource.BGP);
        // An update for the same route with other targets may move it to another VRF: drop the old one first.
        boolean changed = routes.removeMatching(routeType, routeDistinguisher, mac, prefix);
        changed |= routes.put(new LearnedRoutes.Key(routeType, routeDistinguisher, mac, vrf.name(), prefix), route, sequence);
        if (changed) {
            installed.incrementAndGet();
            LOG.debug("learned {} -> {}", update, route);
            onChange.run();
        }
    }

    private void remove(int routeType, long routeDistinguisher, long mac, IpPrefix prefix, Object update) {
        if (routes.removeMatching(routeType, routeDistinguisher, mac, prefix)) {
            withdrawn.incrementAndGet();
            LOG.debug("withdrawn {}", update);
            onChange.run();
        }
    }

    private void ignore(String why, Object update) {
        ignored.incrementAndGet();
        LOG.debug("ignored ({}): {}", why, update);
    }

    /** Routes installed or replaced since start. */
    public long installedCount() {
        return installed.get();
    }

    public long withdrawnCount() {
        return withdrawn.get();
    }

    /** Learned routes that could not be used (see the class comment). */
    public long ignoredCount() {
        return ignored.get();
    }

    static IpPrefix hostPrefix(InetAddress address) {
        return prefix(address, address.getAddress().length * 8);
    }

    static IpPrefix prefix(InetAddress address, int length) {
        ByteBuffer bytes = ByteBuffer.wrap(address.getAddress());
        if (address instanceof Inet4Address) {
            int value = bytes.getInt();
            return new Ipv4Prefix(value & Ipv4Prefix.mask(length), length);
        }
        long high = bytes.getLong();
        long low = bytes.getLong();
        return new Ipv6Prefix(high & Ipv6Prefix.maskHigh(length), low & Ipv6Prefix.maskLow(length), length);
    }
}
