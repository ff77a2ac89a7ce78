package io.softgate.evpn.forwarding.compiler;

import io.softgate.core.pipeline.PacketFlags;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.Ipv4Prefix;
import io.softgate.evpn.forwarding.model.Ipv6Prefix;
import io.softgate.evpn.forwarding.model.MacAddress;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.RemoteVtepIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.evpn.forwarding.table.AdjacencyTable;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.evpn.forwarding.table.Ipv4RouteTable;
import io.softgate.evpn.forwarding.table.Ipv6RouteTable;
import io.softgate.evpn.forwarding.table.NextHopGroups;
import io.softgate.evpn.forwarding.table.RouteResult;
import io.softgate.evpn.forwarding.table.VniMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates {@link ForwardingIntent} and compiles it into immutable {@link ForwardingTables}.
 * Rules: VRF names, ids and L3VNIs are unique; VNIs are in 1..2^24-1; every route names a known
 * VRF and a prefix without host bits; a remote VTEP is a unicast address other than ours and
 * keeps one router MAC per VRF (LAB.md: a second MAC for the same VTEP and L3VNI blackholes the
 * VTEP on the hypervisors); routes for the same (VRF, prefix) from the same source either all go
 * to remote VTEPs (an ECMP group) or are a single local/blackhole route; a static route beats a
 * BGP route for the same prefix. Every violation is a {@link ForwardingConfigException} that
 * names the field.
 *
 * <p>Threading: stateless; {@link #compile} may be called from any control thread.
 */
public final class ForwardingCompiler {
    /** Smallest underlay MTU: the inner MTU must be at least IPv6's minimum of 1280 (RFC 8200 §5). */
    public static final int MIN_UNDERLAY_MTU_BYTES = 1280 + ForwardingTables.ENCAPSULATION_OVERHEAD;
    public static final int MAX_UNDERLAY_MTU_BYTES = 9216;
    public static final int MAX_VNI = 0xFF_FFFF;

    /** Compiles {@code intent}; throws {@link ForwardingConfigException} naming the first bad field. */
    public ForwardingTables compile(ForwardingIntent intent) {
        NodeIntent node = intent.node();
        validateNode(node);
        Map<String, Integer> vrfIndex = indexVrfs(intent.vrfs());
        Map<Integer, RemoteVtepIntent> overrides = indexRemoteVteps(intent.remoteVteps(), node);

        int vrfCount = intent.vrfs().size();
        List<Map<IpPrefix, List<Integer>>> routesByVrf = new ArrayList<>();
        for (int v = 0; v < vrfCount; v++) {
            routesByVrf.add(new LinkedHashMap<>());
        }
        Map<Long, Long> routerMacByVrfAndVtep = new HashMap<>();
        Map<Long, Integer> firstRouteByVrfAndVtep = new HashMap<>();
        List<RouteIntent> routes = intent.routes();
        for (int r = 0; r < routes.size(); r++) {
            RouteIntent route = routes.get(r);
            String field = "routes[" + r + "]";
            Integer vrf = vrfIndex.get(route.vrf());
            if (vrf == null) {
                throw new ForwardingConfigException(field + ".vrf", "unknown VRF '" + route.vrf() + "'");
            }
            if (route.prefix().hasHostBits()) {
                throw new ForwardingConfigException(field + ".prefix",
                    "host bits set beyond the prefix length in " + route.prefix());
            }
            if (route.nextHop() instanceof NextHop.RemoteVtep remote) {
                validateRemoteVtep(field + ".nextHop", remote, node);
                long key = ((long) vrf << 32) | (remote.vtep().value() & 0xFFFF_FFFFL);
                Long previous = routerMacByVrfAndVtep.putIfAbsent(key, remote.routerMac().value());
                if (previous != null && previous != remote.routerMac().value()) {
                    throw new ForwardingConfigException(field + ".nextHop.routerMac", "VTEP " + remote.vtep()
                        + " already has router MAC " + new MacAddress(previous) + " in VRF '" + route.vrf()
                        + "' (routes[" + firstRouteByVrfAndVtep.get(key) + "]); one router MAC per VTEP and L3VNI");
                }
                firstRouteByVrfAndVtep.putIfAbsent(key, r);
            }
            routesByVrf.get(vrf).computeIfAbsent(route.prefix(), p -> new ArrayList<>()).add(r);
        }

        Map<AdjacencyKey, Integer> adjacencyIndex = new LinkedHashMap<>();
        Map<List<Integer>, Integer> groupIndex = new LinkedHashMap<>();
        Ipv4RouteTable[] ipv4Tables = new Ipv4RouteTable[vrfCount];
        Ipv6RouteTable[] ipv6Tables = new Ipv6RouteTable[vrfCount];
        for (int v = 0; v < vrfCount; v++) {
            int l3Vni = intent.vrfs().get(v).l3Vni();
            List<Ipv4Prefix> ipv4Prefixes = new ArrayList<>();
            List<Integer> ipv4Results = new ArrayList<>();
            List<Ipv6Prefix> ipv6Prefixes = new ArrayList<>();
            List<Integer> ipv6Results = new ArrayList<>();
            for (Map.Entry<IpPrefix, List<Integer>> entry : routesByVrf.get(v).entrySet()) {
                int result = resolve(entry.getValue(), routes, l3Vni, node, overrides, adjacencyIndex, groupIndex);
                if (entry.getKey() instanceof Ipv4Prefix ipv4) {
                    ipv4Prefixes.add(ipv4);
                    ipv4Results.add(result);
                } else {
                    ipv6Prefixes.add((Ipv6Prefix) entry.getKey());
                    ipv6Results.add(result);
                }
            }
            ipv4Tables[v] = Ipv4RouteTable.build(ipv4Prefixes, toArray(ipv4Results));
            ipv6Tables[v] = Ipv6RouteTable.build(ipv6Prefixes, toArray(ipv6Results));
        }
        return assemble(intent, node, ipv4Tables, ipv6Tables, adjacencyIndex, groupIndex);
    }

    private static void validateNode(NodeIntent node) {
        validateUnicastAddress("node.vtepAddress", node.vtepAddress());
        validateUnicastMac("node.routerMac", node.routerMac());
        validateUnicastMac("node.underlayMac", node.underlayMac());
        if (node.underlayNextHopMac().value() == 0) {
            throw new ForwardingConfigException("node.underlayNextHopMac", "must not be 00:00:00:00:00:00");
        }
        if (node.underlayPort() < 0) {
            throw new ForwardingConfigException("node.underlayPort", "must be >= 0: " + node.underlayPort());
        }
        if (node.underlayMtuBytes() < MIN_UNDERLAY_MTU_BYTES || node.underlayMtuBytes() > MAX_UNDERLAY_MTU_BYTES) {
            throw new ForwardingConfigException("node.underlayMtuBytes", "must be in " + MIN_UNDERLAY_MTU_BYTES
                + ".." + MAX_UNDERLAY_MTU_BYTES + " (inner MTU >= 1280 for IPv6): " + node.underlayMtuBytes());
        }
        if (node.icmpErrorsPerSecond() < 0 || node.icmpErrorsPerSecond() > 1_000_000_000) {
            throw new ForwardingConfigException("node.icmpErrorsPerSecond",
                "must be in 0..1000000000 (0 disables ICMP errors): " + node.icmpErrorsPerSecond());
        }
        if (node.icmpErrorBurst() < (node.icmpErrorsPerSecond() > 0 ? 1 : 0)) {
            throw new ForwardingConfigException("node.icmpErrorBurst",
                "must be >= 1 when ICMP errors are enabled: " + node.icmpErrorBurst());
        }
    }

    private static Map<String, Integer> indexVrfs(List<VrfIntent> vrfs) {
        Map<String, Integer> byName = new HashMap<>();
        Map<Integer, Integer> byVni = new HashMap<>();
        Map<Integer, Integer> byId = new HashMap<>();
        for (int v = 0; v < vrfs.size(); v++) {
            VrfIntent vrf = vrfs.get(v);
            String field = "vrfs[" + v + "]";
            if (vrf.name().isBlank()) {
                throw new ForwardingConfigException(field + ".name", "must not be blank");
            }
            Integer other = byName.putIfAbsent(vrf.name(), v);
            if (other != null) {
                throw new ForwardingConfigException(field + ".name",
                    "duplicate VRF name '" + vrf.name() + "' (also vrfs[" + other + "])");
            }
            if (vrf.l3Vni() < 1 || vrf.l3Vni() > MAX_VNI) {
                throw new ForwardingConfigException(field + ".l3Vni", "must be in 1.." + MAX_VNI + ": " + vrf.l3Vni());
            }
            other = byVni.putIfAbsent(vrf.l3Vni(), v);
            if (other != null) {
                throw new ForwardingConfigException(field + ".l3Vni", "duplicate VNI " + vrf.l3Vni()
                    + " (also vrfs[" + other + "] '" + vrfs.get(other).name() + "')");
            }
            if (vrf.id() < 0) {
                throw new ForwardingConfigException(field + ".id", "must be >= 0: " + vrf.id());
            }
            other = byId.putIfAbsent(vrf.id(), v);
            if (other != null) {
                throw new ForwardingConfigException(field + ".id", "duplicate VRF id " + vrf.id()
                    + " (also vrfs[" + other + "] '" + vrfs.get(other).name() + "')");
            }
            if (vrf.gatewayIpv4() != null) {
                validateUnicastAddress(field + ".gatewayIpv4", vrf.gatewayIpv4());
            }
            if (vrf.gatewayIpv6() != null && ((vrf.gatewayIpv6().high() >>> 56) == 0xFF
                || (vrf.gatewayIpv6().high() == 0 && vrf.gatewayIpv6().low() == 0))) {
                throw new ForwardingConfigException(field + ".gatewayIpv6",
                    "must be a unicast address: " + vrf.gatewayIpv6());
            }
        }
        return byName;
    }

    private static Map<Integer, RemoteVtepIntent> indexRemoteVteps(List<RemoteVtepIntent> vteps, NodeIntent node) {
        Map<Integer, RemoteVtepIntent> byAddress = new HashMap<>();
        Map<Integer, Integer> position = new HashMap<>();
        for (int i = 0; i < vteps.size(); i++) {
            RemoteVtepIntent vtep = vteps.get(i);
            String field = "remoteVteps[" + i + "]";
            validateUnicastAddress(field + ".address", vtep.address());
            if (vtep.address().equals(node.vtepAddress())) {
                throw new ForwardingConfigException(field + ".address", "is our own VTEP address " + vtep.address());
            }
            if (vtep.egressPort() < 0) {
                throw new ForwardingConfigException(field + ".egressPort", "must be >= 0: " + vtep.egressPort());
            }
            if (vtep.underlayNextHopMac().value() == 0) {
                throw new ForwardingConfigException(field + ".underlayNextHopMac", "must not be 00:00:00:00:00:00");
            }
            Integer other = position.putIfAbsent(vtep.address().value(), i);
            if (other != null) {
                throw new ForwardingConfigException(field + ".address",
                    "duplicate remote VTEP " + vtep.address() + " (also remoteVteps[" + other + "])");
            }
            byAddress.put(vtep.address().value(), vtep);
        }
        return byAddress;
    }

    private static void validateRemoteVtep(String field, NextHop.RemoteVtep remote, NodeIntent node) {
        validateUnicastAddress(field + ".vtep", remote.vtep());
        if (remote.vtep().equals(node.vtepAddress())) {
            throw new ForwardingConfigException(field + ".vtep", "is our own VTEP address " + remote.vtep());
        }
        validateUnicastMac(field + ".routerMac", remote.routerMac());
    }

    private static void validateUnicastAddress(String field, Ipv4Address address) {
        int first = address.value() >>> 24;
        if (address.value() == 0 || first == 127 || first >= 224) {
            throw new ForwardingConfigException(field, "must be a unicast IPv4 address: " + address);
        }
    }

    private static void validateUnicastMac(String field, MacAddress mac) {
        if (mac.value() == 0 || mac.isMulticast()) {
            throw new ForwardingConfigException(field, "must be a unicast MAC address: " + mac);
        }
    }

    /**
     * The result for one (VRF, prefix): static routes shadow BGP ones; several remote VTEPs from
     * the winning source form an ECMP group.
     */
    private static int resolve(List<Integer> candidates, List<RouteIntent> routes, int l3Vni, NodeIntent node,
                               Map<Integer, RemoteVtepIntent> overrides, Map<AdjacencyKey, Integer> adjacencyIndex,
                               Map<List<Integer>, Integer> groupIndex) {
        RouteSource winner = RouteSource.BGP;
        for (int r : candidates) {
            if (routes.get(r).source() == RouteSource.STATIC) {
                winner = RouteSource.STATIC;
            }
        }
        List<Integer> members = new ArrayList<>();
        int special = -1;
        int first = -1;
        for (int r : candidates) {
            RouteIntent route = routes.get(r);
            if (route.source() != winner) {
                continue;
            }
            String field = "routes[" + r + "]";
            if (first >= 0 && (special >= 0 || !(route.nextHop() instanceof NextHop.RemoteVtep))) {
                throw new ForwardingConfigException(field + ".prefix", "duplicate route for " + route.prefix()
                    + " in VRF '" + route.vrf() + "' (also routes[" + first + "]); only routes to remote VTEPs"
                    + " may share a prefix (ECMP)");
            }
            if (first < 0) {
                first = r;
            }
            if (route.nextHop() instanceof NextHop.Blackhole) {
                special = RouteResult.BLACKHOLE;
            } else if (route.nextHop() instanceof NextHop.Local) {
                special = RouteResult.LOCAL;
            } else if (route.nextHop() instanceof NextHop.IpPort ipPort) {
                // A bare IP packet needs no VNI, VTEP or MACs: one adjacency per port.
                AdjacencyKey key = new AdjacencyKey(0, 0, 0L, ipPort.port(), 0L, true);
                Integer adjacency = adjacencyIndex.computeIfAbsent(key, k -> adjacencyIndex.size());
                if (members.contains(adjacency)) {
                    throw new ForwardingConfigException(field + ".nextHop", "duplicate route for " + route.prefix()
                        + " via IP port " + ipPort.port() + " in VRF '" + route.vrf() + "' (also routes[" + first + "])");
                }
                members.add(adjacency);
            } else {
                NextHop.RemoteVtep remote = (NextHop.RemoteVtep) route.nextHop();
                RemoteVtepIntent override = overrides.get(remote.vtep().value());
                AdjacencyKey key = new AdjacencyKey(l3Vni, remote.vtep().value(), remote.routerMac().value(),
                    override != null ? override.egressPort() : node.underlayPort(),
                    override != null ? override.underlayNextHopMac().value() : node.underlayNextHopMac().value(), false);
                Integer adjacency = adjacencyIndex.computeIfAbsent(key, k -> adjacencyIndex.size());
                if (members.contains(adjacency)) {
                    throw new ForwardingConfigException(field + ".nextHop", "duplicate route for " + route.prefix()
                        + " via " + remote.vtep() + " in VRF '" + route.vrf() + "' (also routes[" + first + "])");
                }
                members.add(adjacency);
            }
        }
        if (special >= 0) {
            return special;
        }
        members.sort(null);
        int group = groupIndex.computeIfAbsent(List.copyOf(members), m -> groupIndex.size());
        return RouteResult.ofGroup(group);
    }

    private static ForwardingTables assemble(ForwardingIntent intent, NodeIntent node, Ipv4RouteTable[] ipv4Tables,
                                             Ipv6RouteTable[] ipv6Tables, Map<AdjacencyKey, Integer> adjacencyIndex,
                                             Map<List<Integer>, Integer> groupIndex) {
        List<VrfIntent> vrfs = intent.vrfs();
        int vrfCount = vrfs.size();
        int[] vnis = new int[vrfCount];
        int[] indices = new int[vrfCount];
        int[] flags = new int[vrfCount];
        boolean[] hasGatewayIpv4 = new boolean[vrfCount];
        int[] gatewayIpv4 = new int[vrfCount];
        boolean[] hasGatewayIpv6 = new boolean[vrfCount];
        long[] gatewayIpv6High = new long[vrfCount];
        long[] gatewayIpv6Low = new long[vrfCount];
        List<String> names = new ArrayList<>();
        for (int v = 0; v < vrfCount; v++) {
            VrfIntent vrf = vrfs.get(v);
            names.add(vrf.name());
            vnis[v] = vrf.l3Vni();
            indices[v] = v;
            flags[v] = vrf.outside() ? PacketFlags.FROM_OUTSIDE : 0;
            if (vrf.gatewayIpv4() != null) {
                hasGatewayIpv4[v] = true;
                gatewayIpv4[v] = vrf.gatewayIpv4().value();
            }
            if (vrf.gatewayIpv6() != null) {
                hasGatewayIpv6[v] = true;
                gatewayIpv6High[v] = vrf.gatewayIpv6().high();
                gatewayIpv6Low[v] = vrf.gatewayIpv6().low();
            }
        }

        int adjacencyCount = adjacencyIndex.size();
        int[] vtep = new int[adjacencyCount];
        long[] routerMac = new long[adjacencyCount];
        int[] vni = new int[adjacencyCount];
        int[] port = new int[adjacencyCount];
        long[] nextHopMac = new long[adjacencyCount];
        boolean[] ipPort = new boolean[adjacencyCount];
        for (Map.Entry<AdjacencyKey, Integer> entry : adjacencyIndex.entrySet()) {
            AdjacencyKey key = entry.getKey();
            int a = entry.getValue();
            vtep[a] = key.vtep;
            routerMac[a] = key.routerMac;
            vni[a] = key.vni;
            port[a] = key.egressPort;
            nextHopMac[a] = key.underlayNextHopMac;
            ipPort[a] = key.ipPort;
        }
        AdjacencyTable adjacencies = new AdjacencyTable(node.vtepAddress().value(), node.underlayMac().value(),
            node.routerMac().value(), vtep, routerMac, vni, port, nextHopMac, ipPort);

        int groupCount = groupIndex.size();
        int[] first = new int[groupCount];
        int[] size = new int[groupCount];
        List<Integer> members = new ArrayList<>();
        for (Map.Entry<List<Integer>, Integer> entry : groupIndex.entrySet()) {
            int g = entry.getValue();
            first[g] = members.size();
            size[g] = entry.getKey().size();
            members.addAll(entry.getKey());
        }
        NextHopGroups groups = new NextHopGroups(first, size, toArray(members));

        return new ForwardingTables(node.vtepAddress().value(), node.routerMac().value(),
            node.underlayMtuBytes() - ForwardingTables.ENCAPSULATION_OVERHEAD, node.icmpErrorsPerSecond(),
            node.icmpErrorBurst(), new VniMap(vnis, indices), names, vnis, flags, ipv4Tables, ipv6Tables,
            hasGatewayIpv4, gatewayIpv4, hasGatewayIpv6, gatewayIpv6High, gatewayIpv6Low, groups, adjacencies);
    }

    private static int[] toArray(List<Integer> values) {
        int[] array = new int[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }

    private record AdjacencyKey(int vni, int vtep, long routerMac, int egressPort, long underlayNextHopMac,
                                boolean ipPort) {
    }
}
