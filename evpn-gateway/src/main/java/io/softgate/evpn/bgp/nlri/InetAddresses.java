package io.softgate.evpn.bgp.nlri;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Reading and writing IPv4/IPv6 addresses and MAC addresses in network byte order.
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class InetAddresses {
    private InetAddresses() {
    }

    /** Reads a 4- or 16-octet address. */
    public static InetAddress read(ByteBuf in, int octets) {
        byte[] bytes = new byte[octets];
        in.readBytes(bytes);
        return fromBytes(bytes);
    }

    public static InetAddress fromBytes(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + bytes.length + " octets", e);
        }
    }

    public static InetAddress ipv4(int address) {
        return fromBytes(new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
    }

    public static int toInt(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 4) {
            throw new IllegalArgumentException("not IPv4: " + address);
        }
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    /** Parses a literal address (never a DNS lookup). */
    public static InetAddress parse(String literal) {
        if (!literal.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IP literal: " + literal);
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + literal, e);
        }
    }

    public static long readMac(ByteBuf in) {
        return ((long) in.readUnsignedShort() << 32) | in.readUnsignedInt();
    }

    public static void writeMac(ByteBuf out, long mac) {
        out.writeShort((int) (mac >>> 32));
        out.writeInt((int) mac);
    }

    public static String formatMac(long mac) {
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (text.length() > 0) {
                text.append(':');
            }
            int octet = (int) (mac >>> shift) & 0xFF;
            text.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
        }
        return text.toString();
    }

    public static long parseMac(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("MAC address: " + text);
        }
        long mac = 0;
        for (String part : parts) {
            mac = (mac << 8) | Integer.parseInt(part, 16);
        }
        return mac;
    }
}
