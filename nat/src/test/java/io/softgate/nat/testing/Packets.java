package io.softgate.nat.testing;

import io.softgate.core.packet.PacketBuilder;

/**
 * Short-hands for the inner frames tests send (Ethernet II, the softgate's router MAC).
 *
 * <p>Threading: stateless.
 */
public final class Packets {
    public static final long VM_MAC = 0x02_00_00_00_00_01L;
    public static final long ROUTER_MAC = 0x02_00_00_00_00_fEL;

    private Packets() {
    }

    public static PacketBuilder ip(String source, String destination) {
        return PacketBuilder.ethernet(VM_MAC, ROUTER_MAC).ipv4(source, destination).identification(0x1234);
    }

    public static byte[] udp(String source, int sourcePort, String destination, int destinationPort) {
        return ip(source, destination).udp(sourcePort, destinationPort).payload(12).build();
    }

    public static byte[] tcp(String source, int sourcePort, String destination, int destinationPort, int flags) {
        return ip(source, destination).tcp(sourcePort, destinationPort).tcpFlags(flags).tcpSequence(1000, 2000)
            .payload(8).build();
    }
}
