package io.softgate.evpn.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.Ipv6Flyweight;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.packet.VxlanFlyweight;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Byte-level helpers for the forwarding tests: strip Ethernet, build a VXLAN payload, patch
 * fields, and recompute every checksum of a packet the code under test generated.
 *
 * <p>Threading: stateless test helpers.
 */
public final class Packets {
    private Packets() {
    }

    /** The IP packet inside a built Ethernet frame (no VLAN tag). */
    public static byte[] ip(PacketBuilder builder) {
        byte[] frame = builder.build();
        return Arrays.copyOfRange(frame, EthernetFlyweight.HEADER_LENGTH, frame.length);
    }

    /** VXLAN header (flags I, {@code vni}) followed by {@code innerFrame}. */
    public static byte[] vxlanPayload(int vni, byte[] innerFrame) {
        byte[] bytes = new byte[VxlanFlyweight.HEADER_LENGTH + innerFrame.length];
        VxlanFlyweight.write(new UnsafeBuffer(bytes), 0, vni);
        System.arraycopy(innerFrame, 0, bytes, VxlanFlyweight.HEADER_LENGTH, innerFrame.length);
        return bytes;
    }

    public static byte[] patchByte(byte[] packet, int offset, int value) {
        byte[] copy = packet.clone();
        copy[offset] = (byte) value;
        return copy;
    }

    public static byte[] patchShort(byte[] packet, int offset, int value) {
        byte[] copy = packet.clone();
        copy[offset] = (byte) (value >>> 8);
        copy[offset + 1] = (byte) value;
        return copy;
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** Recomputes the IPv4 header checksum and, for ICMP, the ICMP checksum of an IPv4 packet. */
    public static void assertIpv4ChecksumsValid(byte[] packet, int ipOffset) {
        UnsafeBuffer buffer = new UnsafeBuffer(packet);
        int headerLength = Ipv4Flyweight.headerLength(buffer, ipOffset);
        assertEquals(0xFFFF, Checksums.fold(Checksums.sum(buffer, ipOffset, headerLength)), "IPv4 header checksum");
        if (Ipv4Flyweight.protocol(buffer, ipOffset) == Ipv4Flyweight.PROTOCOL_ICMP) {
            int icmpLength = Ipv4Flyweight.totalLength(buffer, ipOffset) - headerLength;
            assertEquals(0xFFFF, Checksums.fold(Checksums.sum(buffer, ipOffset + headerLength, icmpLength)),
                "ICMP checksum");
        }
    }

    /** Recomputes the ICMPv6 checksum (with the pseudo-header) of an IPv6 packet without extension headers. */
    public static void assertIcmpv6ChecksumValid(byte[] packet, int ipOffset) {
        UnsafeBuffer buffer = new UnsafeBuffer(packet);
        int payloadLength = Ipv6Flyweight.payloadLength(buffer, ipOffset);
        long sum = Checksums.ipv6PseudoHeaderSum(buffer, ipOffset, Ipv4Flyweight.PROTOCOL_ICMPV6, payloadLength)
            + Checksums.sum(buffer, ipOffset + Ipv6Flyweight.HEADER_LENGTH, payloadLength);
        assertEquals(0xFFFF, Checksums.fold(sum), "ICMPv6 checksum");
    }
}
