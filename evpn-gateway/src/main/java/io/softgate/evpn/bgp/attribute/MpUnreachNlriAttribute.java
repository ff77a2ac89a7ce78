package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.Nlri;
import io.softgate.evpn.bgp.nlri.NlriCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * MP_UNREACH_NLRI, type 15, optional non-transitive (RFC 4760 §4): AFI(2) SAFI(1) Withdrawn
 * Routes. Alone and empty it is the End-of-RIB marker of its family (RFC 4724 §2).
 *
 * <p>Threading: immutable, safe to share.
 */
public record MpUnreachNlriAttribute(AddressFamily addressFamily, List<Nlri> withdrawnRoutes) implements PathAttribute {
    public static final int TYPE = 15;
    public static final PathAttributeCodec<MpUnreachNlriAttribute> CODEC = new Codec();

    public MpUnreachNlriAttribute {
        withdrawnRoutes = List.copyOf(withdrawnRoutes);
    }

    @Override
    public int typeCode() {
        return TYPE;
    }

    private static final class Codec extends AbstractPathAttributeCodec<MpUnreachNlriAttribute> {
        Codec() {
            // RFC 7606 §§5.3, 7.11: session reset (AFI/SAFI disable not implemented).
            super(TYPE, MpUnreachNlriAttribute.class, FLAG_OPTIONAL, UpdateErrorAction.SESSION_RESET);
        }

        @Override
        public MpUnreachNlriAttribute decode(ByteBuf value, int length, CodecContext context)
                throws MalformedAttributeException {
            if (length < 3) {
                throw new MalformedAttributeException(malformedAction(), "MP_UNREACH_NLRI length " + length);
            }
            int limit = value.readerIndex() + length;
            AddressFamily family = new AddressFamily(value.readUnsignedShort(), value.readUnsignedByte());
            NlriCodec codec = context.nlriCodecs().forFamily(family);
            if (codec == null) {
                context.counters().unsupportedAddressFamily();
                value.readerIndex(limit);
                return new MpUnreachNlriAttribute(family, List.of());
            }
            List<Nlri> withdrawn = new ArrayList<>();
            if (!codec.decode(value, limit - value.readerIndex(), withdrawn, context.counters())) {
                throw new MalformedAttributeException(malformedAction(), "MP_UNREACH_NLRI " + family + " NLRI malformed");
            }
            return new MpUnreachNlriAttribute(family, withdrawn);
        }

        @Override
        public void encodeValue(MpUnreachNlriAttribute attribute, ByteBuf out, CodecContext context) {
            out.writeShort(attribute.addressFamily().afi());
            out.writeByte(attribute.addressFamily().safi());
            NlriCodec codec = context.nlriCodecs().forFamily(attribute.addressFamily());
            for (Nlri nlri : attribute.withdrawnRoutes()) {
                codec.encode(nlri, out);
            }
        }
    }
}
