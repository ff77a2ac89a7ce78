package io.softgate.nat.session;

/**
 * The NAT keeps a separate port space per transport: TCP, UDP and ICMP query identifiers
 * (RFC 4787/5382: a mapping for one protocol never lends its port to another).
 *
 * <p>Threading: constants and stateless functions.
 */
public final class ProtocolClass {
    public static final int TCP = 0;
    public static final int UDP = 1;
    public static final int ICMP = 2;
    public static final int COUNT = 3;
    /** Not a protocol the NAT translates. */
    public static final int NONE = -1;

    private ProtocolClass() {
    }

    /** The class of IP protocol number {@code protocol}, or {@link #NONE}. */
    public static int of(int protocol) {
        switch (protocol) {
            case 6:
                return TCP;
            case 17:
                return UDP;
            case 1:
                return ICMP;
            default:
                return NONE;
        }
    }

    public static String name(int protocolClass) {
        switch (protocolClass) {
            case TCP:
                return "tcp";
            case UDP:
                return "udp";
            case ICMP:
                return "icmp";
            default:
                return "?";
        }
    }
}
