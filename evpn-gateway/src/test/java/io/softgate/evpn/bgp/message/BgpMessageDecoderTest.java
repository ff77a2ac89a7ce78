package io.softgate.evpn.bgp.message;

import static io.softgate.evpn.bgp.message.WireBuilder.EMPTY_AS_PATH;
import static io.softgate.evpn.bgp.message.WireBuilder.EVPN_COMMUNITIES;
import static io.softgate.evpn.bgp.message.WireBuilder.LOCAL_PREF_100;
import static io.softgate.evpn.bgp.message.WireBuilder.MP_REACH_TYPE5;
import static io.softgate.evpn.bgp.message.WireBuilder.ORIGIN_IGP;
import static io.softgate.evpn.bgp.message.WireBuilder.TYPE5_NLRI;
import static io.softgate.evpn.bgp.message.WireBuilder.attribute;
import static io.softgate.evpn.bgp.message.WireBuilder.attributeWithLength;
import static io.softgate.evpn.bgp.message.WireBuilder.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.attribute.AtomicAggregateAttribute;
import io.softgate.evpn.bgp.attribute.ExtendedCommunitiesAttribute;
import io.softgate.evpn.bgp.attribute.LocalPreferenceAttribute;
import io.softgate.evpn.bgp.attribute.OriginAttribute;
import io.softgate.evpn.bgp.attribute.UnknownAttribute;
import io.softgate.evpn.bgp.evpn.IpPrefixRoute;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import org.junit.jupiter.api.Test;

/** RFC 7606 error handling of the UPDATE decoder, one behaviour per test. */
class BgpMessageDecoderTest {
    private final BgpMessageDecoder decoder = new BgpMessageDecoder();
    private final CodecContext internal = CodecContext.standard();
    private final CodecContext external = CodecContext.standard().withExternalPeer(true);

    private UpdateMessage decodeUpdate(ByteBuf message, CodecContext context) {
        MessageDecodeResult result = decoder.decode(message, context);
        assertFalse(result.isFailure(), () -> "unexpected " + result.error());
        return (UpdateMessage) result.message();
    }

    private NotificationMessage decodeFailure(ByteBuf message, CodecContext context) {
        MessageDecodeResult result = decoder.decode(message, context);
        assertTrue(result.isFailure(), () -> "expected a session reset, got " + result.message());
        return result.error();
    }

    @Test
    void shouldDecodeValidTypeFiveUpdate() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + LOCAL_PREF_100 + EVPN_COMMUNITIES
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.NONE, update.errorAction());
        assertEquals(1, update.mpReach().nlri().size());
        IpPrefixRoute route = (IpPrefixRoute) update.mpReach().nlri().get(0);
        assertEquals(5001, route.label());
        assertEquals(0x02AABBCCDDEEL, update.attribute(ExtendedCommunitiesAttribute.class).routersMac());
    }

    @Test
    void shouldNotDependOnAttributeOrder() {
        UpdateMessage mpFirst = decodeUpdate(update("", MP_REACH_TYPE5 + EVPN_COMMUNITIES + LOCAL_PREF_100 + EMPTY_AS_PATH
                + ORIGIN_IGP, ""), internal);
        UpdateMessage mpLast = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + LOCAL_PREF_100 + EVPN_COMMUNITIES
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(mpFirst.mpReach(), mpLast.mpReach());
        assertEquals(mpFirst.attribute(ExtendedCommunitiesAttribute.class), mpLast.attribute(ExtendedCommunitiesAttribute.class));
    }

    @Test
    void shouldHonourExtendedLengthFlagOnShortAttribute() {
        String originExtended = attribute(0x50, 1, "00");
        UpdateMessage update = decodeUpdate(update("", originExtended + EMPTY_AS_PATH + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.NONE, update.errorAction());
        assertEquals(OriginAttribute.ORIGIN_IGP, update.attribute(OriginAttribute.class));
    }

    @Test
    void shouldTreatAsWithdrawWhenOriginHasWrongLength() {
        UpdateMessage update = decodeUpdate(update("", attribute(0x40, 1, "0000") + EMPTY_AS_PATH + MP_REACH_TYPE5, ""),
                internal);
        assertEquals(UpdateErrorAction.TREAT_AS_WITHDRAW, update.errorAction());
        assertEquals(1, update.mpReach().nlri().size(), "the routes to withdraw are still located");
        assertEquals(1, internal.counters().updatesTreatedAsWithdraw());
    }

    @Test
    void shouldTreatAsWithdrawWhenExtendedCommunitiesLengthIsNotAMultipleOfEight() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0xc0, 16, "00020000000000")
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.TREAT_AS_WITHDRAW, update.errorAction());
    }

    @Test
    void shouldTreatAsWithdrawWhenExtendedCommunitiesIsEmpty() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0xc0, 16, "")
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.TREAT_AS_WITHDRAW, update.errorAction());
        assertEquals(1, internal.counters().updatesTreatedAsWithdraw());
    }

    @Test
    void shouldTreatAsWithdrawWhenCommunitiesIsEmpty() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0xc0, 8, "")
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.TREAT_AS_WITHDRAW, update.errorAction());
        assertEquals(1, internal.counters().updatesTreatedAsWithdraw());
    }

    @Test
    void shouldTreatAsWithdrawWhenClusterListIsEmpty() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0x80, 10, "")
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.TREAT_AS_WITHDRAW, update.errorAction());
    }

    @Test
    void shouldTreatAsWithdrawWhenMandatoryAttributeIsMissing() {
        UpdateMessage update = decodeUpdate(update("", LOCAL_PREF_100 + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.TREAT_AS_WITHDRAW, update.errorAction());
    }

    @Test
    void shouldNotRequireMandatoryAttributesInWithdrawOnlyUpdate() {
        String mpUnreach = attribute(0x90, 15, "0019 46 " + TYPE5_NLRI);
        UpdateMessage update = decodeUpdate(update("", mpUnreach, ""), internal);
        assertEquals(UpdateErrorAction.NONE, update.errorAction());
        assertEquals(1, update.mpUnreach().withdrawnRoutes().size());
    }

    @Test
    void shouldTreatAsWithdrawWhenOriginHasConflictingFlags() {
        UpdateMessage update = decodeUpdate(update("", attribute(0xc0, 1, "00") + EMPTY_AS_PATH + MP_REACH_TYPE5, ""),
                internal);
        assertEquals(UpdateErrorAction.TREAT_AS_WITHDRAW, update.errorAction());
    }

    @Test
    void shouldDiscardMalformedAtomicAggregateAndKeepTheRoutes() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0x40, 6, "01")
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.ATTRIBUTE_DISCARD, update.errorAction());
        assertNull(update.attribute(AtomicAggregateAttribute.class));
        assertEquals(1, internal.counters().attributesDiscarded());
    }

    @Test
    void shouldDiscardLocalPreferenceFromExternalPeer() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + attribute(0x40, 2, "0201 0000fde8") + LOCAL_PREF_100
                + MP_REACH_TYPE5, ""), external);
        assertEquals(UpdateErrorAction.ATTRIBUTE_DISCARD, update.errorAction());
        assertNull(update.attribute(LocalPreferenceAttribute.class));
    }

    @Test
    void shouldDiscardMalformedIbgpOnlyAttributesFromExternalPeer() {
        String badLocalPref = attribute(0x40, 5, "0064");
        String badOriginatorFlags = attribute(0xc0, 9, "0a000001");
        String emptyClusterList = attribute(0x80, 10, "");
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + attribute(0x40, 2, "0201 0000fde8") + badLocalPref
                + badOriginatorFlags + emptyClusterList + MP_REACH_TYPE5, ""), external);
        assertEquals(UpdateErrorAction.ATTRIBUTE_DISCARD, update.errorAction(), update.errorDetail());
        assertNull(update.attribute(LocalPreferenceAttribute.class));
        assertEquals(1, update.mpReach().nlri().size());
        assertEquals(3, external.counters().attributesDiscarded());
        assertEquals(0, external.counters().updatesTreatedAsWithdraw());
    }

    @Test
    void shouldTreatAsWithdrawMalformedLocalPreferenceFromInternalPeer() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0x40, 5, "0064")
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.TREAT_AS_WITHDRAW, update.errorAction());
    }

    @Test
    void shouldTreatAsWithdrawOriginatorIdWithWrongFlagsFromInternalPeer() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0xc0, 9, "0a000001")
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.TREAT_AS_WITHDRAW, update.errorAction());
    }

    @Test
    void shouldKeepFirstOfRepeatedAttributes() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + attribute(0x40, 1, "02") + EMPTY_AS_PATH
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(OriginAttribute.ORIGIN_IGP, update.attribute(OriginAttribute.class));
        assertEquals(1, internal.counters().duplicateAttributesDiscarded());
    }

    @Test
    void shouldResetSessionOnRepeatedMpReach() {
        NotificationMessage error = decodeFailure(update("", ORIGIN_IGP + EMPTY_AS_PATH + MP_REACH_TYPE5 + MP_REACH_TYPE5,
                ""), internal);
        assertEquals(NotificationMessage.UPDATE_MESSAGE_ERROR, error.errorCode());
        assertEquals(NotificationMessage.MALFORMED_ATTRIBUTE_LIST, error.errorSubcode());
        assertEquals(1, internal.counters().sessionResets());
    }

    @Test
    void shouldTreatAsWithdrawWhenLastAttributeOverrunsAfterMpReach() {
        String overrunning = attributeWithLength(0xc0, 16, 200, "0002fde800001389");
        UpdateMessage update = decodeUpdate(update("", MP_REACH_TYPE5 + ORIGIN_IGP + EMPTY_AS_PATH + overrunning, ""),
                internal);
        assertEquals(UpdateErrorAction.TREAT_AS_WITHDRAW, update.errorAction());
        assertNotNull(update.mpReach());
    }

    @Test
    void shouldResetSessionWhenOverrunHidesTheMpReach() {
        String overrunning = attributeWithLength(0x40, 1, 200, "00");
        NotificationMessage error = decodeFailure(update("", overrunning + MP_REACH_TYPE5, ""), internal);
        assertEquals(NotificationMessage.MALFORMED_ATTRIBUTE_LIST, error.errorSubcode());
    }

    @Test
    void shouldResetSessionWhenOverrunHidesTheMpReachBehindWithdrawnRoutes() {
        String overrunning = attributeWithLength(0x40, 1, 200, "00");
        NotificationMessage error = decodeFailure(update("18 0a0000", overrunning + MP_REACH_TYPE5, ""), internal);
        assertEquals(NotificationMessage.UPDATE_MESSAGE_ERROR, error.errorCode());
        assertEquals(NotificationMessage.MALFORMED_ATTRIBUTE_LIST, error.errorSubcode());
        assertEquals(1, internal.counters().sessionResets());
    }

    @Test
    void shouldResetSessionWhenOverrunHidesTheMpReachBehindIpv4Nlri() {
        String overrunning = attributeWithLength(0x40, 1, 200, "00");
        NotificationMessage error = decodeFailure(update("", overrunning + MP_REACH_TYPE5, "18 0a0000"), internal);
        assertEquals(NotificationMessage.MALFORMED_ATTRIBUTE_LIST, error.errorSubcode());
    }

    @Test
    void shouldResetSessionWhenWithdrawnRoutesLengthOverrunsMessage() {
        ByteBuf message = WireBuilder.message(BgpMessage.TYPE_UPDATE, "00ff 0000");
        assertEquals(NotificationMessage.MALFORMED_ATTRIBUTE_LIST, decodeFailure(message, internal).errorSubcode());
    }

    @Test
    void shouldResetSessionWhenIpv4PrefixLengthExceeds32() {
        NotificationMessage error = decodeFailure(update("21 0a000000 00", "", ""), internal);
        assertEquals(NotificationMessage.INVALID_NETWORK_FIELD, error.errorSubcode());
    }

    @Test
    void shouldResetSessionWhenEvpnNlriLengthIsBroken() {
        String brokenReach = attribute(0x90, 14, "0019 46 04 c0000201 00 05 40 0001c0000201");
        NotificationMessage error = decodeFailure(update("", ORIGIN_IGP + EMPTY_AS_PATH + brokenReach, ""), internal);
        assertEquals(NotificationMessage.OPTIONAL_ATTRIBUTE_ERROR, error.errorSubcode());
    }

    @Test
    void shouldResetSessionWhenNextHopLengthOverrunsMpReach() {
        String brokenReach = attribute(0x90, 14, "0019 46 20 c0000201");
        decodeFailure(update("", ORIGIN_IGP + EMPTY_AS_PATH + brokenReach, ""), internal);
    }

    @Test
    void shouldSkipUnknownEvpnRouteTypeAndKeepTheOthers() {
        String reach = attribute(0x90, 14, "0019 46 04 c0000201 00 09 02 abcd " + TYPE5_NLRI);
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + reach, ""), internal);
        assertEquals(1, update.mpReach().nlri().size());
        assertEquals(1, internal.counters().unknownEvpnRouteTypesSkipped());
    }

    @Test
    void shouldResetSessionOnUnrecognizedWellKnownAttribute() {
        NotificationMessage error = decodeFailure(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0x40, 99, "01")
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(NotificationMessage.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, error.errorSubcode());
    }

    @Test
    void shouldKeepUnrecognizedOptionalTransitiveAttribute() {
        UpdateMessage update = decodeUpdate(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0xc0, 99, "0102")
                + MP_REACH_TYPE5, ""), internal);
        assertEquals(UpdateErrorAction.NONE, update.errorAction());
        assertNotNull(update.attribute(UnknownAttribute.class));
        assertEquals(1, internal.counters().unrecognizedOptionalAttributes());
    }

    @Test
    void shouldRecogniseEvpnEndOfRib() {
        UpdateMessage update = decodeUpdate(update("", attribute(0x90, 15, "0019 46"), ""), internal);
        assertEquals(AddressFamily.L2VPN_EVPN, update.endOfRibFamily());
    }

    @Test
    void shouldRecogniseIpv4EndOfRib() {
        assertEquals(AddressFamily.IPV4_UNICAST, decodeUpdate(update("", "", ""), internal).endOfRibFamily());
    }

    @Test
    void shouldNotTakeUpdateWhoseAttributesWereAllDiscardedForIpv4EndOfRib() {
        UpdateMessage update = decodeUpdate(update("", attribute(0x40, 6, "01"), ""), internal);
        assertEquals(UpdateErrorAction.ATTRIBUTE_DISCARD, update.errorAction());
        assertTrue(update.attributes().isEmpty());
        assertNull(update.endOfRibFamily(), "RFC 4724 §2: the Total Path Attribute Length is not 0");
    }

    @Test
    void shouldNotTakeMpUnreachWithDiscardedAttributeForEndOfRib() {
        UpdateMessage update = decodeUpdate(update("", attribute(0x40, 6, "01") + attribute(0x90, 15, "0019 46"), ""),
                internal);
        assertEquals(UpdateErrorAction.ATTRIBUTE_DISCARD, update.errorAction());
        assertNull(update.endOfRibFamily());
    }

    @Test
    void shouldRejectMessageWithBrokenMarker() {
        ByteBuf message = WireBuilder.message(BgpMessage.TYPE_KEEPALIVE, "");
        message.setByte(3, 0);
        assertEquals(NotificationMessage.CONNECTION_NOT_SYNCHRONIZED, decodeFailure(message, internal).errorSubcode());
    }

    @Test
    void shouldRejectUnknownMessageType() {
        assertEquals(NotificationMessage.BAD_MESSAGE_TYPE,
                decodeFailure(WireBuilder.message(9, ""), internal).errorSubcode());
    }

    @Test
    void shouldRejectMessageLongerThanNegotiatedMaximum() {
        ByteBuf big = update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0xd0, 99, "00".repeat(5000)), "");
        assertEquals(NotificationMessage.BAD_MESSAGE_LENGTH, decodeFailure(big.copy(), internal).errorSubcode());
        decodeUpdate(big, internal.withMaxMessageLength(CodecContext.EXTENDED_MAX_MESSAGE_LENGTH));
    }
}
