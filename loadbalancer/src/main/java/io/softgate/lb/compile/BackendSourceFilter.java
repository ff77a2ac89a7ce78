package io.softgate.lb.compile;

/**
 * Which (VRF, address, port, protocol) a tracked connection's reverse entry can be keyed by as
 * its source: every backend endpoint the compiler has ever compiled. {@code lb-reply} asks it
 * before the connection table, so a VM's own outbound traffic (no backend's source) passes
 * without a connection-table access.
 *
 * <p>A bitset indexed by a hash of the endpoint (one bit per endpoint, at least
 * {@value #BITS_PER_ENDPOINT} bits per endpoint, so about 1 in 64 non-backend packets shares a
 * backend's bit). There is no confirm step on purpose: a false "may be a backend" costs only the
 * connection lookup the stage would have done anyway, and that lookup is the exact confirm; a
 * false "no backend" cannot happen, because every compiled endpoint's bit is set. Checking is one
 * multiply, one load and a bit test, cheaper than an exact set's probe loop for the backend
 * replies that must pass it too.
 *
 * <p>Threading: immutable once built; read by every worker without locks.
 */
public final class BackendSourceFilter {
    /** Bits of the set per distinct endpoint: keeps false positives near 1/64. */
    static final int BITS_PER_ENDPOINT = 64;
    /** The smallest set: 512 bytes, so a filter of a handful of backends passes almost nothing. */
    static final int MIN_BITS = 4096;

    /** No endpoint: nothing can be a reply. */
    public static final BackendSourceFilter EMPTY = new BackendSourceFilter(new long[1], 64, 0);

    private final long[] words;
    /** 64 - log2(bits): the product's top bits index the bit. */
    private final int shift;
    private final int endpoints;

    private BackendSourceFilter(long[] words, int bits, int endpoints) {
        this.words = words;
        this.shift = 64 - Integer.numberOfTrailingZeros(bits);
        this.endpoints = endpoints;
    }

    /**
     * A filter of the {@code count} distinct endpoints {@code vrf[i], address[i], port[i],
     * protocol[i]}.
     */
    static BackendSourceFilter of(int[] vrf, int[] address, int[] port, int[] protocol, int count) {
        int bits = MIN_BITS;
        while (bits < (long) count * BITS_PER_ENDPOINT && bits < 1 << 30) {
            bits <<= 1;
        }
        BackendSourceFilter filter = new BackendSourceFilter(new long[bits >>> 6], bits, count);
        for (int i = 0; i < count; i++) {
            int bit = filter.bit(pack(address[i], port[i], protocol[i]), vrf[i]);
            filter.words[bit >>> 6] |= 1L << bit;
        }
        return filter;
    }

    /** The packed form of an endpoint: {@code address << 32 | port << 16 | protocol << 8}. */
    public static long pack(int address, int port, int protocol) {
        return ((long) address << 32) | ((long) (port & 0xFFFF) << 16) | ((protocol & 0xFF) << 8);
    }

    /**
     * Fibonacci hashing: the top bits of the product depend on every bit of the packed endpoint
     * plus VRF. The connection key holds 24 bits of VRF ({@code ConnectionLayout}), so does this.
     */
    private int bit(long endpoint, int vrf) {
        return (int) ((endpoint + (vrf & 0xFF_FFFF)) * 0x9E3779B97F4A7C15L >>> shift);
    }

    /**
     * False when no backend endpoint is {@code endpoint} ({@link #pack}ed) in {@code vrf}: a
     * packet from there can match no reverse entry. True means it may be one.
     */
    public boolean mayContain(long endpoint, int vrf) {
        int bit = bit(endpoint, vrf);
        return (words[bit >>> 6] & (1L << bit)) != 0;
    }

    public boolean mayContain(int vrf, int address, int port, int protocol) {
        return mayContain(pack(address, port, protocol), vrf);
    }

    /** Distinct endpoints the filter was built from. */
    public int endpoints() {
        return endpoints;
    }
}
