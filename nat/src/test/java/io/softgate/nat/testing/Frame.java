package io.softgate.nat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.packet.UdpFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads an inner Ethernet/IPv4 frame produced by a stage, and verifies every checksum in it by
 * full recomputation (outer IP, transport or ICMP, and for ICMP errors the embedded IP header and,
 * when the whole datagram is quoted, the embedded transport checksum).
 *
 * <p>Threading: a value for one test thread.
 */
public final class Frame {
    public static final int IP = 14;
    private final UnsafeBuffer buffer;
    private final int length;

    public Frame(byte[] bytes) {
        this.buffer = new UnsafeBuffer(bytes);
        this.length = bytes.length;
    }

    public int protocol() {
        return Ipv4Flyweight.protocol(buffer, IP);
    }

    public String source() {
        return Ipv4Flyweight.format(Ipv4Flyweight.source(buffer, IP));
    }

    public String destination() {
        return Ipv4Flyweight.format(Ipv4Flyweight.destination(buffer, IP));
    }

    public int l4() {
        return IP + Ipv4Flyweight.headerLength(buffer, IP);
    }

    public int sourcePort() {
        return UdpFlyweight.sourcePort(buffer, l4());
    }

    public int destinationPort() {
        return UdpFlyweight.destinationPort(buffer, l4());
    }

    public int icmpType() {
        return IcmpFlyweight.type(buffer, l4());
    }

    public int icmpCode() {
        return IcmpFlyweight.code(buffer, l4());
    }

    public int icmpIdentifier() {
        return IcmpFlyweight.identifier(buffer, l4());
    }

    /** Offset of the IPv4 header quoted in an ICMP error. */
    public int embeddedIp() {
        return l4() + IcmpFlyweight.HEADER_LENGTH;
    }

    public String embeddedSource() {
        return Ipv4Flyweight.format(Ipv4Flyweight.source(buffer, embeddedIp()));
    }

    public String embeddedDestination() {
        return Ipv4Flyweight.format(Ipv4Flyweight.destination(buffer, embeddedIp()));
    }

    public int embeddedL4() {
        return embeddedIp() + Ipv4Flyweight.headerLength(buffer, embeddedIp());
    }

    public int embeddedSourcePort() {
        return UdpFlyweight.sourcePort(buffer, embeddedL4());
    }

    public int embeddedDestinationPort() {
        return UdpFlyweight.destinationPort(buffer, embeddedL4());
    }

    public UnsafeBuffer buffer() {
        return buffer;
    }

    /** Asserts every checksum of the frame is right, recomputing each over its whole coverage. */
    public Frame assertChecksumsValid() {
        assertEquals(0xFFFF, Checksums.fold(Checksums.sum(buffer, IP, Ipv4Flyweight.headerLength(buffer, IP))),
            "IPv4 header checksum");
        int ipEnd = IP + Ipv4Flyweight.totalLength(buffer, IP);
        assertTrue(ipEnd <= length, "total length inside the frame");
        if (Ipv4Flyweight.fragmentOffsetBytes(buffer, IP) != 0 || Ipv4Flyweight.isFragment(buffer, IP)) {
            return this; // a fragment's transport checksum covers the whole datagram
        }
        assertTransport(IP, l4(), ipEnd, "");
        if (protocol() == Ipv4Flyweight.PROTOCOL_ICMP && IcmpFlyweight.isV4Error(icmpType())) {
            int e3 = embeddedIp();
            assertEquals(0xFFFF, Checksums.fold(Checksums.sum(buffer, e3, Ipv4Flyweight.headerLength(buffer, e3))),
                "embedded IPv4 header checksum");
            int embeddedEnd = e3 + Ipv4Flyweight.totalLength(buffer, e3);
            if (embeddedEnd <= ipEnd) {
                assertTransport(e3, embeddedL4(), embeddedEnd, "embedded ");
            }
        }
        return this;
    }

    private void assertTransport(int ip, int l4, int end, String what) {
        int protocol = Ipv4Flyweight.protocol(buffer, ip);
        int l4Length = end - l4;
        long pseudo = Checksums.ipv4PseudoHeaderSum(Ipv4Flyweight.source(buffer, ip),
            Ipv4Flyweight.destination(buffer, ip), protocol, l4Length);
        switch (protocol) {
            case Ipv4Flyweight.PROTOCOL_TCP:
                assertEquals(0xFFFF, Checksums.fold(pseudo + Checksums.sum(buffer, l4, l4Length)), what + "TCP checksum");
                break;
            case Ipv4Flyweight.PROTOCOL_UDP:
                if (UdpFlyweight.checksum(buffer, l4) != 0) {
                    assertEquals(0xFFFF, Checksums.fold(pseudo + Checksums.sum(buffer, l4, l4Length)),
                        what + "UDP checksum");
                }
                break;
            case Ipv4Flyweight.PROTOCOL_ICMP:
                assertEquals(0xFFFF, Checksums.fold(Checksums.sum(buffer, l4, l4Length)), what + "ICMP checksum");
                break;
            default:
                break;
        }
    }
}
