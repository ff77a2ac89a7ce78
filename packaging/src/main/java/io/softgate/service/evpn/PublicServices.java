package io.softgate.service.evpn;

import io.softgate.evpn.forwarding.model.IpPrefix;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * What the softgate offers, as far as routing is concerned: the public addresses it owns (SNAT
 * addresses, DNAT and 1:1 addresses, load-balancer VIPs) and the SNAT pools wider than one address
 * in its public VRF, the tenant VRFs that have a NAT or load-balancer service (and so need a
 * default route toward us), and the underlay's prefixes, which must never be advertised into a
 * tenant VRF. The configuration file fills it ({@link BgpSettingsFactory#publicServices}) and the
 * controller's committed intent adds to it ({@link IntentPublicAddresses#addTo}).
 *
 * <p>Threading: immutable value.
 */
public record PublicServices(String publicVrf, List<InetAddress> publicAddresses, List<PublicPool> publicPools,
                             Set<String> vrfsWithServices, List<IpPrefix> underlayPrefixes) {
    public PublicServices {
        publicAddresses = List.copyOf(publicAddresses);
        publicPools = List.copyOf(publicPools);
        vrfsWithServices = Set.copyOf(vrfsWithServices);
        underlayPrefixes = List.copyOf(underlayPrefixes);
    }

    /** Public services without address pools (every public address a host route). */
    public PublicServices(String publicVrf, List<InetAddress> publicAddresses, Set<String> vrfsWithServices,
                          List<IpPrefix> underlayPrefixes) {
        this(publicVrf, publicAddresses, List.of(), vrfsWithServices, underlayPrefixes);
    }

    /** The same services with {@code addresses} and {@code pools} as the public addresses and pools. */
    public PublicServices withPublic(List<InetAddress> addresses, List<PublicPool> pools) {
        return new PublicServices(publicVrf, addresses, pools, vrfsWithServices, underlayPrefixes);
    }

    /** The same services with a default route into {@code vrfs} too (API VPCs' VRFs). */
    public PublicServices withDefaultRouteInto(Set<String> vrfs) {
        if (vrfs.isEmpty()) {
            return this;
        }
        Set<String> all = new java.util.LinkedHashSet<>(vrfsWithServices);
        all.addAll(vrfs);
        return new PublicServices(publicVrf, publicAddresses, publicPools, all, underlayPrefixes);
    }

    /**
     * An address pool advertised as one prefix ({@code network/length}, host bits clear), e.g. an
     * SNAT pool {@code 198.51.100.8/29}.
     *
     * <p>Threading: immutable value.
     */
    public record PublicPool(InetAddress network, int length) {
        @Override
        public String toString() {
            return network.getHostAddress() + "/" + length;
        }
    }
}
