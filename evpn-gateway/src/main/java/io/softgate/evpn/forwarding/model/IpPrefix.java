package io.softgate.evpn.forwarding.model;

/**
 * An IPv4 or IPv6 prefix ({@code address/length}).
 *
 * <p>Threading: implementations are immutable values.
 */
public sealed interface IpPrefix permits Ipv4Prefix, Ipv6Prefix {
    /** Prefix length in bits. */
    int length();

    /** True when bits beyond {@link #length()} are set (e.g. {@code 10.0.0.1/24}); the compiler rejects those. */
    boolean hasHostBits();

    /**
     * Parses {@code "10.0.0.0/8"} or {@code "2001:db8::/32"}; a bare address is a host prefix.
     * Throws IllegalArgumentException naming the text when it is neither.
     */
    static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        boolean ipv6 = address.contains(":");
        int length;
        if (slash < 0) {
            length = ipv6 ? 128 : 32;
        } else {
            String lengthText = text.substring(slash + 1);
            if (lengthText.isEmpty() || lengthText.length() > 3 || !lengthText.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not a prefix: " + text);
            }
            length = Integer.parseInt(lengthText);
        }
        try {
            if (ipv6) {
                Ipv6Address parsed = Ipv6Address.parse(address);
                return new Ipv6Prefix(parsed.high(), parsed.low(), length);
            }
            return new Ipv4Prefix(Ipv4Address.parse(address).value(), length);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a prefix: " + text + " (" + e.getMessage() + ")", e);
        }
    }
}
