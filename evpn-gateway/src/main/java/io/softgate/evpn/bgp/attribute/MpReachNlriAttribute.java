package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.nlri.Nlri;
import io.softgate.evpn.bgp.nlri.NlriCodec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * MP_REACH_NLRI, type 14, optional non-transitive (RFC 4760 §3): AFI(2) SAFI(1) Length of
 * Next Hop(1) Next Hop Reserved(1) NLRI. {@code nextHop} is the first (global) address; it is
 * null for an address family without a codec, whose NLRI are then not decoded.
 *
 * <p>Threading: immutable, safe to share.
 */
public record MpReachNlriAttribute(AddressFamily addressFamily, InetAddress nextHop, List<Nlri> nlri)
        implements PathAttribute {
    public static final int TYPE = 14;
    public static final PathAttributeCodec<MpReachNlriAttribute> CODEC = new Codec();

    public MpReachNlriAttribute {
        nlri = List.copyOf(nlri);
    }

    @Override
    public int typeCode() {
        return TYPE;
    }

    private static final class Codec extends AbstractPathAttributeCodec<MpReachNlriAttribute> {
        Codec() {
            // RFC 7606 §§5.3, 7.11: the NLRI cannot be trusted -> session reset (or AFI/SAFI
            // disable, which this speaker does not implement).
            super(TYPE, MpReachNlriAttribute.class, FLAG_OPTIONAL, UpdateErrorAction.SESSION_RESET);
        }

        @Override
        public MpReachNlriAttribute decode(ByteBuf value, int length, CodecContext context)
                throws MalformedAttributeException {
            if (length < 5) {
                throw new MalformedAttributeException(malformedAction(), "MP_REACH_NLRI length " + length);
            }
            int limit = value.readerIndex() + length;
            AddressFamily family = new AddressFamily(value.readUnsignedShort(), value.readUnsignedByte());
            int nextHopLength = value.readUnsignedByte();
            if (value.readerIndex() + nextHopLength + 1 > limit) {
                throw new MalformedAttributeException(malformedAction(), "MP_REACH_NLRI next hop overruns the attribute");
            }
            NlriCodec codec = context.nlriCodecs().forFamily(family);
            if (codec == null) {
                context.counters().unsupportedAddressFamily();
                value.readerIndex(limit);
                return new MpReachNlriAttribute(family, null, List.of());
            }
            InetAddress nextHop;
            if (nextHopLength == 4 || nextHopLength == 16) {
                nextHop = InetAddresses.read(value, nextHopLength);
            } else if (nextHopLength == 32) {
                // RFC 2545 §3: a global address followed by a link-local one.
                nextHop = InetAddresses.read(value, 16);
                value.skipBytes(16);
            } else {
                throw new MalformedAttributeException(malformedAction(), "MP_REACH_NLRI next hop length " + nextHopLength);
            }
            value.skipBytes(1);
            List<Nlri> nlri = new ArrayList<>();
            if (!codec.decode(value, limit - value.readerIndex(), nlri, context.counters())) {
                throw new MalformedAttributeException(malformedAction(), "MP_REACH_NLRI " + family + " NLRI malformed");
            }
            return new MpReachNlriAttribute(family, nextHop, nlri);
        }

        @Override
        public void encodeValue(MpReachNlriAttribute attribute, ByteBuf out, CodecContext context) {
            writeHeader(attribute.addressFamily(), attribute.nextHop(), out);
            NlriCodec codec = context.nlriCodecs().forFamily(attribute.addressFamily());
            for (Nlri nlri : attribute.nlri()) {
                codec.encode(nlri, out);
            }
        }
    }

    /** Writes AFI, SAFI, next hop and the reserved octet; the NLRI follow. */
    public static void writeHeader(AddressFamily family, InetAddress nextHop, ByteBuf out) {
        out.writeShort(family.afi());
        out.writeByte(family.safi());
        byte[] address = nextHop.getAddress();
        out.writeByte(address.length);
        out.writeBytes(address);
        out.writeByte(0);
    }
}
