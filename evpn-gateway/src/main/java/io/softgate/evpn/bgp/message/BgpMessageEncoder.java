package io.softgate.evpn.bgp.message;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.attribute.PathAttribute;
import io.softgate.evpn.bgp.attribute.PathAttributeCodecs;
import io.softgate.evpn.bgp.capability.Capability;
import io.softgate.evpn.bgp.capability.CapabilityCodecs;
import io.softgate.evpn.bgp.nlri.Ipv4Prefix;

/**
 * Encodes BGP messages, header included (RFC 4271 §4).
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class BgpMessageEncoder {
    private final PathAttributeCodecs attributeCodecs;

    public BgpMessageEncoder() {
        this(PathAttributeCodecs.standard());
    }

    public BgpMessageEncoder(PathAttributeCodecs attributeCodecs) {
        this.attributeCodecs = attributeCodecs;
    }

    public PathAttributeCodecs attributeCodecs() {
        return attributeCodecs;
    }

    /** Appends the encoded message to {@code out}. */
    public void encode(BgpMessage message, ByteBuf out, CodecContext context) {
        int start = writeHeader(out, message.type());
        if (message instanceof OpenMessage) {
            encodeOpen((OpenMessage) message, out);
        } else if (message instanceof UpdateMessage) {
            encodeUpdate((UpdateMessage) message, out, context);
        } else if (message instanceof NotificationMessage) {
            NotificationMessage notification = (NotificationMessage) message;
            out.writeByte(notification.errorCode());
            out.writeByte(notification.errorSubcode());
            out.writeBytes(notification.data());
        } else if (message instanceof RouteRefreshMessage) {
            RouteRefreshMessage refresh = (RouteRefreshMessage) message;
            out.writeShort(refresh.addressFamily().afi());
            out.writeByte(0);
            out.writeByte(refresh.addressFamily().safi());
        }
        finishMessage(out, start);
    }

    /** Writes marker, a length placeholder and the type; returns the message's start index. */
    public static int writeHeader(ByteBuf out, int type) {
        int start = out.writerIndex();
        out.writeLong(-1L);
        out.writeLong(-1L);
        out.writeShort(0);
        out.writeByte(type);
        return start;
    }

    /** Fills in the length field of the message that began at {@code start}. */
    public static void finishMessage(ByteBuf out, int start) {
        out.setShort(start + 16, out.writerIndex() - start);
    }

    private static void encodeOpen(OpenMessage open, ByteBuf out) {
        out.writeByte(open.version());
        out.writeShort(open.myAutonomousSystem());
        out.writeShort(open.holdTimeSeconds());
        out.writeInt((int) open.bgpIdentifier());
        int parametersLengthIndex = out.writerIndex();
        out.writeByte(0);
        // One capability per optional parameter, as FRR does: every implementation reads it.
        for (Capability capability : open.capabilities()) {
            out.writeByte(2);
            int lengthIndex = out.writerIndex();
            out.writeByte(0);
            CapabilityCodecs.encode(capability, out);
            out.setByte(lengthIndex, out.writerIndex() - lengthIndex - 1);
        }
        out.setByte(parametersLengthIndex, out.writerIndex() - parametersLengthIndex - 1);
    }

    private void encodeUpdate(UpdateMessage update, ByteBuf out, CodecContext context) {
        int withdrawnLengthIndex = out.writerIndex();
        out.writeShort(0);
        for (Ipv4Prefix prefix : update.withdrawnRoutes()) {
            prefix.encode(out);
        }
        out.setShort(withdrawnLengthIndex, out.writerIndex() - withdrawnLengthIndex - 2);
        int attributesLengthIndex = out.writerIndex();
        out.writeShort(0);
        for (PathAttribute attribute : update.attributes()) {
            attributeCodecs.encode(attribute, out, context);
        }
        out.setShort(attributesLengthIndex, out.writerIndex() - attributesLengthIndex - 2);
        for (Ipv4Prefix prefix : update.nlri()) {
            prefix.encode(out);
        }
    }
}
