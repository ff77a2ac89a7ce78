package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Codec of an attribute whose value is a list of 4-octet items (COMMUNITIES, CLUSTER_LIST): a
 * length that is zero or not a multiple of the item size is malformed -> treat-as-withdraw
 * (RFC 7606 §§7.8, 7.10).
 *
 * <p>Threading: stateless, safe from any thread.
 */
final class ListOfNumbersAttributeCodec<T extends PathAttribute> extends AbstractPathAttributeCodec<T> {
    private final int itemOctets;
    private final boolean discardFromExternalPeer;
    private final Function<List<Long>, T> factory;
    private final Function<T, List<Long>> getter;

    ListOfNumbersAttributeCodec(int typeCode, Class<T> attributeClass, int categoryFlags, int itemOctets,
                                boolean discardFromExternalPeer, Function<List<Long>, T> factory,
                                Function<T, List<Long>> getter) {
        super(typeCode, attributeClass, categoryFlags, UpdateErrorAction.TREAT_AS_WITHDRAW);
        this.itemOctets = itemOctets;
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
        // RFC 7606 §§7.8, 7.10: the length must be a non-zero multiple of the item size.
        if (length == 0 || length % itemOctets != 0) {
            throw new MalformedAttributeException(malformedAction(), attributeClass().getSimpleName() + " length " + length);
        }
        List<Long> items = new ArrayList<>(length / itemOctets);
        for (int i = 0; i < length / itemOctets; i++) {
            items.add(itemOctets == 4 ? value.readUnsignedInt() : value.readLong());
        }
        return factory.apply(items);
    }

    @Override
    public void encodeValue(T attribute, ByteBuf out, CodecContext context) {
        for (long item : getter.apply(attribute)) {
            if (itemOctets == 4) {
                out.writeInt((int) item);
            } else {
                out.writeLong(item);
            }
        }
    }
}
