package io.softgate.service.evpn;

import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.CompiledIntent;
import io.softgate.service.intent.IpPrefix;
import io.softgate.service.intent.VrfNumbering;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The public addresses the controller's committed intent makes the softgate serve: the translated
 * address (or pool) of every active SNAT rule, the public destination of every active DNAT rule
 * (port forwarding and 1:1 NAT), and the VIP of every active load-balancer service, where active
 * means in the data plane, as the adapters compile it: enabled, in a VPC that has a VRF (a vNet,
 * or the name of a VRF of the configuration file: {@link VrfNumbering#activeVrfs},
 * {@link VrfNumbering#inactiveReason}). A rule of a VPC without one is stored but not compiled, so
 * advertising its address would draw traffic the softgate drops; it is advertised once the VPC has
 * a vNet and withdrawn when its last vNet goes (unless another active rule, or the file, still
 * owns the address). NAT addresses are advertised while their rule is active; a VIP only while the
 * load balancer reports it available ({@link VipAdvertisements}), unless an active NAT rule also
 * serves that address.
 *
 * <p>Threading: immutable value.
 */
public record IntentPublicAddresses(List<InetAddress> natAddresses, List<PublicServices.PublicPool> natPools,
                                    Set<InetAddress> loadBalancerVips) {
    /** No intent (a node without the API, or before its first commit). */
    public static final IntentPublicAddresses NONE = new IntentPublicAddresses(List.of(), List.of(), Set.of());

    public IntentPublicAddresses {
        natAddresses = List.copyOf(natAddresses);
        natPools = List.copyOf(natPools);
        loadBalancerVips = Set.copyOf(loadBalancerVips);
    }

    /**
     * The public addresses of {@code intent}'s active rules and services, with {@code config} the
     * node's configuration file (its VRFs); a disabled one, or one of a VPC without a VRF, owns none.
     */
    public static IntentPublicAddresses of(SoftgateConfig config, CompiledIntent intent) {
        Set<String> active = VrfNumbering.activeVrfs(config, intent);
        Set<InetAddress> addresses = new LinkedHashSet<>();
        Set<PublicServices.PublicPool> pools = new LinkedHashSet<>();
        for (CompiledIntent.NatRule rule : intent.natRules()) {
            if (VrfNumbering.inactiveReason(active.contains(rule.vrf()), rule.enabled()) != null) {
                continue;
            }
            IpPrefix owned = switch (rule.action()) {
                case SNAT -> rule.translateTo();
                // The DNAT rule's destination is the public address (the validator demands a host prefix).
                case DNAT -> rule.destination();
                default -> null; // MASQUERADE and ACCEPT_SNAT name no public address of their own
            };
            if (owned == null) {
                continue;
            }
            IpPrefix network = owned.network();
            if (network.length() == network.address().length * 8) {
                addresses.add(address(network));
            } else {
                pools.add(new PublicServices.PublicPool(address(network), network.length()));
            }
        }
        Set<InetAddress> vips = new LinkedHashSet<>();
        for (CompiledIntent.LbService service : intent.lbServices()) {
            // The load balancer never runs an inactive service, so it never reports its VIP
            // available either; left out here too, so the address is not health-governed by it.
            if (VrfNumbering.inactiveReason(active.contains(service.vrf()), service.enabled()) == null
                && service.vip() != null) {
                vips.add(address(service.vip().network()));
            }
        }
        return new IntentPublicAddresses(new ArrayList<>(addresses), new ArrayList<>(pools), vips);
    }

    /** {@code file}'s public addresses and pools with these added (each once, the file's first). */
    public PublicServices addTo(PublicServices file) {
        Set<InetAddress> addresses = new LinkedHashSet<>(file.publicAddresses());
        addresses.addAll(natAddresses);
        addresses.addAll(loadBalancerVips);
        Set<PublicServices.PublicPool> pools = new LinkedHashSet<>(file.publicPools());
        pools.addAll(natPools);
        return file.withPublic(new ArrayList<>(addresses), new ArrayList<>(pools));
    }

    /**
     * The VIPs whose advertisement follows the load balancer's health: {@code fileVips} and the
     * intent's, less the addresses a NAT rule of the intent owns (NAT serves those whatever the
     * backends' health).
     */
    public Set<InetAddress> healthGoverned(Set<InetAddress> fileVips) {
        Set<InetAddress> governed = new LinkedHashSet<>(fileVips);
        governed.addAll(loadBalancerVips);
        natAddresses.forEach(governed::remove);
        return governed;
    }

    private static InetAddress address(IpPrefix prefix) {
        try {
            return InetAddress.getByAddress(prefix.address());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a parsed prefix has 4 or 16 bytes: " + prefix, e);
        }
    }
}
