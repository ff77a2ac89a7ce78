package io.softgate.evpn.bgp.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.softgate.evpn.bgp.AnnotatedHex;

/** Builds raw (possibly malformed) messages for tests, computing only the lengths asked for. */
public final class WireBuilder {
    private WireBuilder() {
    }

    /** An attribute TLV with a correct length (extended form when {@code flags} has 0x10). */
    public static String attribute(int flags, int type, String valueHex) {
        byte[] value = AnnotatedHex.bytes(valueHex);
        return attributeWithLength(flags, type, value.length, valueHex);
    }

    /** An attribute TLV that claims {@code claimedLength}, whatever the value holds. */
    public static String attributeWithLength(int flags, int type, int claimedLength, String valueHex) {
        String length = (flags & 0x10) != 0 ? String.format("%04x", claimedLength) : String.format("%02x", claimedLength);
        return String.format("%02x%02x", flags, type) + length + AnnotatedHex.hex(AnnotatedHex.bytes(valueHex));
    }

    /** An UPDATE message with correct header, withdrawn and attribute lengths. */
    public static ByteBuf update(String withdrawnHex, String attributesHex, String nlriHex) {
        byte[] withdrawn = AnnotatedHex.bytes(withdrawnHex);
        byte[] attributes = AnnotatedHex.bytes(attributesHex);
        byte[] nlri = AnnotatedHex.bytes(nlriHex);
        ByteBuf body = Unpooled.buffer();
        body.writeShort(withdrawn.length).writeBytes(withdrawn).writeShort(attributes.length).writeBytes(attributes)
                .writeBytes(nlri);
        return message(BgpMessage.TYPE_UPDATE, body);
    }

    public static ByteBuf message(int type, ByteBuf body) {
        ByteBuf out = Unpooled.buffer();
        int start = BgpMessageEncoder.writeHeader(out, type);
        out.writeBytes(body);
        BgpMessageEncoder.finishMessage(out, start);
        return out;
    }

    public static ByteBuf message(int type, String bodyHex) {
        return message(type, AnnotatedHex.buffer(bodyHex));
    }

    public static final String ORIGIN_IGP = attribute(0x40, 1, "00");
    public static final String EMPTY_AS_PATH = attribute(0x40, 2, "");
    public static final String LOCAL_PREF_100 = attribute(0x40, 5, "00000064");
    public static final String EVPN_COMMUNITIES = attribute(0xc0, 16, "0002fde800001389 030c000000000008 060302aabbccddee");
    public static final String TYPE5_NLRI = "05 22 0001c0000201 0001 00000000000000000000 00000000 18 c6336400 00000000 001389";
    public static final String MP_REACH_TYPE5 = attribute(0x90, 14, "0019 46 04 c0000201 00 " + TYPE5_NLRI);
}
