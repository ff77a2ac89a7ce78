package io.softgate.service.evpn;

import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.StopMode;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.service.config.BgpConfig;
import io.softgate.service.config.BgpNeighborConfig;
import io.softgate.service.config.BgpVrfConfig;
import io.softgate.service.config.GracefulRestartStopKind;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.config.VrfConfig;
import io.softgate.service.features.LoadBalancerSection;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the speaker's {@link BgpNodeSettings} and the {@link PublicServices} from a validated
 * configuration: router id, AS, listen address and port and neighbours from {@code bgp}; VTEP and
 * router MAC from {@code node}; one EVPN VRF per {@code forwarding.vrfs[i]} with the same name and
 * L3VNI, route distinguisher {@code routerId:(i + 1)} unless {@code bgp.vrfs} sets it, and route
 * targets {@code ASN:L3VNI} unless overridden; and ({@link #apiVrf}) the EVPN VRF of a VPC the
 * controller created over the API.
 *
 * <p>Threading: stateless.
 */
public final class BgpSettingsFactory {
    /** RFC 4724: how long a restarted peer's routes may stay stale if its End-of-RIB never comes. */
    private static final int STALE_PATH_TIME_SECONDS = 360;

    private BgpSettingsFactory() {
    }

    public static BgpNodeSettings settings(SoftgateConfig config) {
        BgpConfig bgp = config.bgp();
        BgpNodeSettings.Builder builder = BgpNodeSettings.builder()
            .routerId(InetAddresses.parse(bgp.routerId()))
            .asNumber(bgp.asn())
            .vtepAddress(InetAddresses.parse(config.node().vtepAddress()))
            .routerMac(InetAddresses.parseMac(config.node().routerMac()));
        if (bgp.listenAddress() != null) {
            builder.listen(InetAddresses.parse(bgp.listenAddress()), bgp.listenPort());
        }
        for (BgpNeighborConfig neighbor : bgp.neighbors()) {
            NeighborSettings settings = NeighborSettings.evpn(InetAddresses.parse(neighbor.address()), neighbor.remoteAsn())
                .withPort(neighbor.port())
                .withPassive(neighbor.passive())
                .withHoldTimeSeconds(neighbor.holdTimeSeconds());
            if (neighbor.localAddress() != null) {
                settings = settings.withLocalAddress(InetAddresses.parse(neighbor.localAddress()));
            }
            builder.neighbor(settings);
        }
        List<VrfConfig> vrfs = config.forwarding().vrfs();
        for (int v = 0; v < vrfs.size(); v++) {
            VrfConfig vrf = vrfs.get(v);
            BgpVrfConfig evpn = bgp.vrf(vrf.name());
            int distinguisher = evpn != null && evpn.routeDistinguisherNumber() != null
                ? evpn.routeDistinguisherNumber() : v + 1;
            List<RouteTarget> export = evpn == null ? List.of() : targets(evpn.exportRouteTargets());
            List<RouteTarget> imports = evpn == null ? List.of() : targets(evpn.importRouteTargets());
            builder.vrf(new VrfSettings(vrf.name(), vrf.l3vni().intValue(), distinguisher, export, imports, -1));
        }
        // Restarting (the R bit) is not in the file: EvpnService sets it from the state directory's RestartMarker.
        builder.gracefulRestart(bgp.gracefulRestart().enabled()
            ? new GracefulRestartSettings(true, bgp.gracefulRestart().restartTimeSeconds(), false, true,
                STALE_PATH_TIME_SECONDS, bgp.gracefulRestart().notification(),
                bgp.gracefulRestart().onStop() == GracefulRestartStopKind.SHUTDOWN ? StopMode.SHUTDOWN : StopMode.RESTART,
                GracefulRestartSettings.DEFAULT_SELECTION_DEFERRAL_TIME_SECONDS)
            : GracefulRestartSettings.DISABLED);
        return builder.build();
    }

    /**
     * The EVPN VRF of an API VPC named {@code name} whose VRF has {@code l3Vni} (the VXLAN id of
     * its first vNet): route distinguisher {@code routerId:n} with n derived from the L3VNI
     * ({@link VrfSettings#derivedRouteDistinguisherNumber}: the same after every restart) and
     * route targets {@code ASN:L3VNI}, unless a {@code bgp.vrfs} entry of that name sets them.
     */
    public static VrfSettings apiVrf(BgpConfig bgp, String name, int l3Vni) {
        BgpVrfConfig evpn = bgp.vrf(name);
        int distinguisher = evpn != null && evpn.routeDistinguisherNumber() != null
            ? evpn.routeDistinguisherNumber() : VrfSettings.derivedRouteDistinguisherNumber(l3Vni);
        List<RouteTarget> export = evpn == null ? List.of() : targets(evpn.exportRouteTargets());
        List<RouteTarget> imports = evpn == null ? List.of() : targets(evpn.importRouteTargets());
        return new VrfSettings(name, l3Vni, distinguisher, export, imports, -1);
    }

    /** The public services the configuration file declares (the API's NAT/LB addresses are added by {@link IntentPublicAddresses}). */
    public static PublicServices publicServices(SoftgateConfig config) {
        BgpConfig bgp = config.bgp();
        List<InetAddress> addresses = new ArrayList<>();
        for (String address : bgp.publicAddresses()) {
            addresses.add(InetAddresses.parse(address));
        }
        Set<String> withServices = new HashSet<>();
        for (BgpVrfConfig vrf : bgp.vrfs()) {
            if (vrf.advertiseDefaultRoute()) {
                withServices.add(vrf.name());
            }
        }
        List<IpPrefix> underlay = new ArrayList<>();
        for (String prefix : bgp.underlayPrefixes()) {
            underlay.add(IpPrefix.parse(prefix));
        }
        underlay.add(IpPrefix.parse(config.node().vtepAddress() + "/32"));
        for (BgpNeighborConfig neighbor : bgp.neighbors()) {
            underlay.add(IpPrefix.parse(neighbor.address() + "/32"));
            if (neighbor.localAddress() != null) {
                underlay.add(IpPrefix.parse(neighbor.localAddress() + "/32"));
            }
        }
        return new PublicServices(config.node().publicVrf(), addresses, withServices, underlay);
    }

    /**
     * The VIPs of the configuration's {@code loadBalancer} services: advertised only while the load
     * balancer reports them available (see {@link VipAdvertisements}).
     */
    public static Set<InetAddress> loadBalancerVips(SoftgateConfig config) {
        Set<InetAddress> vips = new HashSet<>();
        if (config.loadBalancer() != null) {
            for (LoadBalancerSection.LbServiceSection service : config.loadBalancer().services()) {
                if (service != null && service.vip() != null) {
                    vips.add(InetAddresses.parse(service.vip()));
                }
            }
        }
        return vips;
    }

    private static List<RouteTarget> targets(List<String> texts) {
        List<RouteTarget> targets = new ArrayList<>();
        for (String text : texts) {
            targets.add(RouteTarget.parse(text));
        }
        return targets;
    }
}
