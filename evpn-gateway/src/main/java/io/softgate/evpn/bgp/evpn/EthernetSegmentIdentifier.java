package io.softgate.evpn.bgp.evpn;

import io.netty.buffer.ByteBuf;

/**
 * The 10-octet Ethernet Segment Identifier (RFC 7432 §5): octets 0-7 in {@code upper}, octets
 * 8-9 in {@code lower}. All zero means single-homed.
 *
 * <p>Threading: immutable, safe to share.
 */
public record EthernetSegmentIdentifier(long upper, int lower) {
    public static final int LENGTH = 10;
    public static final EthernetSegmentIdentifier ZERO = new EthernetSegmentIdentifier(0, 0);

    public EthernetSegmentIdentifier {
        lower &= 0xFFFF;
    }

    public static EthernetSegmentIdentifier decode(ByteBuf in) {
        long upper = in.readLong();
        int lower = in.readUnsignedShort();
        return upper == 0 && lower == 0 ? ZERO : new EthernetSegmentIdentifier(upper, lower);
    }

    public void encode(ByteBuf out) {
        out.writeLong(upper);
        out.writeShort(lower);
    }

    @Override
    public String toString() {
        return String.format("%016x%04x", upper, lower);
    }
}
