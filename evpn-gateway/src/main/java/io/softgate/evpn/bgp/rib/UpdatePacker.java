package io.softgate.evpn.bgp.rib;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.softgate.evpn.bgp.attribute.MpReachNlriAttribute;
import io.softgate.evpn.bgp.attribute.NextHopAttribute;
import io.softgate.evpn.bgp.attribute.PathAttribute;
import io.softgate.evpn.bgp.attribute.PathAttributeCodecs;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.BgpMessageEncoder;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.nlri.Nlri;
import io.softgate.evpn.bgp.nlri.NlriCodec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs many NLRIs that share attributes into as few UPDATEs as the negotiated message size
 * allows (4096 octets, or 65535 with RFC 8654): the attributes are encoded once, then as many
 * NLRIs as fit go into MP_REACH_NLRI (or the NLRI field for IPv4 unicast); withdrawals go
 * into MP_UNREACH_NLRI (or Withdrawn Routes).
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class UpdatePacker {
    /** Flags(1) Type(1) Length(2): MP attributes always use the Extended Length form. */
    private static final int MP_ATTRIBUTE_HEADER = 4;

    private final PathAttributeCodecs attributeCodecs;

    public UpdatePacker() {
        this(PathAttributeCodecs.standard());
    }

    public UpdatePacker(PathAttributeCodecs attributeCodecs) {
        this.attributeCodecs = attributeCodecs;
    }

    /** Encodes {@code attributes} (no MP or NEXT_HOP attributes) once, for reuse across messages. */
    public byte[] encodeAttributes(List<PathAttribute> attributes, CodecContext context) {
        ByteBuf out = Unpooled.buffer(128);
        try {
            for (PathAttribute attribute : attributes) {
                attributeCodecs.encode(attribute, out, context);
            }
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
        }
    }

    /** Appends UPDATEs announcing {@code nlri} with the pre-encoded attributes to {@code messages}. */
    public void packAnnouncements(AddressFamily family, byte[] encodedAttributes, InetAddress nextHop, List<Nlri> nlri,
                                  CodecContext context, ByteBufAllocator allocator, List<ByteBuf> messages) {
        NlriCodec codec = context.nlriCodecs().forFamily(family);
        boolean ipv4Field = family.equals(AddressFamily.IPV4_UNICAST);
        int max = context.maxMessageLength();
        int index = 0;
        while (index < nlri.size()) {
            ByteBuf out = allocator.buffer(Math.min(max, 4096));
            int start = BgpMessageEncoder.writeHeader(out, BgpMessage.TYPE_UPDATE);
            out.writeShort(0);
            int attributesLengthIndex = out.writerIndex();
            out.writeShort(0);
            out.writeBytes(encodedAttributes);
            int mpLengthIndex = -1;
            if (ipv4Field) {
                attributeCodecs.encode(new NextHopAttribute(InetAddresses.toInt(nextHop) & 0xFFFF_FFFFL), out, context);
            } else {
                out.writeByte(PathAttribute.FLAG_OPTIONAL | PathAttribute.FLAG_EXTENDED_LENGTH);
                out.writeByte(MpReachNlriAttribute.TYPE);
                mpLengthIndex = out.writerIndex();
                out.writeShort(0);
                MpReachNlriAttribute.writeHeader(family, nextHop, out);
            }
            int first = index;
            while (index < nlri.size() && out.writerIndex() - start + codec.encodedLength(nlri.get(index)) <= max) {
                codec.encode(nlri.get(index), out);
                index++;
            }
            if (index == first) {
                out.release();
                throw new IllegalStateException("attributes leave no room for one NLRI in " + max + " octets");
            }
            if (ipv4Field) {
                // The NLRI field follows the attributes: their length ends before it.
                int attributesEnd = out.writerIndex() - encodedLength(codec, nlri, first, index);
                out.setShort(attributesLengthIndex, attributesEnd - attributesLengthIndex - 2);
            } else {
                out.setShort(mpLengthIndex, out.writerIndex() - mpLengthIndex - 2);
                out.setShort(attributesLengthIndex, out.writerIndex() - attributesLengthIndex - 2);
            }
            BgpMessageEncoder.finishMessage(out, start);
            messages.add(out);
        }
    }

    /** Appends UPDATEs withdrawing {@code nlri} to {@code messages}. */
    public void packWithdrawals(AddressFamily family, List<Nlri> nlri, CodecContext context, ByteBufAllocator allocator,
                                List<ByteBuf> messages) {
        NlriCodec codec = context.nlriCodecs().forFamily(family);
        boolean ipv4Field = family.equals(AddressFamily.IPV4_UNICAST);
        int max = context.maxMessageLength();
        int index = 0;
        while (index < nlri.size()) {
            ByteBuf out = allocator.buffer(Math.min(max, 4096));
            int start = BgpMessageEncoder.writeHeader(out, BgpMessage.TYPE_UPDATE);
            int withdrawnLengthIndex = out.writerIndex();
            out.writeShort(0);
            int attributesLengthIndex = -1;
            int mpLengthIndex = -1;
            if (!ipv4Field) {
                attributesLengthIndex = out.writerIndex();
                out.writeShort(0);
                out.writeByte(PathAttribute.FLAG_OPTIONAL | PathAttribute.FLAG_EXTENDED_LENGTH);
                out.writeByte(15);
                mpLengthIndex = out.writerIndex();
                out.writeShort(0);
                out.writeShort(family.afi());
                out.writeByte(family.safi());
            }
            int reserve = ipv4Field ? 2 : 0;
            while (index < nlri.size() && out.writerIndex() - start + reserve + codec.encodedLength(nlri.get(index)) <= max) {
                codec.encode(nlri.get(index), out);
                index++;
            }
            if (ipv4Field) {
                out.setShort(withdrawnLengthIndex, out.writerIndex() - withdrawnLengthIndex - 2);
                out.writeShort(0);
            } else {
                out.setShort(mpLengthIndex, out.writerIndex() - mpLengthIndex - 2);
                out.setShort(attributesLengthIndex, out.writerIndex() - attributesLengthIndex - 2);
            }
            BgpMessageEncoder.finishMessage(out, start);
            messages.add(out);
        }
    }

    private static int encodedLength(NlriCodec codec, List<Nlri> nlri, int from, int to) {
        int length = 0;
        for (int i = from; i < to; i++) {
            length += codec.encodedLength(nlri.get(i));
        }
        return length;
    }

    /** A convenience for tests and benchmarks: all announcements of one attribute set. */
    public List<ByteBuf> packAnnouncements(AddressFamily family, List<PathAttribute> attributes, InetAddress nextHop,
                                           List<Nlri> nlri, CodecContext context, ByteBufAllocator allocator) {
        List<ByteBuf> messages = new ArrayList<>();
        packAnnouncements(family, encodeAttributes(attributes, context), nextHop, nlri, context, allocator, messages);
        return messages;
    }

    /** Appends the End-of-RIB marker of {@code family} (RFC 4724 §2). */
    public void packEndOfRib(AddressFamily family, ByteBufAllocator allocator, List<ByteBuf> messages) {
        ByteBuf out = allocator.buffer(30);
        int start = BgpMessageEncoder.writeHeader(out, BgpMessage.TYPE_UPDATE);
        out.writeShort(0);
        if (family.equals(AddressFamily.IPV4_UNICAST)) {
            out.writeShort(0);
        } else {
            out.writeShort(6);
            out.writeByte(PathAttribute.FLAG_OPTIONAL);
            out.writeByte(15);
            out.writeByte(3);
            out.writeShort(family.afi());
            out.writeByte(family.safi());
        }
        BgpMessageEncoder.finishMessage(out, start);
        messages.add(out);
    }
}
