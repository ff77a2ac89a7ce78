package io.softgate.evpn.forwarding.stage;

/**
 * Hash of an inner packet's 5-tuple (addresses, protocol, ports), for ECMP, worker steering and
 * the outer UDP source port (RFC 7348 §5). Fragments hash without ports (ports = 0), and IPv6
 * fragments with the Fragment header's number (44) as protocol, so every fragment of a datagram
 * takes the same path as the others.
 *
 * <p>Threading: stateless static functions.
 */
public final class FlowHash {
    private FlowHash() {
    }

    /** IPv4: {@code ports} is source port << 16 | destination port, or 0 when absent. */
    public static int ipv4(int source, int destination, int protocol, int ports) {
        return ipv4(((long) source << 32) | (destination & 0xFFFF_FFFFL), protocol, ports);
    }

    /** IPv4 with both addresses in one long (source in the high half), as read from the header. */
    public static int ipv4(long sourceAndDestination, int protocol, int ports) {
        return mix(sourceAndDestination, ((long) protocol << 32) | (ports & 0xFFFF_FFFFL));
    }

    /** IPv6: addresses as (high, low) longs. */
    public static int ipv6(long sourceHigh, long sourceLow, long destinationHigh, long destinationLow, int protocol,
                           int ports) {
        long addresses = sourceHigh ^ Long.rotateLeft(sourceLow, 21) ^ Long.rotateLeft(destinationHigh, 42)
            ^ Long.rotateLeft(destinationLow, 63);
        return mix(addresses, ((long) protocol << 32) | (ports & 0xFFFF_FFFFL));
    }

    private static int mix(long a, long b) {
        long h = a * 0x9E37_79B9_7F4A_7C15L ^ b * 0xC2B2_AE3D_27D4_EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58_476D_1CE4_E5B9L;
        h ^= h >>> 32;
        return (int) h;
    }

    /** RFC 7348 §5: the outer UDP source port, from the flow hash, in the ephemeral range 49152-65535. */
    public static int udpSourcePort(int flowHash) {
        return 49152 | ((flowHash ^ (flowHash >>> 16)) & 0x3FFF);
    }
}
