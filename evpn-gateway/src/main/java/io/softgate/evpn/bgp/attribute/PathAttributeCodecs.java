package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.softgate.evpn.bgp.message.CodecContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The path attribute codecs, registered by type code, and the attribute TLV framing
 * (RFC 4271 §4.3: Flags(1) Type(1) Length(1, or 2 with Extended Length) Value).
 *
 * <p>Threading: immutable after construction, safe from any thread.
 */
public final class PathAttributeCodecs {
    private static final PathAttributeCodecs STANDARD = new PathAttributeCodecs(List.of(
            OriginAttribute.CODEC, AsPathAttribute.CODEC, NextHopAttribute.CODEC, MultiExitDiscriminatorAttribute.CODEC,
            LocalPreferenceAttribute.CODEC, AtomicAggregateAttribute.CODEC, AggregatorAttribute.CODEC,
            CommunitiesAttribute.CODEC, OriginatorIdAttribute.CODEC, ClusterListAttribute.CODEC,
            MpReachNlriAttribute.CODEC, MpUnreachNlriAttribute.CODEC, ExtendedCommunitiesAttribute.CODEC,
            PmsiTunnelAttribute.CODEC));

    private final Map<Integer, PathAttributeCodec<?>> byType = new HashMap<>();
    private final Map<Class<?>, PathAttributeCodec<?>> byClass = new HashMap<>();

    public PathAttributeCodecs(List<PathAttributeCodec<?>> codecs) {
        for (PathAttributeCodec<?> codec : codecs) {
            byType.put(codec.typeCode(), codec);
            byClass.put(codec.attributeClass(), codec);
        }
    }

    public static PathAttributeCodecs standard() {
        return STANDARD;
    }

    /** The codec for a type code, or null when unrecognised. */
    public PathAttributeCodec<?> forType(int typeCode) {
        return byType.get(typeCode);
    }

    /** Writes one attribute TLV, choosing the Extended Length form only when the value needs it. */
    @SuppressWarnings("unchecked")
    public void encode(PathAttribute attribute, ByteBuf out, CodecContext context) {
        if (attribute instanceof UnknownAttribute) {
            UnknownAttribute unknown = (UnknownAttribute) attribute;
            // RFC 4271 §5: an unrecognised optional transitive attribute is passed on with Partial set.
            writeTlv(unknown.flags() | PathAttribute.FLAG_PARTIAL, unknown.typeCode(),
                    Unpooled.wrappedBuffer(unknown.valueNoCopy()), out);
            return;
        }
        PathAttributeCodec<PathAttribute> codec = (PathAttributeCodec<PathAttribute>) byClass.get(attribute.getClass());
        if (codec == null) {
            throw new IllegalArgumentException("no codec for " + attribute.getClass().getSimpleName());
        }
        ByteBuf value = Unpooled.buffer(64);
        try {
            codec.encodeValue(attribute, value, context);
            writeTlv(codec.categoryFlags(), codec.typeCode(), value, out);
        } finally {
            value.release();
        }
    }

    private static void writeTlv(int flags, int typeCode, ByteBuf value, ByteBuf out) {
        int length = value.readableBytes();
        int cleanFlags = flags & (PathAttribute.FLAG_OPTIONAL | PathAttribute.FLAG_TRANSITIVE | PathAttribute.FLAG_PARTIAL);
        if (length > 255) {
            out.writeByte(cleanFlags | PathAttribute.FLAG_EXTENDED_LENGTH);
            out.writeByte(typeCode);
            out.writeShort(length);
        } else {
            out.writeByte(cleanFlags);
            out.writeByte(typeCode);
            out.writeByte(length);
        }
        out.writeBytes(value, value.readerIndex(), length);
    }
}
