package io.softgate.service.intent;

import io.softgate.core.snapshot.SnapshotSlot;
import java.util.List;

/**
 * The controller's intent fully resolved for the data-plane compilers: VRFs with their VNIs and
 * routes, NAT rules, load-balancer services and ACLs with parsed addresses and port ranges, and
 * the public addresses the node owns. Published in every snapshot under {@link #SLOT}; each
 * feature module's adapter maps it into that module's own tables.
 *
 * <p>Threading: immutable.
 */
public record CompiledIntent(long generation, List<Vrf> vrfs, List<NatRule> natRules, List<LbService> lbServices,
                             List<AclRule> aclRules, List<IpPrefix> publicAddresses) {
    public static final SnapshotSlot<CompiledIntent> SLOT = SnapshotSlot.declare("intent", CompiledIntent.class);

    /** IP protocol numbers; 0 = any. */
    public static final int ANY_PROTOCOL = 0;

    public CompiledIntent {
        vrfs = List.copyOf(vrfs);
        natRules = List.copyOf(natRules);
        lbServices = List.copyOf(lbServices);
        aclRules = List.copyOf(aclRules);
        publicAddresses = List.copyOf(publicAddresses);
    }

    public Vrf vrf(String name) {
        for (Vrf vrf : vrfs) {
            if (vrf.name().equals(name)) {
                return vrf;
            }
        }
        return null;
    }

    /** A VPC as a VRF: its VXLAN ids (one per vNet), gateways, allocations and static routes. */
    public record Vrf(int vpcId, String name, boolean system, List<Integer> vnis, List<IpPrefix> gateways,
                      List<IpPrefix> allocations, List<Route> routes) {
        public Vrf {
            vnis = List.copyOf(vnis);
            gateways = List.copyOf(gateways);
            allocations = List.copyOf(allocations);
            routes = List.copyOf(routes);
        }
    }

    /** A static route: prefix -> next-hop address inside the VRF. */
    public record Route(IpPrefix prefix, IpPrefix nextHop) {
    }

    /** NAT actions the controller speaks. */
    public enum NatAction { SNAT, DNAT, MASQUERADE, ACCEPT_SNAT }

    /**
     * One NAT rule: match (protocol, source, destination, port ranges; 0-65535 = any) and
     * translation ({@code translateTo}, {@code translatePort}, 0 = keep).
     */
    public record NatRule(int id, String name, String vrf, NatAction action, int protocol, IpPrefix source,
                          int sourcePortFrom, int sourcePortTo, IpPrefix destination, int destinationPortFrom,
                          int destinationPortTo, IpPrefix translateTo, int translatePort, boolean enabled) {
    }

    /** A backend address and port. */
    public record Backend(IpPrefix address, int port) {
    }

    /** One L4 service: VIP, port and protocol, backends in the owning VRF, health check. */
    public record LbService(int id, String name, String vrf, int protocol, IpPrefix vip, int port,
                            List<Backend> backends, String healthCheck, int timeoutSeconds, String requestPath,
                            boolean enabled) {
        public LbService {
            backends = List.copyOf(backends);
        }
    }

    /** One ACL rule of a VRF, in the order the controller listed them. */
    public record AclRule(int id, String name, String vrf, boolean permit, int protocol, IpPrefix source,
                          IpPrefix destination, int sourcePortFrom, int sourcePortTo, int destinationPortFrom,
                          int destinationPortTo, boolean established, boolean reverse, int icmpType) {
    }
}
