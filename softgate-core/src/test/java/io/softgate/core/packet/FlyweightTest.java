package io.softgate.core.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class FlyweightTest {
    private static final long MAC_A = PacketBuilder.parseMac("02:00:00:00:00:0a");
    private static final long MAC_B = PacketBuilder.parseMac("02:00:00:00:00:0b");

    @Test
    void shouldReadEthernetAddressesAndTypeInNetworkOrder() {
        byte[] frame = PacketBuilder.ethernet(MAC_A, MAC_B).ipv4("1.2.3.4", "5.6.7.8").udp(1, 2).build();
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        assertEquals(MAC_B, EthernetFlyweight.destinationMac(buffer, 0));
        assertEquals(MAC_A, EthernetFlyweight.sourceMac(buffer, 0));
        assertEquals(0x0b, frame[5]);
        assertEquals(EthernetFlyweight.ETHER_TYPE_IPV4, EthernetFlyweight.etherType(buffer, 0));
        assertEquals(14, EthernetFlyweight.headerLength(buffer, 0, frame.length));
    }

    @Test
    void shouldSkipVlanTagToFindPayloadType() {
        byte[] frame = PacketBuilder.ethernet(MAC_A, MAC_B).vlan(100).ipv6("::1", "::2").udp(1, 2).build();
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        int headerLength = EthernetFlyweight.headerLength(buffer, 0, frame.length);
        assertEquals(18, headerLength);
        assertEquals(100, EthernetFlyweight.vlanId(buffer, 0));
        assertEquals(EthernetFlyweight.ETHER_TYPE_IPV6, EthernetFlyweight.payloadEtherType(buffer, 0, headerLength));
    }

    @Test
    void shouldRejectEthernetHeaderThatIsTruncated() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[13]);
        assertEquals(-1, EthernetFlyweight.headerLength(buffer, 0, 13));
    }

    @Test
    void shouldValidateIpv4HeaderWithOptions() {
        byte[] frame = PacketBuilder.ethernet(MAC_A, MAC_B).ipv4("10.1.1.1", "10.2.2.2")
            .ipv4Options(new byte[] {1, 1, 1, 0}).tcp(1000, 80).build();
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        assertEquals(24, Ipv4Flyweight.validate(buffer, 14, frame.length - 14));
        assertEquals(Ipv4Flyweight.parse("10.1.1.1"), Ipv4Flyweight.source(buffer, 14));
        assertEquals("10.2.2.2", Ipv4Flyweight.format(Ipv4Flyweight.destination(buffer, 14)));
        assertEquals(6, Ipv4Flyweight.protocol(buffer, 14));
    }

    @Test
    void shouldRejectIpv4HeaderWithBadIhlOrLyingTotalLength() {
        byte[] badIhl = PacketBuilder.ethernet(MAC_A, MAC_B).ipv4("10.1.1.1", "10.2.2.2").ihl(4).udp(1, 2).build();
        assertEquals(-1, Ipv4Flyweight.validate(new UnsafeBuffer(badIhl), 14, badIhl.length - 14));
        byte[] lying = PacketBuilder.ethernet(MAC_A, MAC_B).ipv4("10.1.1.1", "10.2.2.2").lengthField(1400).udp(1, 2).build();
        assertEquals(-1, Ipv4Flyweight.validate(new UnsafeBuffer(lying), 14, lying.length - 14));
        byte[] shortLength = PacketBuilder.ethernet(MAC_A, MAC_B).ipv4("10.1.1.1", "10.2.2.2").lengthField(19).udp(1, 2).build();
        assertEquals(-1, Ipv4Flyweight.validate(new UnsafeBuffer(shortLength), 14, shortLength.length - 14));
    }

    @Test
    void shouldReportFragmentFieldsOfIpv4() {
        byte[] frame = PacketBuilder.ethernet(MAC_A, MAC_B).ipv4("10.1.1.1", "10.2.2.2").fragment(true, 1480)
            .udp(1, 2).build();
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        assertTrue(Ipv4Flyweight.isFragment(buffer, 14));
        assertEquals(1480, Ipv4Flyweight.fragmentOffsetBytes(buffer, 14));
        assertFalse(Ipv4Flyweight.dontFragment(buffer, 14));
    }

    @Test
    void shouldRejectMalformedDottedQuads() {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Flyweight.parse("1.2.3"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Flyweight.parse("1.2.3.256"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Flyweight.parse("1.2.3.-1"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Flyweight.parse("a.b.c.d"));
    }

    @Test
    void shouldWalkIpv6ExtensionHeadersToUpperLayer() {
        // Hop-by-hop (8 bytes, next = fragment), fragment (first fragment, M=1, next = UDP).
        byte[] extensions = {
            44, 0, 1, 4, 0, 0, 0, 0,
            17, 0, 0, 1, 0, 0, 0, 42};
        byte[] frame = PacketBuilder.ethernet(MAC_A, MAC_B).ipv6("2001:db8::1", "2001:db8::2")
            .ipv6ExtensionHeaders(0, extensions).udp(53, 53).payload(4).build();
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        int length = Ipv6Flyweight.validate(buffer, 14, frame.length - 14);
        assertEquals(frame.length - 14, length);
        long walk = Ipv6Flyweight.walkExtensionHeaders(buffer, 14, length);
        assertEquals(17, Ipv6Flyweight.walkProtocol(walk));
        assertEquals(56, Ipv6Flyweight.walkL4Offset(walk));
        assertEquals(Ipv6Flyweight.WALK_FRAGMENT, Ipv6Flyweight.walkFragmentBits(walk));
    }

    @Test
    void shouldStopTheIpv6WalkAtANonFirstFragmentsFragmentHeader() {
        // RFC 8200 §4.5: after the Fragment header of a non-first fragment comes fragment data.
        // Fragment header: next = Destination Options (60), offset 1480 bytes (185 units), M=1.
        byte[] fragment = {60, 0, (byte) (1480 >> 8), (byte) ((1480 & 0xF8) | 1), 0, 0, 0, 42};
        // Data that would read as a Destination Options header naming TCP (06 00) ...
        byte[] tcpLooking = PacketBuilder.ethernet(MAC_A, MAC_B).ipv6("2001:db8::1", "2001:db8::2")
            .ipv6ExtensionHeaders(44, fragment).rawProtocol(60)
            .payload(new byte[] {6, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}).build();
        UnsafeBuffer buffer = new UnsafeBuffer(tcpLooking);
        long walk = Ipv6Flyweight.walkExtensionHeaders(buffer, 14, tcpLooking.length - 14);
        assertTrue(walk >= 0);
        assertEquals(60, Ipv6Flyweight.walkProtocol(walk));
        assertEquals(48, Ipv6Flyweight.walkL4Offset(walk));
        assertEquals(Ipv6Flyweight.WALK_FRAGMENT | Ipv6Flyweight.WALK_NON_FIRST_FRAGMENT,
            Ipv6Flyweight.walkFragmentBits(walk));
        // ... or as one running past the packet (length byte 0xFF): not malformed, it is data.
        byte[] runsPast = PacketBuilder.ethernet(MAC_A, MAC_B).ipv6("2001:db8::1", "2001:db8::2")
            .ipv6ExtensionHeaders(44, fragment).rawProtocol(60).payload(new byte[] {17, (byte) 0xFF, 0, 0, 0, 0, 0, 0})
            .build();
        walk = Ipv6Flyweight.walkExtensionHeaders(new UnsafeBuffer(runsPast), 14, runsPast.length - 14);
        assertTrue(walk >= 0);
        assertEquals(60, Ipv6Flyweight.walkProtocol(walk));
        assertEquals(Ipv6Flyweight.WALK_FRAGMENT | Ipv6Flyweight.WALK_NON_FIRST_FRAGMENT,
            Ipv6Flyweight.walkFragmentBits(walk));
        // A last fragment (M=0) stops the same way; a first fragment's walk goes on (test above).
        byte[] last = {17, 0, (byte) (1480 >> 8), (byte) (1480 & 0xF8), 0, 0, 0, 42};
        byte[] lastFragment = PacketBuilder.ethernet(MAC_A, MAC_B).ipv6("2001:db8::1", "2001:db8::2")
            .ipv6ExtensionHeaders(44, last).rawProtocol(17).payload(new byte[] {0, 0}).build();
        walk = Ipv6Flyweight.walkExtensionHeaders(new UnsafeBuffer(lastFragment), 14, lastFragment.length - 14);
        assertEquals(17, Ipv6Flyweight.walkProtocol(walk));
        assertEquals(48, Ipv6Flyweight.walkL4Offset(walk));
        assertEquals(Ipv6Flyweight.WALK_FRAGMENT | Ipv6Flyweight.WALK_NON_FIRST_FRAGMENT,
            Ipv6Flyweight.walkFragmentBits(walk));
    }

    @Test
    void shouldRejectIpv6ExtensionHeaderRunningPastPacket() {
        byte[] extensions = {60, 10, 0, 0, 0, 0, 0, 0}; // hop-by-hop claiming 88 bytes
        byte[] frame = PacketBuilder.ethernet(MAC_A, MAC_B).ipv6("2001:db8::1", "2001:db8::2")
            .ipv6ExtensionHeaders(0, extensions).udp(53, 53).build();
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        assertEquals(-1, Ipv6Flyweight.walkExtensionHeaders(buffer, 14, frame.length - 14));
    }

    @Test
    void shouldFindMssOptionBehindNops() {
        byte[] frame = PacketBuilder.ethernet(MAC_A, MAC_B).ipv4("10.1.1.1", "10.2.2.2").tcp(1, 2)
            .tcpFlags(TcpFlyweight.FLAG_SYN).tcpOptions(new byte[] {1, 1, 2, 4, 0x05, (byte) 0xb4, 1, 0}).build();
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        int tcp = 14 + 20;
        assertEquals(28, TcpFlyweight.validate(buffer, tcp, frame.length - tcp));
        int mss = TcpFlyweight.findMssOption(buffer, tcp);
        assertEquals(1460, buffer.getShort(mss, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF);
    }

    @Test
    void shouldNotFindMssInMalformedOptions() {
        byte[] frame = PacketBuilder.ethernet(MAC_A, MAC_B).ipv4("10.1.1.1", "10.2.2.2").tcp(1, 2)
            .tcpOptions(new byte[] {8, 0, 0, 0}).build(); // kind 8 with length 0
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        assertEquals(-1, TcpFlyweight.findMssOption(buffer, 34));
    }

    @Test
    void shouldRoundTripVxlanHeader() {
        byte[] inner = PacketBuilder.ethernet(MAC_A, MAC_B).ipv4("10.1.1.1", "10.2.2.2").udp(1, 2).build();
        byte[] frame = PacketBuilder.vxlan(MAC_A, MAC_B, "192.0.2.1", "192.0.2.2", 50000, 5001, inner);
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        int vxlan = 14 + 20 + 8;
        assertEquals(VxlanFlyweight.FLAG_VALID_VNI, VxlanFlyweight.flags(buffer, vxlan));
        assertEquals(5001, VxlanFlyweight.vni(buffer, vxlan));
        // RFC 8365 / LAB.md: VNI 5001 is the raw 24-bit value 00 13 89.
        assertEquals(0x00, frame[vxlan + 4]);
        assertEquals(0x13, frame[vxlan + 5]);
        assertEquals((byte) 0x89, frame[vxlan + 6]);
        assertEquals(VxlanFlyweight.UDP_PORT, UdpFlyweight.destinationPort(buffer, 34));
    }

    @Test
    void shouldParseEthernetIpv4Arp() {
        byte[] frame = new byte[14 + ArpFlyweight.LENGTH];
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        ArpFlyweight.write(buffer, 14, ArpFlyweight.OPERATION_REQUEST, MAC_A, Ipv4Flyweight.parse("10.0.0.1"), 0,
            Ipv4Flyweight.parse("10.0.0.2"));
        assertTrue(ArpFlyweight.isEthernetIpv4(buffer, 14, ArpFlyweight.LENGTH));
        assertEquals(MAC_A, ArpFlyweight.senderMac(buffer, 14));
        assertEquals(Ipv4Flyweight.parse("10.0.0.2"), ArpFlyweight.targetAddress(buffer, 14));
        assertFalse(ArpFlyweight.isEthernetIpv4(buffer, 14, ArpFlyweight.LENGTH - 1));
    }

    @Test
    void shouldFormatAndParseMacAddresses() {
        assertEquals("02:00:00:00:00:0a", PacketBuilder.formatMac(MAC_A));
        assertEquals(0x0200_0000_000AL, MAC_A);
    }
}
