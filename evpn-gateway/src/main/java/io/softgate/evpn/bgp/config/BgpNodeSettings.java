package io.softgate.evpn.bgp.config;

import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the BGP speaker of one softgate node needs, as the service fills it from its
 * configuration file. The VRFs may change at run time ({@code BgpSpeaker.updateVrfs}): the
 * speaker then swaps in a copy made by {@link #withVrfs}.
 *
 * @param routerId the BGP identifier and the address part of every route distinguisher
 * @param asNumber our AS (4-octet allowed)
 * @param vtepAddress the VXLAN tunnel endpoint: next hop of every advertised route
 * @param routerMac the Router's MAC put on every route (unless a VRF overrides it)
 * @param listenAddress where to accept BGP connections, or null to accept none
 * @param listenPort the TCP port to listen on (179; tests use others)
 * @param neighbors the peers
 * @param vrfs the VRFs, each with its L3VNI
 * @param gracefulRestart graceful restart settings
 * @param connectRetryInitialMillis first connect-retry delay; doubles per failure
 * @param connectRetryMaxMillis the connect-retry delay's ceiling
 *
 * <p>Threading: immutable, safe to share.
 */
public record BgpNodeSettings(InetAddress routerId, long asNumber, InetAddress vtepAddress, long routerMac,
                              InetAddress listenAddress, int listenPort, List<NeighborSettings> neighbors,
                              List<VrfSettings> vrfs, GracefulRestartSettings gracefulRestart,
                              long connectRetryInitialMillis, long connectRetryMaxMillis) {
    public BgpNodeSettings {
        neighbors = List.copyOf(neighbors);
        vrfs = List.copyOf(vrfs);
        if (routerId.getAddress().length != 4) {
            throw new IllegalArgumentException("router id must be an IPv4 address: " + routerId);
        }
        if (asNumber <= 0 || asNumber > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("AS number: " + asNumber);
        }
        if ((routerMac & 0x0100_0000_0000L) != 0) {
            throw new IllegalArgumentException("router MAC must be unicast: " + InetAddresses.formatMac(routerMac));
        }
        List<Integer> vnis = new ArrayList<>();
        for (VrfSettings vrf : vrfs) {
            if (vnis.contains(vrf.l3Vni())) {
                throw new IllegalArgumentException("L3VNI used twice: " + vrf.l3Vni());
            }
            vnis.add(vrf.l3Vni());
        }
    }

    /** These settings with {@code nextVrfs} as the VRFs (validated as the constructor does). */
    public BgpNodeSettings withVrfs(List<VrfSettings> nextVrfs) {
        return new BgpNodeSettings(routerId, asNumber, vtepAddress, routerMac, listenAddress, listenPort, neighbors,
                nextVrfs, gracefulRestart, connectRetryInitialMillis, connectRetryMaxMillis);
    }

    /** These settings with {@code next} as the graceful restart settings. */
    public BgpNodeSettings withGracefulRestart(GracefulRestartSettings next) {
        return new BgpNodeSettings(routerId, asNumber, vtepAddress, routerMac, listenAddress, listenPort, neighbors,
                vrfs, next, connectRetryInitialMillis, connectRetryMaxMillis);
    }

    public long routerIdAsLong() {
        return InetAddresses.toInt(routerId) & 0xFFFF_FFFFL;
    }

    /** The VRF with this L3VNI, or null. */
    public VrfSettings vrfByL3Vni(int l3Vni) {
        for (VrfSettings vrf : vrfs) {
            if (vrf.l3Vni() == l3Vni) {
                return vrf;
            }
        }
        return null;
    }

    /**
     * The VRF a learned route belongs to: the first whose import targets ({@code ASN:L3VNI} by
     * default) include one of the route's targets, or null when none does.
     */
    public VrfSettings vrfForRouteTargets(java.util.Collection<io.softgate.evpn.bgp.community.RouteTarget> routeTargets) {
        for (VrfSettings vrf : vrfs) {
            for (io.softgate.evpn.bgp.community.RouteTarget target : vrf.effectiveImportRouteTargets(asNumber)) {
                if (routeTargets.contains(target)) {
                    return vrf;
                }
            }
        }
        return null;
    }

    /** The Router's MAC for {@code vrf}: one per (VTEP address, L3VNI), never absent. */
    public long routerMacFor(VrfSettings vrf) {
        return vrf.routerMac() >= 0 ? vrf.routerMac() : routerMac;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builder with defaults: port 179, graceful restart on, connect retry 1 s doubling to 60 s.
     *
     * <p>Threading: not thread-safe; use from one thread.
     */
    public static final class Builder {
        private InetAddress routerId;
        private long asNumber;
        private InetAddress vtepAddress;
        private long routerMac;
        private InetAddress listenAddress;
        private int listenPort = NeighborSettings.BGP_PORT;
        private final List<NeighborSettings> neighbors = new ArrayList<>();
        private final List<VrfSettings> vrfs = new ArrayList<>();
        private GracefulRestartSettings gracefulRestart = GracefulRestartSettings.DEFAULT;
        private long connectRetryInitialMillis = 1000;
        private long connectRetryMaxMillis = 60_000;

        public Builder routerId(InetAddress value) {
            routerId = value;
            return this;
        }

        public Builder asNumber(long value) {
            asNumber = value;
            return this;
        }

        public Builder vtepAddress(InetAddress value) {
            vtepAddress = value;
            return this;
        }

        public Builder routerMac(long value) {
            routerMac = value;
            return this;
        }

        public Builder listen(InetAddress address, int port) {
            listenAddress = address;
            listenPort = port;
            return this;
        }

        public Builder neighbor(NeighborSettings value) {
            neighbors.add(value);
            return this;
        }

        public Builder vrf(VrfSettings value) {
            vrfs.add(value);
            return this;
        }

        public Builder gracefulRestart(GracefulRestartSettings value) {
            gracefulRestart = value;
            return this;
        }

        public Builder connectRetry(long initialMillis, long maxMillis) {
            connectRetryInitialMillis = initialMillis;
            connectRetryMaxMillis = maxMillis;
            return this;
        }

        public BgpNodeSettings build() {
            return new BgpNodeSettings(routerId, asNumber, vtepAddress, routerMac, listenAddress, listenPort, neighbors,
                    vrfs, gracefulRestart, connectRetryInitialMillis, connectRetryMaxMillis);
        }
    }
}
