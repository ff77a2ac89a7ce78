package io.softgate.evpn.bgp.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.softgate.evpn.bgp.attribute.ExtendedCommunitiesAttribute;
import io.softgate.evpn.bgp.attribute.PmsiTunnelAttribute;
import io.softgate.evpn.bgp.capability.FourOctetAsCapability;
import io.softgate.evpn.bgp.capability.UnknownCapability;
import io.softgate.evpn.bgp.community.EncapsulationExtendedCommunity;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.evpn.InclusiveMulticastEthernetTagRoute;
import io.softgate.evpn.bgp.evpn.IpPrefixRoute;
import io.softgate.evpn.bgp.evpn.MacIpAdvertisementRoute;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decodes messages captured from real FRR and GoBGP sessions (see the system tests). */
class CapturedSessionDecodeTest {
    private final BgpMessageDecoder decoder = new BgpMessageDecoder();

    private List<BgpMessage> decodeAll(String resource) throws IOException {
        List<BgpMessage> messages = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("captured/" + resource)) {
            assertNotNull(in, resource);
            CodecContext context = CodecContext.standard().withMaxMessageLength(CodecContext.EXTENDED_MAX_MESSAGE_LENGTH);
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                MessageDecodeResult result = decoder.decode(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(line.trim())), context);
                assertFalse(result.isFailure(), () -> "failed on " + line + ": " + result.error());
                messages.add(result.message());
            }
            assertEquals(0, context.counters().updatesTreatedAsWithdraw());
        }
        return messages;
    }

    @Test
    void shouldDecodeFrrOpenWithOneCapabilityPerParameter() throws IOException {
        OpenMessage open = (OpenMessage) decodeAll("frr-session.hex").get(0);
        assertEquals(65000, open.autonomousSystem());
        assertEquals(List.of(AddressFamily.L2VPN_EVPN), open.multiprotocolFamilies());
        assertNotNull(open.gracefulRestart());
        assertTrue(open.gracefulRestart().families().isEmpty(), "FRR's GR capability has no AF tuples");
    }

    @Test
    void shouldDecodeFrrTypeFiveWithRoutersMacAndVniLabel() throws IOException {
        UpdateMessage update = (UpdateMessage) decodeAll("frr-session.hex").get(2);
        IpPrefixRoute route = (IpPrefixRoute) update.mpReach().nlri().get(0);
        assertEquals(InetAddresses.parse("10.99.0.0"), route.prefix());
        assertEquals(24, route.prefixLength());
        assertEquals(5001, route.label());
        assertEquals(InetAddresses.parse("192.0.2.100"), update.mpReach().nextHop());
        ExtendedCommunitiesAttribute communities = update.attribute(ExtendedCommunitiesAttribute.class);
        assertEquals(0x02_00_00_00_50_01L, communities.routersMac());
        assertEquals(List.of(RouteTarget.ofTwoOctetAs(65000, 5001)), communities.routeTargets());
        assertEquals(EncapsulationExtendedCommunity.VXLAN, communities.find(EncapsulationExtendedCommunity.class));
    }

    @Test
    void shouldDecodeFrrMacOnlyTypeTwoWithL2VniLabel() throws IOException {
        UpdateMessage update = (UpdateMessage) decodeAll("frr-session.hex").get(3);
        MacIpAdvertisementRoute route = (MacIpAdvertisementRoute) update.mpReach().nlri().get(0);
        assertEquals(InetAddresses.parseMac("02:aa:bb:cc:dd:01"), route.macAddress());
        assertEquals(1001, route.label1());
        assertFalse(route.hasSecondLabel());
        assertEquals(2, update.mpReach().nlri().size(), "FRR packs several NLRIs per UPDATE");
    }

    @Test
    void shouldDecodeFrrTypeThreeWithIngressReplicationPmsi() throws IOException {
        UpdateMessage update = (UpdateMessage) decodeAll("frr-session.hex").get(5 - 1);
        assertInstanceOf(InclusiveMulticastEthernetTagRoute.class, update.mpReach().nlri().get(0));
        PmsiTunnelAttribute pmsi = update.attribute(PmsiTunnelAttribute.class);
        assertEquals(PmsiTunnelAttribute.TUNNEL_TYPE_INGRESS_REPLICATION, pmsi.tunnelType());
        assertEquals(1001, pmsi.label());
        assertEquals(InetAddresses.parse("192.0.2.100"), pmsi.tunnelEndpoint());
    }

    @Test
    void shouldRecogniseFrrEndOfRib() throws IOException {
        UpdateMessage update = (UpdateMessage) decodeAll("frr-session.hex").get(5);
        assertEquals(AddressFamily.L2VPN_EVPN, update.endOfRibFamily());
    }

    @Test
    void shouldDecodeGobgpPackedOpenAndIgnoreUnknownCapabilities() throws IOException {
        OpenMessage open = (OpenMessage) decodeAll("gobgp-session.hex").get(0);
        assertEquals(65000, open.find(FourOctetAsCapability.class).asNumber());
        assertEquals(List.of(AddressFamily.L2VPN_EVPN), open.multiprotocolFamilies());
        assertNotNull(open.find(UnknownCapability.class));
    }

    @Test
    void shouldDecodeGobgpTypeFiveAnnouncementAndWithdrawal() throws IOException {
        List<BgpMessage> messages = decodeAll("gobgp-session.hex");
        IpPrefixRoute announced = (IpPrefixRoute) ((UpdateMessage) messages.get(2)).mpReach().nlri().get(0);
        assertEquals(InetAddresses.parse("10.98.0.0"), announced.prefix());
        assertEquals(5001, announced.label());
        IpPrefixRoute withdrawn = (IpPrefixRoute) ((UpdateMessage) messages.get(3)).mpUnreach().withdrawnRoutes().get(0);
        assertEquals(announced.routeKey(), withdrawn.routeKey());
        assertInstanceOf(NotificationMessage.class, messages.get(4));
    }
}
