package io.softgate.acl.model;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 prefix held as 128 bits ({@code high}, {@code low}); an IPv4 address sits in
 * the top 32 bits of {@code high} so that both families share one bit order for the classifier.
 * Host bits beyond the length are cleared.
 *
 * <p>Threading: immutable value.
 */
public record IpPrefix(int family, long high, long low, int length) {
    public static final int IPV4 = 4;
    public static final int IPV6 = 6;

    public IpPrefix {
        if (family != IPV4 && family != IPV6) {
            throw new IllegalArgumentException("family must be 4 or 6: " + family);
        }
        int max = family == IPV4 ? 32 : 128;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length must be 0.." + max + ": " + length);
        }
        high &= maskHigh(length);
        low &= maskLow(length);
    }

    /** Any IPv4 address (0.0.0.0/0). */
    public static IpPrefix anyIpv4() {
        return new IpPrefix(IPV4, 0, 0, 0);
    }

    /** Any IPv6 address (::/0). */
    public static IpPrefix anyIpv6() {
        return new IpPrefix(IPV6, 0, 0, 0);
    }

    /** An IPv4 prefix from a host-order address and a length. */
    public static IpPrefix ipv4(int address, int length) {
        return new IpPrefix(IPV4, (address & 0xFFFF_FFFFL) << 32, 0, length);
    }

    /** An IPv6 prefix from its two 64-bit halves and a length. */
    public static IpPrefix ipv6(long high, long low, int length) {
        return new IpPrefix(IPV6, high, low, length);
    }

    /** Parses {@code "10.0.0.0/8"}, {@code "2001:db8::/32"} or a bare address (a host prefix). */
    public static IpPrefix parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("prefix is empty");
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        boolean v6 = address.indexOf(':') >= 0;
        int length;
        if (slash < 0) {
            length = v6 ? 128 : 32;
        } else {
            try {
                length = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
        }
        if (!address.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        byte[] bytes;
        try {
            // Only literals reach here (checked above), so no name lookup happens.
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        if (v6 != (bytes.length == 16)) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        if (bytes.length == 4) {
            if (length > 32) {
                throw new IllegalArgumentException("IPv4 prefix length must be 0..32: " + text);
            }
            int value = ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
            return ipv4(value, length);
        }
        if (length > 128) {
            throw new IllegalArgumentException("IPv6 prefix length must be 0..128: " + text);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (bytes[i] & 0xFF);
            low = (low << 8) | (bytes[i + 8] & 0xFF);
        }
        return ipv6(high, low, length);
    }

    /** Mask of the top {@code length} bits of the high word (lengths over 128 bits). */
    public static long maskHigh(int length) {
        if (length <= 0) {
            return 0;
        }
        return length >= 64 ? -1L : -1L << (64 - length);
    }

    /** Mask of the low word for a prefix of {@code length} bits (over 128 bits). */
    public static long maskLow(int length) {
        if (length <= 64) {
            return 0;
        }
        return length >= 128 ? -1L : -1L << (128 - length);
    }

    /** True when the 128-bit address ({@code addressHigh}, {@code addressLow}) is inside this prefix. */
    public boolean contains(long addressHigh, long addressLow) {
        return (addressHigh & maskHigh(length)) == high && (addressLow & maskLow(length)) == low;
    }

    @Override
    public String toString() {
        if (family == IPV4) {
            int value = (int) (high >>> 32);
            return ((value >>> 24) & 0xFF) + "." + ((value >>> 16) & 0xFF) + "." + ((value >>> 8) & 0xFF) + "."
                + (value & 0xFF) + "/" + length;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            long word = i < 4 ? high >>> (48 - 16 * i) : low >>> (48 - 16 * (i - 4));
            if (i > 0) {
                text.append(':');
            }
            text.append(Long.toHexString(word & 0xFFFF));
        }
        return text.append('/').append(length).toString();
    }
}
