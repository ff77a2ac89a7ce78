package io.softgate.service.intent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix parsed from text without any name lookup ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}; a bare address is a host prefix).
 *
 * <p>Threading: immutable.
 */
public record IpPrefix(byte[] address, int length) {

    /** The prefix in {@code text}, or null when it is not one. */
    public static IpPrefix parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return null;
        }
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        byte[] address = parseAddress(addressText);
        if (address == null) {
            return null;
        }
        int max = address.length * 8;
        int length = max;
        if (slash >= 0) {
            length = decimal(text, slash + 1, text.length());
            if (length < 0) {
                return null;
            }
            if (length > max) {
                return null;
            }
        }
        return new IpPrefix(address, length);
    }

    /** An IPv4 or IPv6 literal; never resolves a name. */
    public static byte[] parseAddress(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') < 0) {
            return parseIpv4(text);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return null;
            }
        }
        try {
            byte[] bytes = InetAddress.getByName(text).getAddress();
            return bytes.length == 16 ? bytes : null;
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }

    // Scanned by hand: this runs several times per rule of a 10,000-rule document, where a split
    // and a stream per part showed up in the apply's profile.
    private static byte[] parseIpv4(String text) {
        byte[] bytes = new byte[4];
        int start = 0;
        for (int i = 0; i < 4; i++) {
            int end = i < 3 ? text.indexOf('.', start) : text.length();
            if (end < 0) {
                return null;
            }
            int value = decimal(text, start, end);
            if (value < 0 || value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
            start = end + 1;
        }
        return bytes;
    }

    /** The decimal number in text[from, to): 1 to 3 digits, else -1. */
    private static int decimal(String text, int from, int to) {
        if (to <= from || to - from > 3) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            int digit = Character.digit(text.charAt(i), 10);
            if (!Character.isDigit(text.charAt(i)) || digit < 0) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    /** True when bits beyond the length are set (10.1.1.1/24). */
    public boolean hasHostBits() {
        return !Arrays.equals(address, network().address);
    }

    /** The prefix with host bits cleared. */
    public IpPrefix network() {
        byte[] masked = address.clone();
        for (int bit = length; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new IpPrefix(masked, length);
    }

    /** True when {@code other} lies inside this prefix (same family, longer or equal length). */
    public boolean contains(IpPrefix other) {
        if (other.address.length != address.length || other.length < length) {
            return false;
        }
        for (int bit = 0; bit < length; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((address[bit / 8] & mask) != (other.address[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    public boolean overlaps(IpPrefix other) {
        return contains(other) || other.contains(this);
    }

    /** IPv4 address as an int (network order), for IPv4 prefixes only. */
    public int ipv4Value() {
        return ((address[0] & 0xFF) << 24) | ((address[1] & 0xFF) << 16) | ((address[2] & 0xFF) << 8) | (address[3] & 0xFF);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && p.length == length && Arrays.equals(p.address, address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + length;
    }

    @Override
    @com.fasterxml.jackson.annotation.JsonValue
    public String toString() {
        if (address.length == 4) {
            return (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "." + (address[2] & 0xFF) + "." + (address[3] & 0xFF)
                + "/" + length;
        }
        try {
            return InetAddress.getByAddress(address).getHostAddress() + "/" + length;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
