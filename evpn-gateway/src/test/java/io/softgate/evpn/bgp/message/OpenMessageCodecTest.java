package io.softgate.evpn.bgp.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.softgate.evpn.bgp.AnnotatedHex;
import io.softgate.evpn.bgp.capability.ExtendedMessageCapability;
import io.softgate.evpn.bgp.capability.FourOctetAsCapability;
import io.softgate.evpn.bgp.capability.GracefulRestartCapability;
import io.softgate.evpn.bgp.capability.MultiprotocolCapability;
import io.softgate.evpn.bgp.capability.RouteRefreshCapability;
import io.softgate.evpn.bgp.capability.UnknownCapability;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OPEN in both capability layouts seen on the wire (LAB.md), and its round trip. */
class OpenMessageCodecTest {
    private final BgpMessageDecoder decoder = new BgpMessageDecoder();

    private OpenMessage decode(ByteBuf message) {
        MessageDecodeResult result = decoder.decode(message, CodecContext.standard());
        assertTrue(!result.isFailure(), () -> "unexpected " + result.error());
        return (OpenMessage) result.message();
    }

    @Test
    void shouldDecodeOneCapabilityPerParameterAsFrrSendsIt() {
        OpenMessage open = decode(WireBuilder.message(BgpMessage.TYPE_OPEN, """
                04 fde8 00b4 0a000002        # version 4, AS 65000, hold 180, id 10.0.0.2
                2a                           # optional parameters length 42
                02 06 01 04 0019 00 46       # MP l2vpn/evpn
                02 02 02 00                  # route refresh
                02 06 41 04 0000fde8         # 4-octet AS 65000
                02 04 40 02 8078             # graceful restart, R bit, 120 s, no families
                02 02 06 00                  # extended message
                02 0a 49 08 036c656103646f6d # FQDN (73): ignored
                """));
        assertEquals(65000, open.autonomousSystem());
        assertEquals(List.of(AddressFamily.L2VPN_EVPN), open.multiprotocolFamilies());
        assertTrue(open.has(RouteRefreshCapability.class));
        assertTrue(open.has(ExtendedMessageCapability.class));
        GracefulRestartCapability restart = open.gracefulRestart();
        assertTrue(restart.restartState());
        assertEquals(120, restart.restartTimeSeconds());
        assertTrue(restart.families().isEmpty());
        assertNotNull(open.find(UnknownCapability.class));
    }

    @Test
    void shouldDecodePackedCapabilitiesAsGobgpSendsThem() {
        OpenMessage open = decode(WireBuilder.message(BgpMessage.TYPE_OPEN, """
                04 5ba0 005a c0000202        # version 4, AS_TRANS, hold 90, id 192.0.2.2
                1e                           # optional parameters length 30
                02 1c                        # one capabilities parameter of 28 octets
                   01 04 0019 00 46          # MP l2vpn/evpn
                   01 04 0001 00 01          # MP ipv4 unicast
                   02 00                     # route refresh
                   41 04 fa56ea00            # 4-octet AS 4200000000
                   05 06 0019 0046 0002      # extended next hop (5): ignored
                """));
        assertEquals(4200000000L, open.autonomousSystem());
        assertEquals(List.of(AddressFamily.L2VPN_EVPN, AddressFamily.IPV4_UNICAST), open.multiprotocolFamilies());
    }

    @Test
    void shouldRoundTripOpenWithAllCapabilities() {
        OpenMessage open = new OpenMessage(4, OpenMessage.AS_TRANS, 90, 0x0A000001L, List.of(
                new MultiprotocolCapability(AddressFamily.L2VPN_EVPN), RouteRefreshCapability.INSTANCE,
                ExtendedMessageCapability.INSTANCE, new FourOctetAsCapability(4200000000L),
                new GracefulRestartCapability(false, true, 120,
                        List.of(new GracefulRestartCapability.Family(AddressFamily.L2VPN_EVPN, true)))));
        ByteBuf out = Unpooled.buffer();
        new BgpMessageEncoder().encode(open, out, CodecContext.standard());
        assertEquals(open, decode(out));
    }

    @Test
    void shouldRejectUnsupportedVersionNamingVersionFour() {
        MessageDecodeResult result = decoder.decode(WireBuilder.message(BgpMessage.TYPE_OPEN, "03 fde8 00b4 0a000002 00"),
                CodecContext.standard());
        assertEquals(NotificationMessage.UNSUPPORTED_VERSION_NUMBER, result.error().errorSubcode());
        assertEquals("0004", AnnotatedHex.hex(result.error().data()));
    }

    @Test
    void shouldRejectHoldTimeOfOneSecond() {
        MessageDecodeResult result = decoder.decode(WireBuilder.message(BgpMessage.TYPE_OPEN, "04 fde8 0001 0a000002 00"),
                CodecContext.standard());
        assertEquals(NotificationMessage.UNACCEPTABLE_HOLD_TIME, result.error().errorSubcode());
    }
}
