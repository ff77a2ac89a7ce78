package io.softgate.evpn.bgp.evpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.softgate.evpn.bgp.AnnotatedHex;
import io.softgate.evpn.bgp.message.UpdateErrorCounters;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.nlri.Nlri;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Annotated-hex round trips of every EVPN route type, both directions. */
class EvpnNlriCodecTest {
    private static final RouteDistinguisher RD_10_0_0_1_7 = RouteDistinguisher.ofIpv4Address(0x0A000001, 7);
    private static final EthernetSegmentIdentifier ESI_TYPE0 = new EthernetSegmentIdentifier(0x0011223344556677L, 0x8899);
    private final EvpnNlriCodec codec = EvpnNlriCodec.standard();

    static Stream<Arguments> goldenRoutes() {
        return Stream.of(
                Arguments.of("type 1 Ethernet auto-discovery", """
                        01 19                     # route type 1, length 25
                        0001 0a000001 0007        # RD type 1 10.0.0.1:7
                        00 1122334455667788 99    # ESI
                        00000000                  # Ethernet tag 0
                        001389                    # label = VNI 5001
                        """, new EthernetAutoDiscoveryRoute(RD_10_0_0_1_7, ESI_TYPE0, 0, 5001)),
                Arguments.of("type 2 MAC only (length 33, one label)", """
                        02 21                     # route type 2, length 33
                        0001 0a000001 0007        # RD 10.0.0.1:7
                        00000000000000000000      # ESI 0
                        00000000                  # Ethernet tag 0
                        30 aabbccddeeff           # MAC length 48, MAC
                        00                        # IP length 0
                        0003e9                    # label1 = L2VNI 1001
                        """, new MacIpAdvertisementRoute(RD_10_0_0_1_7, EthernetSegmentIdentifier.ZERO, 0,
                        0xAABBCCDDEEFFL, null, 1001, EvpnRoute.NO_LABEL)),
                Arguments.of("type 2 MAC+IPv4 with L2VNI and L3VNI (length 40)", """
                        02 28                     # route type 2, length 40
                        0001 0a000001 0007        # RD
                        00000000000000000000      # ESI 0
                        00000000                  # Ethernet tag
                        30 aabbccddeeff           # MAC
                        20 0a000105               # IP length 32, 10.0.1.5
                        0003e9                    # label1 = L2VNI 1001
                        001389                    # label2 = L3VNI 5001
                        """, new MacIpAdvertisementRoute(RD_10_0_0_1_7, EthernetSegmentIdentifier.ZERO, 0,
                        0xAABBCCDDEEFFL, InetAddresses.parse("10.0.1.5"), 1001, 5001)),
                Arguments.of("type 2 MAC+IPv6 with one label (length 49)", """
                        02 31                     # route type 2, length 49
                        0001 0a000001 0007        # RD
                        00000000000000000000      # ESI 0
                        00000064                  # Ethernet tag 100
                        30 020000000001           # MAC
                        80 20010db8000000000000000000000005   # IP length 128, 2001:db8::5
                        0003e9                    # label1 = L2VNI 1001
                        """, new MacIpAdvertisementRoute(RD_10_0_0_1_7, EthernetSegmentIdentifier.ZERO, 100,
                        0x020000000001L, InetAddresses.parse("2001:db8::5"), 1001, EvpnRoute.NO_LABEL)),
                Arguments.of("type 3 inclusive multicast (length 17)", """
                        03 11                     # route type 3, length 17
                        0001 0a000001 0007        # RD
                        00000000                  # Ethernet tag
                        20 c0000201               # IP length 32, originating router 192.0.2.1
                        """, new InclusiveMulticastEthernetTagRoute(RD_10_0_0_1_7, 0, InetAddresses.parse("192.0.2.1"))),
                Arguments.of("type 4 Ethernet segment (length 23)", """
                        04 17                     # route type 4, length 23
                        0001 0a000001 0007        # RD
                        00 1122334455667788 99    # ESI
                        20 c0000201               # originating router 192.0.2.1
                        """, new EthernetSegmentRoute(RD_10_0_0_1_7, ESI_TYPE0, InetAddresses.parse("192.0.2.1"))),
                Arguments.of("type 5 IPv4 prefix (length 34)", """
                        05 22                     # route type 5, length 34
                        0001 0a000001 0007        # RD
                        00000000000000000000      # ESI 0
                        00000000                  # Ethernet tag 0
                        18                        # prefix length 24
                        c6336400                  # 198.51.100.0
                        00000000                  # gateway IP 0 (interface-less)
                        001389                    # label = L3VNI 5001
                        """, new IpPrefixRoute(RD_10_0_0_1_7, EthernetSegmentIdentifier.ZERO, 0,
                        InetAddresses.parse("198.51.100.0"), 24, InetAddresses.parse("0.0.0.0"), 5001)),
                Arguments.of("type 5 IPv6 prefix (length 58)", """
                        05 3a                     # route type 5, length 58
                        0001 0a000001 0007        # RD
                        00000000000000000000      # ESI 0
                        00000000                  # Ethernet tag 0
                        80                        # prefix length 128
                        20010db8000000000000000000000001   # 2001:db8::1
                        00000000000000000000000000000000   # gateway ::
                        001389                    # label = L3VNI 5001
                        """, new IpPrefixRoute(RD_10_0_0_1_7, EthernetSegmentIdentifier.ZERO, 0,
                        InetAddresses.parse("2001:db8::1"), 128, InetAddresses.parse("::"), 5001)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenRoutes")
    void shouldDecodeGoldenRoute(String description, String annotatedHex, EvpnRoute expected) {
        byte[] wire = AnnotatedHex.bytes(annotatedHex);
        List<Nlri> decoded = new ArrayList<>();
        assertTrue(codec.decode(Unpooled.wrappedBuffer(wire), wire.length, decoded, new UpdateErrorCounters()));
        assertEquals(List.of(expected), decoded);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenRoutes")
    void shouldEncodeGoldenRoute(String description, String annotatedHex, EvpnRoute route) {
        ByteBuf out = Unpooled.buffer();
        codec.encode(route, out);
        assertEquals(AnnotatedHex.hex(AnnotatedHex.bytes(annotatedHex)), AnnotatedHex.hex(out));
        assertEquals(out.readableBytes(), codec.encodedLength(route));
    }

    @Test
    void shouldSkipAndCountUnknownRouteTypeByItsLength() {
        byte[] wire = AnnotatedHex.bytes("""
                09 03 aabbcc              # route type 9 (unknown), length 3
                03 11 0001 0a000001 0007 00000000 20 c0000201   # a type 3 after it
                """);
        UpdateErrorCounters counters = new UpdateErrorCounters();
        List<Nlri> decoded = new ArrayList<>();
        assertTrue(codec.decode(Unpooled.wrappedBuffer(wire), wire.length, decoded, counters));
        assertEquals(1, counters.unknownEvpnRouteTypesSkipped());
        assertEquals(List.of(new InclusiveMulticastEthernetTagRoute(RD_10_0_0_1_7, 0, InetAddresses.parse("192.0.2.1"))),
                decoded);
    }

    @Test
    void shouldRejectRouteWhoseLengthOverrunsTheField() {
        byte[] wire = AnnotatedHex.bytes("05 22 0001 0a000001");
        assertFalse(codec.decode(Unpooled.wrappedBuffer(wire), wire.length, new ArrayList<>(), new UpdateErrorCounters()));
    }

    @Test
    void shouldRejectTypeFiveOfImpossibleLength() {
        byte[] wire = AnnotatedHex.bytes("05 03 000000");
        assertFalse(codec.decode(Unpooled.wrappedBuffer(wire), wire.length, new ArrayList<>(), new UpdateErrorCounters()));
    }

    @Test
    void shouldKeyMacIpRouteWithoutLabels() {
        MacIpAdvertisementRoute withL3 = new MacIpAdvertisementRoute(RD_10_0_0_1_7, EthernetSegmentIdentifier.ZERO, 0,
                1L, InetAddresses.parse("10.0.0.1"), 1001, 5001);
        MacIpAdvertisementRoute withdrawnForm = new MacIpAdvertisementRoute(RD_10_0_0_1_7, EthernetSegmentIdentifier.ZERO,
                0, 1L, InetAddresses.parse("10.0.0.1"), 0, EvpnRoute.NO_LABEL);
        assertEquals(withL3.routeKey(), withdrawnForm.routeKey());
    }

    @Test
    void shouldFormatRouteDistinguishersOfAllThreeTypes() {
        assertEquals("65000:7", RouteDistinguisher.ofTwoOctetAs(65000, 7).toString());
        assertEquals("10.0.0.1:7", RD_10_0_0_1_7.toString());
        assertEquals("4200000000:7", RouteDistinguisher.ofFourOctetAs(4200000000L, 7).toString());
        assertEquals(2, RouteDistinguisher.ofFourOctetAs(4200000000L, 7).type());
    }
}
