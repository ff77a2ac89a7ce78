package io.softgate.service.config;

import io.softgate.core.packet.Ipv4Flyweight;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parsers for the textual addresses of a configuration file: MAC, IPv4, IPv6 and prefixes. They
 * never consult DNS: only literals are accepted.
 *
 * <p>Threading: stateless.
 */
public final class Addresses {
    private Addresses() {
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (colons or dashes, any case) into the low 48 bits of a long. */
    public static long parseMac(String text) {
        String[] parts = text.split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): " + text);
        }
        long mac = 0;
        for (String part : parts) {
            if (part.length() != 2 || Character.digit(part.charAt(0), 16) < 0 || Character.digit(part.charAt(1), 16) < 0) {
                throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): " + text);
            }
            mac = (mac << 8) | Integer.parseInt(part, 16);
        }
        return mac;
    }

    /** Formats the low 48 bits of {@code mac} as {@code aa:bb:cc:dd:ee:ff}. */
    public static String formatMac(long mac) {
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (text.length() > 0) {
                text.append(':');
            }
            text.append(String.format("%02x", (mac >>> shift) & 0xFF));
        }
        return text.toString();
    }

    /** True for a MAC usable as a router MAC: not all zeros and not group (multicast/broadcast). */
    public static boolean isUnicastMac(long mac) {
        // IEEE 802: the least significant bit of the first octet marks a group address.
        return mac != 0 && ((mac >>> 40) & 0x01) == 0;
    }

    /** Parses a dotted-quad IPv4 address into an int. */
    public static int parseIpv4(String text) {
        return Ipv4Flyweight.parse(text);
    }

    /**
     * Parses an IPv4 or IPv6 literal into its 4 or 16 bytes; rejects host names (no DNS lookup is
     * ever made).
     */
    public static byte[] parseIpLiteral(String text) {
        if (text.indexOf(':') < 0) {
            int address = Ipv4Flyweight.parse(text);
            return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        }
        if (!text.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IPv6 address: " + text);
        }
        try {
            // A literal containing ':' is parsed by the JDK without any name lookup.
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: " + text, e);
        }
    }

    /**
     * A parsed prefix such as {@code 10.1.2.0/24} or {@code 2001:db8::/32}.
     *
     * <p>Threading: immutable by convention: callers must not modify {@link #address()}.
     */
    public record Prefix(byte[] address, int length) {
        public boolean isIpv4() {
            return address.length == 4;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Prefix that && that.length == length && java.util.Arrays.equals(that.address, address);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(address) * 31 + length;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(address).getHostAddress() + "/" + length;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Parses {@code address/length}; host bits beyond the length must be zero. */
    public static Prefix parsePrefix(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a prefix (want address/length): " + text);
        }
        byte[] address = parseIpLiteral(text.substring(0, slash));
        String lengthText = text.substring(slash + 1);
        int maxLength = address.length * 8;
        int length;
        if (lengthText.isEmpty() || lengthText.length() > 3 || !lengthText.chars().allMatch(c -> c >= '0' && c <= '9')
            || (length = Integer.parseInt(lengthText)) > maxLength) {
            throw new IllegalArgumentException("prefix length must be 0.." + maxLength + ": " + text);
        }
        for (int bit = length; bit < maxLength; bit++) {
            if ((address[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException("host bits set beyond /" + length + ": " + text);
            }
        }
        return new Prefix(address, length);
    }
}
