package io.softgate.lb.compile;

import io.softgate.core.snapshot.SnapshotSlot;
import java.util.List;
import java.util.Set;

/**
 * The compiled load balancer, fully resolved for the data plane: a VIP table (address, protocol,
 * port -> service), per service its Maglev table and its rewrite targets, and per
 * backend id its address, port, VRF and {@link BackendState}, and the {@link BackendSourceFilter}
 * of every backend endpoint ever compiled. Backend ids are stable across
 * snapshots (assigned by {@link LoadBalancerCompiler}), so a tracked connection that stores one
 * stays valid when the tables are swapped.
 *
 * <p>Threading: immutable once built; published in a {@code ConfigSnapshot} through {@link #SLOT}
 * and read by every worker without locks.
 */
public final class LoadBalancerTables {
    /** Where the compiled load balancer lives in a snapshot. */
    public static final SnapshotSlot<LoadBalancerTables> SLOT = SnapshotSlot.declare("loadbalancer", LoadBalancerTables.class);

    /** Result of {@link #findService} when no service matches. */
    public static final int NO_SERVICE = -1;

    private static final long EMPTY_KEY = -1L;

    final int publicVrf;
    final long tcpIdleTimeoutNs;
    final long udpIdleTimeoutNs;

    // VIP lookup: open addressing, linear probing; key = address << 32 | protocol << 16 | port.
    final long[] vipKeys;
    final int[] vipServices;
    final int vipMask;
    // VIP addresses (for "unknown VIP port"): open addressing over addresses; 0 = empty (0.0.0.0 is never a VIP).
    final int[] vipAddresses;
    final int vipAddressMask;

    // Per compiled service index.
    final String[] serviceNames;
    final int[] serviceVipAddress;
    final int[] serviceVipPort;
    final int[] serviceProtocol;
    final int[] serviceFullNatAddress;
    // Per service: its Maglev slots as 16-bit backend positions (shared by every service with the
    // same weighted backend set and table size), and the backend id of each position plus, at
    // index "backend count", NO_BACKEND (-1) for the slots of an empty table.
    final char[][] serviceMaglev;
    final int[][] serviceBackendIds;

    // Per stable backend id.
    final int[] backendAddress;
    final int[] backendPort;
    final int[] backendVrf;
    final byte[] backendState;
    final int[] backendService;

    final Set<String> availableVips;
    final BackendSourceFilter backendSources;

    LoadBalancerTables(int publicVrf, long tcpIdleTimeoutNs, long udpIdleTimeoutNs,
                       long[] vipKeys, int[] vipServices, int[] vipAddresses,
                       String[] serviceNames, int[] serviceVipAddress, int[] serviceVipPort, int[] serviceProtocol,
                       int[] serviceFullNatAddress, char[][] serviceMaglev, int[][] serviceBackendIds,
                       int[] backendAddress, int[] backendPort, int[] backendVrf, byte[] backendState,
                       int[] backendService, Set<String> availableVips, BackendSourceFilter backendSources) {
        this.publicVrf = publicVrf;
        this.tcpIdleTimeoutNs = tcpIdleTimeoutNs;
        this.udpIdleTimeoutNs = udpIdleTimeoutNs;
        this.vipKeys = vipKeys;
        this.vipServices = vipServices;
        this.vipMask = vipKeys.length - 1;
        this.vipAddresses = vipAddresses;
        this.vipAddressMask = vipAddresses.length - 1;
        this.serviceNames = serviceNames;
        this.serviceVipAddress = serviceVipAddress;
        this.serviceVipPort = serviceVipPort;
        this.serviceProtocol = serviceProtocol;
        this.serviceFullNatAddress = serviceFullNatAddress;
        this.serviceMaglev = serviceMaglev;
        this.serviceBackendIds = serviceBackendIds;
        this.backendAddress = backendAddress;
        this.backendPort = backendPort;
        this.backendVrf = backendVrf;
        this.backendState = backendState;
        this.backendService = backendService;
        this.availableVips = Set.copyOf(availableVips);
        this.backendSources = backendSources;
    }

    /** VIP lookup key. */
    static long vipKey(int address, int protocol, int port) {
        return ((long) address << 32) | ((long) (protocol & 0xFF) << 16) | (port & 0xFFFF);
    }

    /** Spreads a key over the open-addressing table (MurmurHash3 fmix64). */
    static int spread(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }

    /** Compiled service index for (VIP address, IP protocol, port), or {@link #NO_SERVICE}. */
    public int findService(int vipAddress, int protocol, int port) {
        long key = vipKey(vipAddress, protocol, port);
        int index = spread(key) & vipMask;
        while (true) {
            long candidate = vipKeys[index];
            if (candidate == key) {
                return vipServices[index];
            }
            if (candidate == EMPTY_KEY) {
                return NO_SERVICE;
            }
            index = (index + 1) & vipMask;
        }
    }

    /** True when {@code address} is the VIP of any service (whatever protocol or port). */
    public boolean isVipAddress(int address) {
        if (address == 0) {
            return false;
        }
        int index = spread(address) & vipAddressMask;
        while (true) {
            int candidate = vipAddresses[index];
            if (candidate == address) {
                return true;
            }
            if (candidate == 0) {
                return false;
            }
            index = (index + 1) & vipAddressMask;
        }
    }

    /**
     * Every backend endpoint a tracked connection's reply can come from: {@code lb-reply} passes
     * a packet whose source is none of them without looking up the connection table.
     */
    public BackendSourceFilter backendSources() {
        return backendSources;
    }

    public int publicVrf() {
        return publicVrf;
    }

    /** Idle timeout of a tracked connection of IP protocol {@code protocol}. */
    public long idleTimeoutNs(int protocol) {
        return protocol == 6 ? tcpIdleTimeoutNs : udpIdleTimeoutNs;
    }

    public int serviceCount() {
        return serviceNames.length;
    }

    public String serviceName(int service) {
        return serviceNames[service];
    }

    public int serviceVipAddress(int service) {
        return serviceVipAddress[service];
    }

    public int serviceVipPort(int service) {
        return serviceVipPort[service];
    }

    public int serviceProtocol(int service) {
        return serviceProtocol[service];
    }

    /** The full-NAT source address of {@code service}, or 0 when it only translates destinations. */
    public int serviceFullNatAddress(int service) {
        return serviceFullNatAddress[service];
    }

    /** Backend id chosen by {@code service}'s Maglev table for {@code flowHash}, or -1 for none. */
    public int selectBackend(int service, long flowHash) {
        char[] table = serviceMaglev[service];
        return serviceBackendIds[service][table[(int) Long.remainderUnsigned(flowHash, table.length)]];
    }

    /** Maglev table size of {@code service}. */
    public int maglevTableSize(int service) {
        return serviceMaglev[service].length;
    }

    /** {@link BackendState} of backend id {@code backend}; {@link BackendState#ABSENT} for unknown ids. */
    public byte backendState(int backend) {
        return backend >= 0 && backend < backendState.length ? backendState[backend] : BackendState.ABSENT;
    }

    public int backendAddress(int backend) {
        return backendAddress[backend];
    }

    public int backendPort(int backend) {
        return backendPort[backend];
    }

    /** VRF (of the backend's VPC) the route lookup uses after the VIP was translated to this backend. */
    public int backendVrf(int backend) {
        return backendVrf[backend];
    }

    /** Compiled service index owning backend id {@code backend}. */
    public int backendService(int backend) {
        return backendService[backend];
    }

    /**
     * VIP addresses (dotted quad) with at least one healthy backend (taking new connections or
     * draining): the ones to advertise.
     */
    public Set<String> availableVips() {
        return availableVips;
    }

    /** Every VIP address of an enabled service (advertised or not). */
    public List<Integer> vipAddresses() {
        List<Integer> addresses = new java.util.ArrayList<>();
        for (int address : vipAddresses) {
            if (address != 0) {
                addresses.add(address);
            }
        }
        return addresses;
    }
}
