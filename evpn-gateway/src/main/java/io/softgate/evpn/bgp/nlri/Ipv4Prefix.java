package io.softgate.evpn.bgp.nlri;

import io.netty.buffer.ByteBuf;

/**
 * An IPv4 prefix as carried in the UPDATE's NLRI and Withdrawn Routes fields (RFC 4271 §4.3):
 * one length octet in bits, then the fewest octets that hold the prefix.
 *
 * <p>Threading: immutable, safe to share.
 */
public record Ipv4Prefix(int address, int prefixLength) implements Nlri {
    public Ipv4Prefix {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("IPv4 prefix length " + prefixLength);
        }
        address = prefixLength == 0 ? 0 : address & (int) (0xFFFF_FFFFL << (32 - prefixLength));
    }

    @Override
    public AddressFamily addressFamily() {
        return AddressFamily.IPV4_UNICAST;
    }

    @Override
    public Nlri routeKey() {
        return this;
    }

    /** Octets this prefix occupies on the wire, including the length octet. */
    public int encodedLength() {
        return 1 + (prefixLength + 7) / 8;
    }

    public void encode(ByteBuf out) {
        out.writeByte(prefixLength);
        int octets = (prefixLength + 7) / 8;
        for (int i = 0; i < octets; i++) {
            out.writeByte(address >>> (24 - 8 * i));
        }
    }

    /**
     * Reads one prefix, or returns null when it is syntactically incorrect (length over 32 or
     * running past {@code limit}); RFC 7606 §5.3 decides what the caller does then.
     */
    public static Ipv4Prefix decode(ByteBuf in, int limit) {
        if (in.readerIndex() >= limit) {
            return null;
        }
        int length = in.readUnsignedByte();
        int octets = (length + 7) / 8;
        if (length > 32 || in.readerIndex() + octets > limit) {
            return null;
        }
        int address = 0;
        for (int i = 0; i < octets; i++) {
            address |= in.readUnsignedByte() << (24 - 8 * i);
        }
        return new Ipv4Prefix(address, length);
    }

    @Override
    public String toString() {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF)
                + "." + (address & 0xFF) + "/" + prefixLength;
    }
}
