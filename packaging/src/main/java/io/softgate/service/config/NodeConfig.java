package io.softgate.service.config;

/**
 * Identity of this node in the fabric: its name, the router MAC it uses as inner source MAC
 * (RFC 9135 symmetric IRB), the VTEP address that is the outer source of everything it
 * encapsulates, the VRF that faces the outside, and its underlay limits.
 *
 * <p>{@code underlayMac} and {@code underlayNextHopMac} are the outer Ethernet source and
 * destination of the frames the pipeline builds; backends that hand frames to the kernel (UDP)
 * ignore them, raw-frame backends and pcap output use them. Both default to the router MAC.
 *
 * <p>Threading: immutable.
 */
public record NodeConfig(
    String name,
    String routerMac,
    String vtepAddress,
    String publicVrf,
    Integer underlayMtuBytes,
    String underlayMac,
    String underlayNextHopMac,
    Integer icmpErrorsPerSecond,
    Integer icmpErrorBurst) {

    public static final int DEFAULT_UNDERLAY_MTU_BYTES = 1500;
    /** Inner MTU >= 1280 (IPv6 minimum, RFC 8200 §5) plus 50 bytes of VXLAN encapsulation. */
    public static final int MIN_UNDERLAY_MTU_BYTES = 1330;
    public static final int MAX_UNDERLAY_MTU_BYTES = 9216;
    /** RFC 1812 §4.3.2.8: ICMP errors a router originates must be rate-limited. */
    public static final int DEFAULT_ICMP_ERRORS_PER_SECOND = 1000;
    public static final int DEFAULT_ICMP_ERROR_BURST = 50;

    public NodeConfig {
        underlayMtuBytes = underlayMtuBytes == null ? DEFAULT_UNDERLAY_MTU_BYTES : underlayMtuBytes;
        underlayMac = underlayMac == null ? routerMac : underlayMac;
        underlayNextHopMac = underlayNextHopMac == null ? routerMac : underlayNextHopMac;
        icmpErrorsPerSecond = icmpErrorsPerSecond == null ? DEFAULT_ICMP_ERRORS_PER_SECOND : icmpErrorsPerSecond;
        icmpErrorBurst = icmpErrorBurst == null ? DEFAULT_ICMP_ERROR_BURST : icmpErrorBurst;
    }

    /** A node with every optional setting at its default (for tests and tools). */
    public static NodeConfig of(String name, String routerMac, String vtepAddress) {
        return new NodeConfig(name, routerMac, vtepAddress, null, null, null, null, null, null);
    }
}
