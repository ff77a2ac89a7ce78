package io.softgate.service.evpn;

import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.Ipv4Prefix;
import io.softgate.evpn.forwarding.model.Ipv6Prefix;
import io.softgate.evpn.forwarding.model.VrfIntent;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The type-5 routes the softgate originates, as a function of its forwarding intent and its
 * public services: a host route (/32 or /128) for every public address and one prefix route per
 * address pool (an SNAT pool) in the public VRF, and a
 * default route (0.0.0.0/0) into every tenant VRF that has a NAT or load-balancer service. A
 * prefix inside one of the underlay's prefixes is never advertised into a tenant VRF (LAB.md:
 * without VRF devices the hypervisors keep tenant routes in the underlay's table, and such a
 * route would pull underlay traffic into the tunnel).
 *
 * <p>Threading: stateless.
 */
public final class AdvertisementPlan {
    private AdvertisementPlan() {
    }

    /** The advertisements for {@code intent} and {@code services}; VRFs unknown to the intent are skipped. */
    public static Set<Type5Advertisement> of(ForwardingIntent intent, PublicServices services) {
        Set<Type5Advertisement> plan = new LinkedHashSet<>();
        for (VrfIntent vrf : intent.vrfs()) {
            boolean publicVrf = vrf.name().equals(services.publicVrf());
            if (publicVrf) {
                for (InetAddress address : services.publicAddresses()) {
                    add(plan, vrf, address, address.getAddress().length * 8, services);
                }
                for (PublicServices.PublicPool pool : services.publicPools()) {
                    add(plan, vrf, pool.network(), pool.length(), services);
                }
            }
            if (services.vrfsWithServices().contains(vrf.name()) && !publicVrf) {
                add(plan, vrf, ipv4Zero(), 0, services);
            }
        }
        return plan;
    }

    private static void add(Set<Type5Advertisement> plan, VrfIntent vrf, InetAddress prefix, int length,
                            PublicServices services) {
        IpPrefix candidate = EvpnRouteBridge.prefix(prefix, length);
        for (IpPrefix underlay : services.underlayPrefixes()) {
            if (inside(candidate, underlay)) {
                return;
            }
        }
        plan.add(new Type5Advertisement(vrf.l3Vni(), prefix, length));
    }

    /** True when every address of {@code inner} lies in {@code outer}. */
    static boolean inside(IpPrefix inner, IpPrefix outer) {
        if (inner.length() < outer.length()) {
            return false;
        }
        if (inner instanceof Ipv4Prefix in && outer instanceof Ipv4Prefix out) {
            return out.contains(in.address());
        }
        if (inner instanceof Ipv6Prefix in && outer instanceof Ipv6Prefix out) {
            return out.contains(in.high(), in.low());
        }
        return false;
    }

    private static InetAddress ipv4Zero() {
        try {
            return Inet4Address.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
