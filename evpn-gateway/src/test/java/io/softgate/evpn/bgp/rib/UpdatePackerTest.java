package io.softgate.evpn.bgp.rib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.softgate.evpn.bgp.attribute.AsPathAttribute;
import io.softgate.evpn.bgp.attribute.ExtendedCommunitiesAttribute;
import io.softgate.evpn.bgp.attribute.NextHopAttribute;
import io.softgate.evpn.bgp.attribute.OriginAttribute;
import io.softgate.evpn.bgp.attribute.PathAttribute;
import io.softgate.evpn.bgp.community.EncapsulationExtendedCommunity;
import io.softgate.evpn.bgp.evpn.EthernetSegmentIdentifier;
import io.softgate.evpn.bgp.evpn.IpPrefixRoute;
import io.softgate.evpn.bgp.evpn.RouteDistinguisher;
import io.softgate.evpn.bgp.message.BgpMessageDecoder;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.MessageDecodeResult;
import io.softgate.evpn.bgp.message.UpdateErrorAction;
import io.softgate.evpn.bgp.message.UpdateMessage;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.nlri.Ipv4Prefix;
import io.softgate.evpn.bgp.nlri.Nlri;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Update packing: every message within the size limit, every route decodable, none lost. */
class UpdatePackerTest {
    private final UpdatePacker packer = new UpdatePacker();
    private final BgpMessageDecoder decoder = new BgpMessageDecoder();
    private static final List<PathAttribute> EVPN_ATTRIBUTES = List.of(OriginAttribute.ORIGIN_IGP, AsPathAttribute.EMPTY,
            new ExtendedCommunitiesAttribute(List.of(EncapsulationExtendedCommunity.VXLAN)));

    private static List<Nlri> type5Routes(int count) {
        List<Nlri> routes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            routes.add(new IpPrefixRoute(RouteDistinguisher.ofIpv4Address(0x0A000001, 1), EthernetSegmentIdentifier.ZERO, 0,
                    InetAddresses.ipv4(0xC6000000 + i), 32, IpPrefixRoute.zeroGateway(true), 5001));
        }
        return routes;
    }

    /**
     * Header 19 + withdrawn length 2 + attributes length 2 + ORIGIN 4 + AS_PATH 3 +
     * EXTENDED_COMMUNITIES 11 + MP_REACH_NLRI header 4 + AFI/SAFI/next hop length 4 + next hop 4 +
     * reserved 1 = 54 octets of overhead; each IPv4 type-5 NLRI is 2 + 34 = 36 octets.
     */
    private static int routesPerMessage(int maxMessageLength) {
        return (maxMessageLength - 54) / 36;
    }

    private List<UpdateMessage> decodeAll(List<ByteBuf> messages, CodecContext context) {
        List<UpdateMessage> updates = new ArrayList<>();
        for (ByteBuf message : messages) {
            assertTrue(message.readableBytes() <= context.maxMessageLength());
            MessageDecodeResult result = decoder.decode(message, context);
            assertFalse(result.isFailure(), () -> String.valueOf(result.error()));
            updates.add((UpdateMessage) result.message());
            message.release();
        }
        return updates;
    }

    @Test
    void shouldPackTypeFiveRoutesIntoStandardSizeMessagesWithoutLoss() {
        CodecContext context = CodecContext.standard();
        List<Nlri> routes = type5Routes(1000);
        List<UpdateMessage> updates = decodeAll(packer.packAnnouncements(AddressFamily.L2VPN_EVPN, EVPN_ATTRIBUTES,
                InetAddresses.parse("192.0.2.1"), routes, context, UnpooledByteBufAllocator.DEFAULT), context);
        List<Nlri> decoded = new ArrayList<>();
        for (UpdateMessage update : updates) {
            assertEquals(UpdateErrorAction.NONE, update.errorAction());
            decoded.addAll(update.mpReach().nlri());
        }
        assertEquals(routes, decoded);
        assertEquals((1000 + routesPerMessage(4096) - 1) / routesPerMessage(4096), updates.size(), "messages are full");
    }

    @Test
    void shouldPackAboutEighteenHundredTypeFiveRoutesPerExtendedMessage() {
        CodecContext context = CodecContext.standard().withMaxMessageLength(CodecContext.EXTENDED_MAX_MESSAGE_LENGTH);
        List<ByteBuf> messages = packer.packAnnouncements(AddressFamily.L2VPN_EVPN, EVPN_ATTRIBUTES,
                InetAddresses.parse("192.0.2.1"), type5Routes(5000), context, UnpooledByteBufAllocator.DEFAULT);
        List<UpdateMessage> updates = decodeAll(messages, context);
        assertEquals(3, updates.size());
        assertEquals(routesPerMessage(65535), updates.get(0).mpReach().nlri().size());
    }

    @Test
    void shouldPackWithdrawalsIntoMpUnreach() {
        CodecContext context = CodecContext.standard();
        List<ByteBuf> messages = new ArrayList<>();
        packer.packWithdrawals(AddressFamily.L2VPN_EVPN, type5Routes(300), context, UnpooledByteBufAllocator.DEFAULT,
                messages);
        int withdrawn = 0;
        for (UpdateMessage update : decodeAll(messages, context)) {
            withdrawn += update.mpUnreach().withdrawnRoutes().size();
        }
        assertEquals(300, withdrawn);
    }

    @Test
    void shouldPackIpv4UnicastIntoNlriFieldWithNextHop() {
        CodecContext context = CodecContext.standard();
        List<Nlri> prefixes = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            prefixes.add(new Ipv4Prefix(0x0A000000 + (i << 8), 24));
        }
        List<UpdateMessage> updates = decodeAll(packer.packAnnouncements(AddressFamily.IPV4_UNICAST,
                List.of(OriginAttribute.ORIGIN_IGP, AsPathAttribute.EMPTY), InetAddresses.parse("192.0.2.9"), prefixes,
                context, UnpooledByteBufAllocator.DEFAULT), context);
        List<Nlri> decoded = new ArrayList<>();
        for (UpdateMessage update : updates) {
            assertEquals(UpdateErrorAction.NONE, update.errorAction());
            assertEquals(new NextHopAttribute(0xC0000209L), update.attribute(NextHopAttribute.class));
            decoded.addAll(update.nlri());
        }
        assertEquals(prefixes, decoded);
    }

    @Test
    void shouldEncodeEndOfRibMarkers() {
        CodecContext context = CodecContext.standard();
        List<ByteBuf> messages = new ArrayList<>();
        packer.packEndOfRib(AddressFamily.L2VPN_EVPN, UnpooledByteBufAllocator.DEFAULT, messages);
        packer.packEndOfRib(AddressFamily.IPV4_UNICAST, UnpooledByteBufAllocator.DEFAULT, messages);
        List<UpdateMessage> updates = decodeAll(messages, context);
        assertEquals(AddressFamily.L2VPN_EVPN, updates.get(0).endOfRibFamily());
        assertEquals(AddressFamily.IPV4_UNICAST, updates.get(1).endOfRibFamily());
    }
}
