package io.softgate.service.config;

/**
 * An optional IP uplink port ({@code io.tun}): a TUN device (IP packets, no Ethernet) the workers
 * attach to besides the fabric port, one queue each (IFF_MULTI_QUEUE). It is packet I/O port 1;
 * routes with {@code nextHopPort: "tun"} leave through it as bare IP packets, and what arrives on
 * it is routed in {@code node.publicVrf}. The device is created if missing; its addresses and
 * routes are configured outside the softgate (ip addr / ip route).
 *
 * <p>Threading: immutable.
 */
public record TunConfig(String interfaceName) {
    /** The port index of the TUN uplink: port 0 is the fabric. */
    public static final int PORT = 1;
    /** The {@code nextHopPort} value that names this port in a route. */
    public static final String PORT_NAME = "tun";

    static final TunConfig NONE = new TunConfig(null);

    /** Whether the configuration has a TUN uplink. */
    public boolean configured() {
        return interfaceName != null;
    }
}
