package io.softgate.acl.model;

import java.util.Locale;

/**
 * The protocol selector of an ACL rule, in the controller's vocabulary. {@code all} and
 * {@code ip} both match every IP packet (the softgate only filters IP; both spellings are kept
 * because the controller sends both); the others match one IP protocol number.
 *
 * <p>Threading: immutable enum.
 */
public enum AclProtocol {
    ALL(-1),
    IP(-1),
    TCP(6),
    UDP(17),
    ICMP(1),
    ICMPV6(58);

    private final int ipProtocol;

    AclProtocol(int ipProtocol) {
        this.ipProtocol = ipProtocol;
    }

    /** The IP protocol number this selector requires, or -1 for any. */
    public int ipProtocol() {
        return ipProtocol;
    }

    /** True when rules of this protocol may carry port ranges. */
    public boolean hasPorts() {
        return this == TCP || this == UDP;
    }

    /** True when rules of this protocol may carry an ICMP type. */
    public boolean isIcmp() {
        return this == ICMP || this == ICMPV6;
    }

    /** Parses the controller's spelling (case-insensitive; null or empty means {@code all}). */
    public static AclProtocol parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "all", "any" -> ALL;
            case "ip" -> IP;
            case "tcp" -> TCP;
            case "udp" -> UDP;
            case "icmp" -> ICMP;
            case "icmpv6", "ipv6-icmp" -> ICMPV6;
            default -> throw new IllegalArgumentException(
                "proto must be one of all, ip, tcp, udp, icmp, icmpv6: " + text);
        };
    }
}
