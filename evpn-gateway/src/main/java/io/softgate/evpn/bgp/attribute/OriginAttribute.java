package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;

/**
 * ORIGIN, type 1, well-known mandatory (RFC 4271 §5.1.1): 0 IGP, 1 EGP, 2 INCOMPLETE.
 *
 * <p>Threading: immutable, safe to share.
 */
public record OriginAttribute(int origin) implements PathAttribute {
    public static final int TYPE = 1;
    public static final int IGP = 0;
    public static final int EGP = 1;
    public static final int INCOMPLETE = 2;
    public static final OriginAttribute ORIGIN_IGP = new OriginAttribute(IGP);
    public static final PathAttributeCodec<OriginAttribute> CODEC = new Codec();

    @Override
    public int typeCode() {
        return TYPE;
    }

    private static final class Codec extends AbstractPathAttributeCodec<OriginAttribute> {
        Codec() {
            super(TYPE, OriginAttribute.class, FLAG_TRANSITIVE, UpdateErrorAction.TREAT_AS_WITHDRAW);
        }

        @Override
        public OriginAttribute decode(ByteBuf value, int length, CodecContext context) throws MalformedAttributeException {
            // RFC 7606 §7.1: wrong length or undefined value -> treat-as-withdraw.
            if (length != 1) {
                throw new MalformedAttributeException(malformedAction(), "ORIGIN length " + length);
            }
            int origin = value.readUnsignedByte();
            if (origin > INCOMPLETE) {
                throw new MalformedAttributeException(malformedAction(), "ORIGIN value " + origin);
            }
            return origin == IGP ? ORIGIN_IGP : new OriginAttribute(origin);
        }

        @Override
        public void encodeValue(OriginAttribute attribute, ByteBuf out, CodecContext context) {
            out.writeByte(attribute.origin());
        }
    }
}
