package io.softgate.lb.stage;

/**
 * How a tracked load-balanced connection is laid out in the {@code FlowTable}: two key words and
 * three value words, so an entry fits one 64-byte cache line.
 *
 * <pre>
 * key[0]   = source address << 32 | destination address          (as the packet carries them)
 * key[1]   = source port << 48 | destination port << 32 | protocol << 24 | VRF (24 bits)
 * value[0] = backend id << 32 | VRF to route in next                (the "target")
 * value[1] = new source address << 32 | new source port << 16 | IPv4 header checksum delta
 * value[2] = new destination address << 32 | new destination port << 16 | L4 checksum delta
 * </pre>
 *
 * Each connection has two entries: the forward one (client -> VIP, keyed in the public VRF) and
 * the reverse one (backend -> client or full-NAT address, keyed in the backend's VRF). Each holds
 * its direction's whole precompiled rewrite: new addresses and ports, and the RFC 1624 checksum
 * deltas (sum of ~old + new over the changed words; the L4 delta includes the pseudo-header's
 * address change), so the fast path writes four fields and patches two checksums.
 *
 * <p>Threading: stateless static functions.
 */
public final class ConnectionLayout {
    public static final int KEY_WORDS = 2;
    public static final int VALUE_WORDS = 3;
    public static final int TARGET = 0;
    public static final int NEW_SOURCE = 1;
    public static final int NEW_DESTINATION = 2;

    private ConnectionLayout() {
    }

    public static long addresses(int source, int destination) {
        return ((long) source << 32) | (destination & 0xFFFF_FFFFL);
    }

    public static long portsProtocolVrf(int sourcePort, int destinationPort, int protocol, int vrf) {
        return portsWordProtocolVrf((sourcePort & 0xFFFF) << 16 | (destinationPort & 0xFFFF), protocol, vrf);
    }

    /**
     * {@code key[1]} from {@code ports} = source port << 16 | destination port: the first 4 bytes
     * of a TCP (RFC 793 §3.1) or UDP (RFC 768) header read as one big-endian int.
     */
    public static long portsWordProtocolVrf(int ports, int protocol, int vrf) {
        return ((ports & 0xFFFF_FFFFL) << 32) | ((long) (protocol & 0xFF) << 24) | (vrf & 0xFF_FFFFL);
    }

    public static long target(int backendId, int vrf) {
        return ((long) backendId << 32) | (vrf & 0xFFFF_FFFFL);
    }

    public static int backendId(long target) {
        return (int) (target >>> 32);
    }

    public static int vrf(long target) {
        return (int) target;
    }

    public static long endpoint(int address, int port, int checksumDelta) {
        return ((long) address << 32) | ((long) (port & 0xFFFF) << 16) | (checksumDelta & 0xFFFF);
    }

    public static int address(long endpoint) {
        return (int) (endpoint >>> 32);
    }

    public static int port(long endpoint) {
        return (int) (endpoint >>> 16) & 0xFFFF;
    }

    public static int checksumDelta(long endpoint) {
        return (int) endpoint & 0xFFFF;
    }
}
