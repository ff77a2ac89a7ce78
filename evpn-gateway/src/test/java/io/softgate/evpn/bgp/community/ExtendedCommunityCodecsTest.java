package io.softgate.evpn.bgp.community;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.evpn.bgp.AnnotatedHex;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Annotated-hex round trips of every extended community the speaker knows. */
class ExtendedCommunityCodecsTest {
    static Stream<Arguments> goldenCommunities() {
        return Stream.of(
                Arguments.of("route target, 2-octet AS 65000:5001", "00 02  fde8  00001389", RouteTarget.ofTwoOctetAs(65000, 5001)),
                Arguments.of("route target, IPv4 10.0.0.1:7", "01 02  0a000001  0007", RouteTarget.ofIpv4Address(0x0A000001, 7)),
                Arguments.of("route target, 4-octet AS 4200000000:7", "02 02  fa56ea00  0007",
                        RouteTarget.ofFourOctetAs(4200000000L, 7)),
                Arguments.of("encapsulation VXLAN", "03 0c  00000000  0008", EncapsulationExtendedCommunity.VXLAN),
                Arguments.of("router's MAC", "06 03  02aabbccddee", new RoutersMacExtendedCommunity(0x02AABBCCDDEEL)),
                Arguments.of("MAC mobility, sticky, sequence 5", "06 00  01 00 00000005",
                        new MacMobilityExtendedCommunity(true, 5)),
                Arguments.of("default gateway", "03 0d  000000000000", DefaultGatewayExtendedCommunity.INSTANCE),
                Arguments.of("unknown (type 0x80)", "80 09  010203040506", new UnknownExtendedCommunity(0x8009010203040506L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCommunities")
    void shouldDecodeGoldenCommunity(String description, String annotatedHex, ExtendedCommunity expected) {
        long raw = AnnotatedHex.buffer(annotatedHex).readLong();
        assertEquals(expected, ExtendedCommunityCodecs.standard().decode(raw));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCommunities")
    void shouldEncodeGoldenCommunity(String description, String annotatedHex, ExtendedCommunity community) {
        assertEquals(AnnotatedHex.buffer(annotatedHex).readLong(), community.toLong());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCommunities")
    void shouldPrintRouteTargetsInTheirTextualForm(String description, String annotatedHex, ExtendedCommunity community) {
        if (community instanceof RouteTarget) {
            assertEquals(community, RouteTarget.parse(community.toString()));
        }
    }
}
