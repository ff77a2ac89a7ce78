package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;

/**
 * ATOMIC_AGGREGATE, type 6, well-known discretionary, empty (RFC 4271 §5.1.6).
 *
 * <p>Threading: immutable, safe to share.
 */
public record AtomicAggregateAttribute() implements PathAttribute {
    public static final int TYPE = 6;
    public static final AtomicAggregateAttribute INSTANCE = new AtomicAggregateAttribute();
    public static final PathAttributeCodec<AtomicAggregateAttribute> CODEC = new PathAttributeCodec<>() {
        @Override
        public int typeCode() {
            return TYPE;
        }

        @Override
        public Class<AtomicAggregateAttribute> attributeClass() {
            return AtomicAggregateAttribute.class;
        }

        @Override
        public int categoryFlags() {
            return FLAG_TRANSITIVE;
        }

        @Override
        public UpdateErrorAction malformedAction() {
            // RFC 7606 §7.6: a non-zero length -> attribute discard.
            return UpdateErrorAction.ATTRIBUTE_DISCARD;
        }

        @Override
        public AtomicAggregateAttribute decode(ByteBuf value, int length, CodecContext context)
                throws MalformedAttributeException {
            if (length != 0) {
                throw new MalformedAttributeException(malformedAction(), "ATOMIC_AGGREGATE length " + length);
            }
            return INSTANCE;
        }

        @Override
        public void encodeValue(AtomicAggregateAttribute attribute, ByteBuf out, CodecContext context) {
        }
    };

    @Override
    public int typeCode() {
        return TYPE;
    }
}
