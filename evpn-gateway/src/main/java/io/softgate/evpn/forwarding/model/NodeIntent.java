package io.softgate.evpn.forwarding.model;

import java.util.Objects;

/**
 * This softgate's own underlay identity and limits.
 *
 * <ul>
 *   <li>{@code vtepAddress}: our VTEP (outer IPv4 destination we accept, source we send from);</li>
 *   <li>{@code routerMac}: our router MAC (RFC 9135: inner destination MAC of traffic routed to us,
 *       inner source MAC of traffic we send);</li>
 *   <li>{@code underlayMac}: source MAC of the outer frames we send;</li>
 *   <li>{@code underlayNextHopMac}: destination MAC of the outer frames (the leaf / next router),
 *       unless a {@link RemoteVtepIntent} overrides it;</li>
 *   <li>{@code underlayPort}: the PacketIo port encapsulated packets leave by;</li>
 *   <li>{@code underlayMtuBytes}: the largest outer IPv4 packet the underlay carries; the inner IP
 *       MTU is 50 bytes less (outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14);</li>
 *   <li>{@code icmpErrorsPerSecond}, {@code icmpErrorBurst}: the token bucket each worker applies
 *       to the ICMP errors it generates (RFC 1812 §4.3.2.8).</li>
 * </ul>
 *
 * <p>Threading: immutable value.
 */
public record NodeIntent(Ipv4Address vtepAddress, MacAddress routerMac, MacAddress underlayMac,
                         MacAddress underlayNextHopMac, int underlayPort, int underlayMtuBytes,
                         int icmpErrorsPerSecond, int icmpErrorBurst) {
    public static final int DEFAULT_UNDERLAY_MTU_BYTES = 1500;
    public static final int DEFAULT_ICMP_ERRORS_PER_SECOND = 1000;
    public static final int DEFAULT_ICMP_ERROR_BURST = 50;

    public NodeIntent {
        Objects.requireNonNull(vtepAddress, "vtepAddress");
        Objects.requireNonNull(routerMac, "routerMac");
        Objects.requireNonNull(underlayMac, "underlayMac");
        Objects.requireNonNull(underlayNextHopMac, "underlayNextHopMac");
    }

    /** A node on port 0 with the default MTU (1500) and ICMP error budget. */
    public static NodeIntent of(String vtepAddress, String routerMac, String underlayMac, String underlayNextHopMac) {
        return new NodeIntent(Ipv4Address.parse(vtepAddress), MacAddress.parse(routerMac),
            MacAddress.parse(underlayMac), MacAddress.parse(underlayNextHopMac), 0, DEFAULT_UNDERLAY_MTU_BYTES,
            DEFAULT_ICMP_ERRORS_PER_SECOND, DEFAULT_ICMP_ERROR_BURST);
    }

    public NodeIntent withUnderlayMtuBytes(int mtuBytes) {
        return new NodeIntent(vtepAddress, routerMac, underlayMac, underlayNextHopMac, underlayPort, mtuBytes,
            icmpErrorsPerSecond, icmpErrorBurst);
    }

    public NodeIntent withUnderlayPort(int port) {
        return new NodeIntent(vtepAddress, routerMac, underlayMac, underlayNextHopMac, port, underlayMtuBytes,
            icmpErrorsPerSecond, icmpErrorBurst);
    }

    public NodeIntent withIcmpErrorBudget(int perSecond, int burst) {
        return new NodeIntent(vtepAddress, routerMac, underlayMac, underlayNextHopMac, underlayPort,
            underlayMtuBytes, perSecond, burst);
    }
}
