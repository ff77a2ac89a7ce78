package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;

/**
 * AGGREGATOR, type 7, optional transitive (RFC 4271 §5.1.7, 4-octet AS per RFC 6793).
 *
 * <p>Threading: immutable, safe to share.
 */
public record AggregatorAttribute(long asNumber, long address) implements PathAttribute {
    public static final int TYPE = 7;
    public static final PathAttributeCodec<AggregatorAttribute> CODEC = new PathAttributeCodec<>() {
        @Override
        public int typeCode() {
            return TYPE;
        }

        @Override
        public Class<AggregatorAttribute> attributeClass() {
            return AggregatorAttribute.class;
        }

        @Override
        public int categoryFlags() {
            return FLAG_OPTIONAL | FLAG_TRANSITIVE;
        }

        @Override
        public UpdateErrorAction malformedAction() {
            // RFC 7606 §7.7: wrong length -> attribute discard.
            return UpdateErrorAction.ATTRIBUTE_DISCARD;
        }

        @Override
        public AggregatorAttribute decode(ByteBuf value, int length, CodecContext context)
                throws MalformedAttributeException {
            int expected = context.fourOctetAs() ? 8 : 6;
            if (length != expected) {
                throw new MalformedAttributeException(malformedAction(), "AGGREGATOR length " + length);
            }
            long asn = context.fourOctetAs() ? value.readUnsignedInt() : value.readUnsignedShort();
            return new AggregatorAttribute(asn, value.readUnsignedInt());
        }

        @Override
        public void encodeValue(AggregatorAttribute attribute, ByteBuf out, CodecContext context) {
            if (context.fourOctetAs()) {
                out.writeInt((int) attribute.asNumber());
            } else {
                out.writeShort(attribute.asNumber() > 0xFFFF ? 23456 : (int) attribute.asNumber());
            }
            out.writeInt((int) attribute.address());
        }
    };

    @Override
    public int typeCode() {
        return TYPE;
    }
}
