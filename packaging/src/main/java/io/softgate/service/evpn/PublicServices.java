package io.softgate.service.evpn;

import io.softgate.evpn.forwarding.model.IpPrefix;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * What the softgate offers, as far as routing is concerned: the public addresses it owns (SNAT
 * pools, DNAT and 1:1 addresses, load-balancer VIPs) in its public VRF, the tenant VRFs that have
 * a NAT or load-balancer service (and so need a default route toward us), and the underlay's
 * prefixes, which must never be advertised into a tenant VRF. Today the configuration file fills
 * it; the NAT/LB resources of the API feed the same record later.
 *
 * <p>Threading: immutable value.
 */
public record PublicServices(String publicVrf, List<InetAddress> publicAddresses, Set<String> vrfsWithServices,
                             List<IpPrefix> underlayPrefixes) {
    public PublicServices {
        publicAddresses = List.copyOf(publicAddresses);
        vrfsWithServices = Set.copyOf(vrfsWithServices);
        underlayPrefixes = List.copyOf(underlayPrefixes);
    }
}
