package io.softgate.evpn.bgp.message;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.attribute.AsPathAttribute;
import io.softgate.evpn.bgp.attribute.MalformedAttributeException;
import io.softgate.evpn.bgp.attribute.MpReachNlriAttribute;
import io.softgate.evpn.bgp.attribute.MpUnreachNlriAttribute;
import io.softgate.evpn.bgp.attribute.NextHopAttribute;
import io.softgate.evpn.bgp.attribute.OriginAttribute;
import io.softgate.evpn.bgp.attribute.PathAttribute;
import io.softgate.evpn.bgp.attribute.PathAttributeCodec;
import io.softgate.evpn.bgp.attribute.PathAttributeCodecs;
import io.softgate.evpn.bgp.attribute.UnknownAttribute;
import io.softgate.evpn.bgp.capability.Capability;
import io.softgate.evpn.bgp.capability.CapabilityCodecs;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.Ipv4Prefix;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one whole BGP message (header included) into a {@link BgpMessage}, or into the
 * NOTIFICATION that must end the session. Malformed input never escapes as an exception:
 * UPDATE errors are handled as RFC 7606 prescribes (attribute discard, treat-as-withdraw, or
 * session reset only where the NLRI cannot be located or trusted) and counted.
 *
 * <p>Threading: stateless apart from the counters in the {@link CodecContext}; safe from any thread.
 */
public final class BgpMessageDecoder {
    private static final int OPEN_MINIMUM_BODY = 10;
    private static final int CAPABILITIES_PARAMETER = 2;

    private final PathAttributeCodecs attributeCodecs;

    public BgpMessageDecoder() {
        this(PathAttributeCodecs.standard());
    }

    public BgpMessageDecoder(PathAttributeCodecs attributeCodecs) {
        this.attributeCodecs = attributeCodecs;
    }

    /** Decodes the readable bytes of {@code message}, which must be exactly one message. */
    public MessageDecodeResult decode(ByteBuf message, CodecContext context) {
        int start = message.readerIndex();
        int available = message.readableBytes();
        if (available < BgpMessage.HEADER_LENGTH) {
            return MessageDecodeResult.failure(NotificationMessage.MESSAGE_HEADER_ERROR,
                    NotificationMessage.BAD_MESSAGE_LENGTH, new byte[] {0, (byte) available});
        }
        for (int i = 0; i < 16; i++) {
            if (message.getByte(start + i) != (byte) 0xFF) {
                return MessageDecodeResult.failure(NotificationMessage.MESSAGE_HEADER_ERROR,
                        NotificationMessage.CONNECTION_NOT_SYNCHRONIZED, new byte[0]);
            }
        }
        int length = message.getUnsignedShort(start + 16);
        int type = message.getUnsignedByte(start + 18);
        byte[] lengthData = {(byte) (length >>> 8), (byte) length};
        if (length != available || length < BgpMessage.HEADER_LENGTH || length > context.maxMessageLength()) {
            return MessageDecodeResult.failure(NotificationMessage.MESSAGE_HEADER_ERROR,
                    NotificationMessage.BAD_MESSAGE_LENGTH, lengthData);
        }
        ByteBuf body = message.slice(start + BgpMessage.HEADER_LENGTH, length - BgpMessage.HEADER_LENGTH);
        message.readerIndex(start + length);
        switch (type) {
            case BgpMessage.TYPE_OPEN:
                if (body.readableBytes() < OPEN_MINIMUM_BODY || length > CodecContext.STANDARD_MAX_MESSAGE_LENGTH) {
                    return MessageDecodeResult.failure(NotificationMessage.MESSAGE_HEADER_ERROR,
                            NotificationMessage.BAD_MESSAGE_LENGTH, lengthData);
                }
                return decodeOpen(body);
            case BgpMessage.TYPE_UPDATE:
                if (body.readableBytes() < 4) {
                    return MessageDecodeResult.failure(NotificationMessage.MESSAGE_HEADER_ERROR,
                            NotificationMessage.BAD_MESSAGE_LENGTH, lengthData);
                }
                return decodeUpdate(body, context);
            case BgpMessage.TYPE_NOTIFICATION: {
                if (body.readableBytes() < 2) {
                    return MessageDecodeResult.failure(NotificationMessage.MESSAGE_HEADER_ERROR,
                            NotificationMessage.BAD_MESSAGE_LENGTH, lengthData);
                }
                int code = body.readUnsignedByte();
                int subcode = body.readUnsignedByte();
                byte[] data = new byte[body.readableBytes()];
                body.readBytes(data);
                return MessageDecodeResult.of(new NotificationMessage(code, subcode, data));
            }
            case BgpMessage.TYPE_KEEPALIVE:
                if (length != BgpMessage.HEADER_LENGTH) {
                    return MessageDecodeResult.failure(NotificationMessage.MESSAGE_HEADER_ERROR,
                            NotificationMessage.BAD_MESSAGE_LENGTH, lengthData);
                }
                return MessageDecodeResult.of(KeepaliveMessage.INSTANCE);
            case BgpMessage.TYPE_ROUTE_REFRESH: {
                if (body.readableBytes() != 4) {
                    // RFC 7313 §5: Invalid Message Length in a ROUTE-REFRESH.
                    return MessageDecodeResult.failure(NotificationMessage.ROUTE_REFRESH_MESSAGE_ERROR, 1, lengthData);
                }
                int afi = body.readUnsignedShort();
                body.skipBytes(1);
                return MessageDecodeResult.of(new RouteRefreshMessage(new AddressFamily(afi, body.readUnsignedByte())));
            }
            default:
                return MessageDecodeResult.failure(NotificationMessage.MESSAGE_HEADER_ERROR,
                        NotificationMessage.BAD_MESSAGE_TYPE, new byte[] {(byte) type});
        }
    }

    private static MessageDecodeResult decodeOpen(ByteBuf body) {
        int version = body.readUnsignedByte();
        int myAs = body.readUnsignedShort();
        int holdTime = body.readUnsignedShort();
        long identifier = body.readUnsignedInt();
        int parametersLength = body.readUnsignedByte();
        if (version != 4) {
            // RFC 4271 §6.2: the data is the largest supported version, in two octets.
            return MessageDecodeResult.failure(NotificationMessage.OPEN_MESSAGE_ERROR,
                    NotificationMessage.UNSUPPORTED_VERSION_NUMBER, new byte[] {0, 4});
        }
        if (holdTime == 1 || holdTime == 2) {
            return MessageDecodeResult.failure(NotificationMessage.OPEN_MESSAGE_ERROR,
                    NotificationMessage.UNACCEPTABLE_HOLD_TIME, new byte[0]);
        }
        if (identifier == 0) {
            return MessageDecodeResult.failure(NotificationMessage.OPEN_MESSAGE_ERROR,
                    NotificationMessage.BAD_BGP_IDENTIFIER, new byte[0]);
        }
        if (parametersLength != body.readableBytes()) {
            return MessageDecodeResult.failure(NotificationMessage.OPEN_MESSAGE_ERROR, 0, new byte[0]);
        }
        List<Capability> capabilities = new ArrayList<>();
        // FRR sends one capability per optional parameter, GoBGP packs all into one: both are
        // a sequence of parameters, each a sequence of capabilities (RFC 5492 §4).
        while (body.isReadable()) {
            if (body.readableBytes() < 2) {
                return MessageDecodeResult.failure(NotificationMessage.OPEN_MESSAGE_ERROR, 0, new byte[0]);
            }
            int parameterType = body.readUnsignedByte();
            int parameterLength = body.readUnsignedByte();
            if (parameterLength > body.readableBytes()) {
                return MessageDecodeResult.failure(NotificationMessage.OPEN_MESSAGE_ERROR, 0, new byte[0]);
            }
            if (parameterType != CAPABILITIES_PARAMETER) {
                return MessageDecodeResult.failure(NotificationMessage.OPEN_MESSAGE_ERROR,
                        NotificationMessage.UNSUPPORTED_OPTIONAL_PARAMETER, new byte[0]);
            }
            int parameterEnd = body.readerIndex() + parameterLength;
            while (body.readerIndex() < parameterEnd) {
                if (parameterEnd - body.readerIndex() < 2) {
                    return MessageDecodeResult.failure(NotificationMessage.OPEN_MESSAGE_ERROR, 0, new byte[0]);
                }
                int code = body.readUnsignedByte();
                int capabilityLength = body.readUnsignedByte();
                if (body.readerIndex() + capabilityLength > parameterEnd) {
                    return MessageDecodeResult.failure(NotificationMessage.OPEN_MESSAGE_ERROR, 0, new byte[0]);
                }
                int capabilityEnd = body.readerIndex() + capabilityLength;
                Capability capability = CapabilityCodecs.decode(code, body.slice(body.readerIndex(), capabilityLength),
                        capabilityLength);
                body.readerIndex(capabilityEnd);
                if (capability == null) {
                    return MessageDecodeResult.failure(NotificationMessage.OPEN_MESSAGE_ERROR, 0, new byte[0]);
                }
                capabilities.add(capability);
            }
        }
        return MessageDecodeResult.of(new OpenMessage(version, myAs, holdTime, identifier, capabilities));
    }

    private MessageDecodeResult decodeUpdate(ByteBuf body, CodecContext context) {
        UpdateErrorCounters counters = context.counters();
        int end = body.writerIndex();
        int withdrawnLength = body.readUnsignedShort();
        if (2 + withdrawnLength + 2 > end) {
            // RFC 4271 §6.3 / RFC 7606 §3 a: the fields cannot be located at all.
            counters.sessionReset();
            return MessageDecodeResult.failure(NotificationMessage.UPDATE_MESSAGE_ERROR,
                    NotificationMessage.MALFORMED_ATTRIBUTE_LIST, new byte[0]);
        }
        int withdrawnEnd = 2 + withdrawnLength;
        List<Ipv4Prefix> withdrawn = new ArrayList<>();
        while (body.readerIndex() < withdrawnEnd) {
            Ipv4Prefix prefix = Ipv4Prefix.decode(body, withdrawnEnd);
            if (prefix == null) {
                // RFC 7606 §5.3: a syntactically incorrect Withdrawn Routes field -> session reset.
                counters.sessionReset();
                return MessageDecodeResult.failure(NotificationMessage.UPDATE_MESSAGE_ERROR,
                        NotificationMessage.INVALID_NETWORK_FIELD, new byte[0]);
            }
            withdrawn.add(prefix);
        }
        int attributesLength = body.readUnsignedShort();
        int attributesStart = body.readerIndex();
        int attributesEnd = attributesStart + attributesLength;
        if (attributesEnd > end) {
            counters.sessionReset();
            return MessageDecodeResult.failure(NotificationMessage.UPDATE_MESSAGE_ERROR,
                    NotificationMessage.MALFORMED_ATTRIBUTE_LIST, new byte[0]);
        }
        // RFC 7606 §4: the Total Path Attribute Length locates the NLRI even when the
        // attributes inside are broken, so parse the NLRI field first.
        List<Ipv4Prefix> nlri = new ArrayList<>();
        body.readerIndex(attributesEnd);
        while (body.readerIndex() < end) {
            Ipv4Prefix prefix = Ipv4Prefix.decode(body, end);
            if (prefix == null) {
                counters.sessionReset();
                return MessageDecodeResult.failure(NotificationMessage.UPDATE_MESSAGE_ERROR,
                        NotificationMessage.INVALID_NETWORK_FIELD, new byte[0]);
            }
            nlri.add(prefix);
        }
        AttributeScan scan = scanAttributes(body, attributesStart, attributesEnd, context);
        UpdateErrorAction action = scan.action;
        String detail = scan.detail;
        if (scan.overrun) {
            // RFC 7606 §4: treat-as-withdraw, relying on the Total Attribute Length, needs the
            // MP_REACH_NLRI/MP_UNREACH_NLRI to be parsed. When none was parsed before the overrun,
            // one may hide in the unparsed rest (RFC 7606 §5.1 puts it first, but nothing forces
            // the peer to): its routes cannot be withdrawn, so only a session reset is safe
            // (RFC 7606 §3 / §4), whatever IPv4 NLRI or withdrawn routes the UPDATE also carries.
            boolean mpParsed = scan.hasMpReach || scan.hasMpUnreach;
            action = action.strongest(!mpParsed ? UpdateErrorAction.SESSION_RESET : UpdateErrorAction.TREAT_AS_WITHDRAW);
            if (action == UpdateErrorAction.SESSION_RESET && scan.resetSubcode == 0) {
                scan.resetSubcode = NotificationMessage.MALFORMED_ATTRIBUTE_LIST;
            }
        }
        List<PathAttribute> attributes = scan.attributes;
        MpReachNlriAttribute mpReach = find(attributes, MpReachNlriAttribute.class);
        boolean announces = !nlri.isEmpty() || (mpReach != null && !mpReach.nlri().isEmpty());
        if (announces && action != UpdateErrorAction.SESSION_RESET) {
            // RFC 7606 §3 d: a missing well-known mandatory attribute -> treat-as-withdraw;
            // NEXT_HOP is only needed for the IPv4 NLRI field (RFC 4760 §3).
            boolean missing = find(attributes, OriginAttribute.class) == null
                    || find(attributes, AsPathAttribute.class) == null
                    || (!nlri.isEmpty() && find(attributes, NextHopAttribute.class) == null);
            if (missing) {
                action = action.strongest(UpdateErrorAction.TREAT_AS_WITHDRAW);
                detail = detail.isEmpty() ? "missing well-known mandatory attribute" : detail;
            }
        }
        if (action == UpdateErrorAction.SESSION_RESET) {
            counters.sessionReset();
            return MessageDecodeResult.failure(NotificationMessage.UPDATE_MESSAGE_ERROR, scan.resetSubcode, new byte[0]);
        }
        if (action == UpdateErrorAction.TREAT_AS_WITHDRAW) {
            counters.treatedAsWithdraw();
        }
        return MessageDecodeResult.of(new UpdateMessage(withdrawn, attributes, nlri, action, detail, attributesLength));
    }

    /** Mutable result of one pass over the path attributes. */
    private static final class AttributeScan {
        final List<PathAttribute> attributes = new ArrayList<>();
        UpdateErrorAction action = UpdateErrorAction.NONE;
        String detail = "";
        int resetSubcode;
        boolean overrun;
        boolean hasMpReach;
        boolean hasMpUnreach;

        void error(UpdateErrorAction errorAction, int subcode, String reason) {
            if (errorAction.ordinal() > action.ordinal()) {
                detail = reason;
                if (errorAction == UpdateErrorAction.SESSION_RESET) {
                    resetSubcode = subcode;
                }
            }
            action = action.strongest(errorAction);
        }
    }

    private AttributeScan scanAttributes(ByteBuf body, int start, int end, CodecContext context) {
        AttributeScan scan = new AttributeScan();
        boolean[] seen = new boolean[256];
        int index = start;
        while (index < end) {
            int remaining = end - index;
            int flags = body.getUnsignedByte(index);
            boolean extended = (flags & PathAttribute.FLAG_EXTENDED_LENGTH) != 0;
            int headerLength = extended ? 4 : 3;
            if (remaining < headerLength) {
                scan.overrun = true;
                scan.detail = scan.detail.isEmpty() ? "attribute header overruns the attributes" : scan.detail;
                break;
            }
            int typeCode = body.getUnsignedByte(index + 1);
            int length = extended ? body.getUnsignedShort(index + 2) : body.getUnsignedByte(index + 2);
            int valueStart = index + headerLength;
            if (valueStart + length > end) {
                scan.overrun = true;
                scan.detail = scan.detail.isEmpty() ? "attribute " + typeCode + " overruns the attributes" : scan.detail;
                break;
            }
            index = valueStart + length;
            if (seen[typeCode]) {
                if (typeCode == MpReachNlriAttribute.TYPE || typeCode == MpUnreachNlriAttribute.TYPE) {
                    // RFC 7606 §3 g: a repeated MP_REACH_NLRI/MP_UNREACH_NLRI -> session reset.
                    scan.error(UpdateErrorAction.SESSION_RESET, NotificationMessage.MALFORMED_ATTRIBUTE_LIST,
                            "repeated attribute " + typeCode);
                } else {
                    // RFC 7606 §3 g: every other repeat is discarded, the first one kept.
                    context.counters().duplicateAttributeDiscarded();
                }
                continue;
            }
            seen[typeCode] = true;
            PathAttributeCodec<?> codec = attributeCodecs.forType(typeCode);
            if (codec == null) {
                if ((flags & PathAttribute.FLAG_OPTIONAL) == 0) {
                    // RFC 4271 §6.3: an unrecognised well-known attribute is a session error.
                    scan.error(UpdateErrorAction.SESSION_RESET, NotificationMessage.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
                            "unrecognized well-known attribute " + typeCode);
                    continue;
                }
                context.counters().unrecognizedOptionalAttribute();
                if ((flags & PathAttribute.FLAG_TRANSITIVE) != 0) {
                    byte[] value = new byte[length];
                    body.getBytes(valueStart, value);
                    scan.attributes.add(new UnknownAttribute(flags & 0xE0, typeCode, value));
                }
                continue;
            }
            if (typeCode == MpReachNlriAttribute.TYPE) {
                scan.hasMpReach = true;
            } else if (typeCode == MpUnreachNlriAttribute.TYPE) {
                scan.hasMpUnreach = true;
            }
            if (context.externalPeer() && codec.discardedFromExternalPeer()) {
                // RFC 7606 §§7.5, 7.9, 7.10: LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST from an
                // external peer are discarded, whatever their flags and length.
                recordMalformed(scan, UpdateErrorAction.ATTRIBUTE_DISCARD, 0,
                        "attribute " + typeCode + " from an external peer", context);
                continue;
            }
            int category = flags & (PathAttribute.FLAG_OPTIONAL | PathAttribute.FLAG_TRANSITIVE);
            if (category != codec.categoryFlags()) {
                // RFC 7606 §3 c: conflicting Optional/Transitive bits make the attribute malformed.
                recordMalformed(scan, codec.malformedAction(), NotificationMessage.ATTRIBUTE_FLAGS_ERROR,
                        "attribute " + typeCode + " flags 0x" + Integer.toHexString(flags), context);
                continue;
            }
            try {
                scan.attributes.add(codec.decode(body.slice(valueStart, length), length, context));
            } catch (MalformedAttributeException e) {
                recordMalformed(scan, e.action(), NotificationMessage.OPTIONAL_ATTRIBUTE_ERROR, e.getMessage(), context);
            }
        }
        return scan;
    }

    private static void recordMalformed(AttributeScan scan, UpdateErrorAction action, int subcode, String reason,
                                        CodecContext context) {
        if (action == UpdateErrorAction.ATTRIBUTE_DISCARD) {
            context.counters().attributeDiscarded();
        }
        scan.error(action, subcode, reason);
    }

    private static <A extends PathAttribute> A find(List<PathAttribute> attributes, Class<A> type) {
        for (PathAttribute attribute : attributes) {
            if (type.isInstance(attribute)) {
                return type.cast(attribute);
            }
        }
        return null;
    }
}
