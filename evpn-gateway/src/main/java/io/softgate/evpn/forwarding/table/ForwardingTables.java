package io.softgate.evpn.forwarding.table;

import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.snapshot.SnapshotSlot;
import java.util.List;

/**
 * The compiled forwarding state of one snapshot: VNI -> VRF, per-VRF IPv4 and IPv6 route
 * tables, next-hop groups, adjacencies with their precompiled headers, and the node's own
 * addresses and limits. Built by {@code ForwardingCompiler}, published in {@link #SLOT}.
 *
 * <p>Threading: immutable; every worker reads it without locks.
 */
public final class ForwardingTables {
    /** Where the forwarding tables live in a {@link io.softgate.core.snapshot.ConfigSnapshot}. */
    public static final SnapshotSlot<ForwardingTables> SLOT =
        SnapshotSlot.declare("evpn-forwarding", ForwardingTables.class);

    /** VXLAN, outer IPv4, UDP and inner Ethernet: what encapsulation adds to an inner IP packet. */
    public static final int ENCAPSULATION_OVERHEAD = 50;

    /** A {@link #decapEntry} holds the VRF index in its low 24 bits (as many as VNIs) and the flags above. */
    private static final int DECAP_VRF_BITS = 24;
    private static final int DECAP_VRF_MASK = (1 << DECAP_VRF_BITS) - 1;
    private static final int DECAP_FLAGS_BITS = 31 - DECAP_VRF_BITS;

    private final int localVtep;
    private final long routerMac;
    private final int innerMtuBytes;
    private final int icmpErrorsPerSecond;
    private final int icmpErrorBurst;
    private final VniMap vniToVrf;
    /** VNI -> {@link #decapEntry}: the VRF index and the VRF's packet flags in one int. */
    private final VniMap vniToDecapEntry;
    private final Ipv4RouteTable[] ipv4Routes;
    private final Ipv6RouteTable[] ipv6Routes;
    private final int[] vrfFlags;
    private final int[] vrfL3Vni;
    private final boolean[] hasGatewayIpv4;
    private final int[] gatewayIpv4;
    private final boolean[] hasGatewayIpv6;
    private final long[] gatewayIpv6High;
    private final long[] gatewayIpv6Low;
    private final List<String> vrfNames;
    private final NextHopGroups groups;
    private final AdjacencyTable adjacencies;
    private final int outsideVrf;

    /** Everything per VRF is indexed by the compiled VRF index (position in {@code vrfNames}). */
    public ForwardingTables(int localVtep, long routerMac, int innerMtuBytes, int icmpErrorsPerSecond,
                            int icmpErrorBurst, VniMap vniToVrf, List<String> vrfNames, int[] vrfL3Vni,
                            int[] vrfFlags, Ipv4RouteTable[] ipv4Routes, Ipv6RouteTable[] ipv6Routes,
                            boolean[] hasGatewayIpv4, int[] gatewayIpv4, boolean[] hasGatewayIpv6,
                            long[] gatewayIpv6High, long[] gatewayIpv6Low, NextHopGroups groups,
                            AdjacencyTable adjacencies) {
        this.localVtep = localVtep;
        this.routerMac = routerMac;
        this.innerMtuBytes = innerMtuBytes;
        this.icmpErrorsPerSecond = icmpErrorsPerSecond;
        this.icmpErrorBurst = icmpErrorBurst;
        this.vniToVrf = vniToVrf;
        int[] decapEntries = new int[vrfFlags.length];
        for (int v = 0; v < vrfFlags.length; v++) {
            if (vrfFlags[v] >>> DECAP_FLAGS_BITS != 0) {
                throw new IllegalArgumentException("VRF flags do not fit a decap entry: " + vrfFlags[v]);
            }
            decapEntries[v] = v | vrfFlags[v] << DECAP_VRF_BITS;
        }
        if (vrfFlags.length > DECAP_VRF_MASK + 1) {
            throw new IllegalArgumentException("too many VRFs for a decap entry: " + vrfFlags.length);
        }
        this.vniToDecapEntry = vniToVrf.remap(decapEntries);
        this.vrfNames = List.copyOf(vrfNames);
        this.vrfL3Vni = vrfL3Vni.clone();
        this.vrfFlags = vrfFlags.clone();
        this.ipv4Routes = ipv4Routes.clone();
        this.ipv6Routes = ipv6Routes.clone();
        this.hasGatewayIpv4 = hasGatewayIpv4.clone();
        this.gatewayIpv4 = gatewayIpv4.clone();
        this.hasGatewayIpv6 = hasGatewayIpv6.clone();
        this.gatewayIpv6High = gatewayIpv6High.clone();
        this.gatewayIpv6Low = gatewayIpv6Low.clone();
        this.groups = groups;
        this.adjacencies = adjacencies;
        int outside = -1;
        for (int v = 0; v < vrfFlags.length; v++) {
            if (outside < 0 && (vrfFlags[v] & PacketFlags.FROM_OUTSIDE) != 0) {
                outside = v;
            }
        }
        this.outsideVrf = outside;
    }

    /** The VRF facing the outside (packets from IP ports are routed in it), or -1 if none is. */
    public int outsideVrf() {
        return outsideVrf;
    }

    /** Our VTEP address: the outer destination we accept and the outer source we send from. */
    public int localVtep() {
        return localVtep;
    }

    /** Our router MAC (RFC 9135): inner destination MAC we accept, inner source MAC we send. */
    public long routerMac() {
        return routerMac;
    }

    /** The largest inner IP packet that fits the underlay once encapsulated. */
    public int innerMtuBytes() {
        return innerMtuBytes;
    }

    public int icmpErrorsPerSecond() {
        return icmpErrorsPerSecond;
    }

    public int icmpErrorBurst() {
        return icmpErrorBurst;
    }

    /**
     * What decapsulation needs of a VNI in one lookup (one cache line): {@link VniMap#MISSING}, or
     * the VRF index ({@link #decapVrf}) and that VRF's packet flags ({@link #decapFlags}).
     */
    public int decapEntry(int vni) {
        return vniToDecapEntry.get(vni);
    }

    /** Reads the cache line {@link #decapEntry} will read for {@code vni}; see {@link VniMap#touch}. */
    public int touchDecapEntry(int vni) {
        return vniToDecapEntry.touch(vni);
    }

    /** True when a batch-wide {@link #touchDecapEntry} pass pays: the VNI table is too large to stay cached. */
    public boolean decapEntriesAreLarge() {
        return vniToDecapEntry.isLarge();
    }

    /** The VRF index of a {@link #decapEntry}. */
    public static int decapVrf(int decapEntry) {
        return decapEntry & DECAP_VRF_MASK;
    }

    /** The {@link #vrfFlags} of a {@link #decapEntry}. */
    public static int decapFlags(int decapEntry) {
        return decapEntry >>> DECAP_VRF_BITS;
    }

    /** The VRF index for {@code vni}, or {@link VniMap#MISSING}. */
    public int vrfOfVni(int vni) {
        return vniToVrf.get(vni);
    }

    public int vrfCount() {
        return vrfNames.size();
    }

    /** The compiled index of VRF {@code name}, or -1. */
    public int vrfIndex(String name) {
        return vrfNames.indexOf(name);
    }

    public String vrfName(int vrf) {
        return vrfNames.get(vrf);
    }

    public int vrfL3Vni(int vrf) {
        return vrfL3Vni[vrf];
    }

    /** {@link io.softgate.core.pipeline.PacketFlags} every packet arriving in {@code vrf} carries. */
    public int vrfFlags(int vrf) {
        return vrfFlags[vrf];
    }

    public Ipv4RouteTable ipv4Routes(int vrf) {
        return ipv4Routes[vrf];
    }

    public Ipv6RouteTable ipv6Routes(int vrf) {
        return ipv6Routes[vrf];
    }

    public boolean hasGatewayIpv4(int vrf) {
        return hasGatewayIpv4[vrf];
    }

    /** Source address of ICMPv4 errors sent into {@code vrf} (valid when {@link #hasGatewayIpv4}). */
    public int gatewayIpv4(int vrf) {
        return gatewayIpv4[vrf];
    }

    public boolean hasGatewayIpv6(int vrf) {
        return hasGatewayIpv6[vrf];
    }

    public long gatewayIpv6High(int vrf) {
        return gatewayIpv6High[vrf];
    }

    public long gatewayIpv6Low(int vrf) {
        return gatewayIpv6Low[vrf];
    }

    public NextHopGroups groups() {
        return groups;
    }

    public AdjacencyTable adjacencies() {
        return adjacencies;
    }

    /** The adjacency for a route {@code result} (a group) and a flow hash; the result must be a group. */
    public int adjacencyOf(int result, int flowHash) {
        return groups.select(RouteResult.group(result), flowHash);
    }
}
