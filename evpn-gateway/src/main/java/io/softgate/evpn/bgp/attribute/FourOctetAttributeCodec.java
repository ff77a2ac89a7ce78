package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * Codec of an attribute whose value is one 4-octet number (NEXT_HOP, MED, LOCAL_PREF,
 * ORIGINATOR_ID): any other length is malformed and handled by treat-as-withdraw (RFC 7606
 * §§7.3, 7.4, 7.5, 7.9).
 *
 * <p>Threading: stateless, safe from any thread.
 */
final class FourOctetAttributeCodec<T extends PathAttribute> extends AbstractPathAttributeCodec<T> {
    private final boolean discardFromExternalPeer;
    private final LongFunction<T> factory;
    private final ToLongFunction<T> getter;

    FourOctetAttributeCodec(int typeCode, Class<T> attributeClass, int categoryFlags, boolean discardFromExternalPeer,
                            LongFunction<T> factory, ToLongFunction<T> getter) {
        super(typeCode, attributeClass, categoryFlags, UpdateErrorAction.TREAT_AS_WITHDRAW);
        this.discardFromExternalPeer = discardFromExternalPeer;
        this.factory = factory;
        this.getter = getter;
    }

    @Override
    public boolean discardedFromExternalPeer() {
        return discardFromExternalPeer;
    }

    @Override
    public T decode(ByteBuf value, int length, CodecContext context) throws MalformedAttributeException {
        if (length != 4) {
            throw new MalformedAttributeException(malformedAction(), attributeClass().getSimpleName() + " length " + length);
        }
        return factory.apply(value.readUnsignedInt());
    }

    @Override
    public void encodeValue(T attribute, ByteBuf out, CodecContext context) {
        out.writeInt((int) getter.applyAsLong(attribute));
    }
}
