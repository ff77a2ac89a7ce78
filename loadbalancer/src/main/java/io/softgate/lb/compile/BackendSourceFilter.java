package io.softgate.lb.compile;

/**
 * The set of (VRF, address, port, protocol) a tracked connection's reverse entry can be keyed
 * by as its source: every backend endpoint the compiler has ever compiled. {@code lb-reply} asks
 * it before the connection table, so a VM's own outbound traffic (no backend's source) passes
 * without a connection-table access. It may hold more than the current backends (that costs a
 * lookup that misses), never fewer (that would leave a reply untranslated); see
 * {@link LoadBalancerCompiler} for why it only grows.
 *
 * <p>Open addressing with linear probing at load factor at most 1/2: a long per entry
 * ({@code address << 32 | port << 16 | protocol << 8}) and the VRF beside it, both compared, so
 * the answer is exact for the set (no false positive from a hash collision either).
 *
 * <p>Threading: immutable once built; read by every worker without locks.
 */
public final class BackendSourceFilter {
    /** Never a packed endpoint: the low byte of {@link #pack} is always 0. */
    private static final long EMPTY_SLOT = -1L;

    /** No endpoint: nothing can be a reply. */
    public static final BackendSourceFilter EMPTY = new BackendSourceFilter(new long[] {EMPTY_SLOT}, new int[1], 0);

    private final long[] endpoints;
    private final int[] vrfs;
    private final int mask;
    private final int size;

    private BackendSourceFilter(long[] endpoints, int[] vrfs, int size) {
        this.endpoints = endpoints;
        this.vrfs = vrfs;
        this.mask = endpoints.length - 1;
        this.size = size;
    }

    /**
     * A filter of the endpoints {@code vrf[i], address[i], port[i], protocol[i]} for {@code i <
     * count} (duplicates allowed).
     */
    static BackendSourceFilter of(int[] vrf, int[] address, int[] port, int[] protocol, int count) {
        int capacity = 4;
        while (capacity < count * 2) {
            capacity <<= 1;
        }
        long[] endpoints = new long[capacity];
        java.util.Arrays.fill(endpoints, EMPTY_SLOT);
        int[] vrfs = new int[capacity];
        int mask = capacity - 1;
        int size = 0;
        for (int i = 0; i < count; i++) {
            long endpoint = pack(address[i], port[i], protocol[i]);
            int keyVrf = keyVrf(vrf[i]);
            int index = slot(endpoint, keyVrf) & mask;
            while (endpoints[index] != EMPTY_SLOT && !(endpoints[index] == endpoint && vrfs[index] == keyVrf)) {
                index = (index + 1) & mask;
            }
            if (endpoints[index] == EMPTY_SLOT) {
                endpoints[index] = endpoint;
                vrfs[index] = keyVrf;
                size++;
            }
        }
        return new BackendSourceFilter(endpoints, vrfs, size);
    }

    /** The packed form of an endpoint: {@code address << 32 | port << 16 | protocol << 8}. */
    public static long pack(int address, int port, int protocol) {
        return ((long) address << 32) | ((long) (port & 0xFFFF) << 16) | ((protocol & 0xFF) << 8);
    }

    /** The connection key holds 24 bits of VRF ({@code ConnectionLayout}): so does the filter. */
    private static int keyVrf(int vrf) {
        return vrf & 0xFF_FFFF;
    }

    private static int slot(long endpoint, int keyVrf) {
        return LoadBalancerTables.spread(endpoint ^ ((long) keyVrf * 0x9E3779B97F4A7C15L));
    }

    /** True when a packet from {@code address:port} ({@link #pack}ed) in {@code vrf} may be a backend's. */
    public boolean contains(long endpoint, int vrf) {
        int keyVrf = keyVrf(vrf);
        int index = slot(endpoint, keyVrf) & mask;
        while (true) {
            long candidate = endpoints[index];
            if (candidate == endpoint && vrfs[index] == keyVrf) {
                return true;
            }
            if (candidate == EMPTY_SLOT) {
                return false;
            }
            index = (index + 1) & mask;
        }
    }

    public boolean contains(int vrf, int address, int port, int protocol) {
        return contains(pack(address, port, protocol), vrf);
    }

    /** Distinct endpoints held. */
    public int size() {
        return size;
    }
}
