package io.softgate.evpn.bgp.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.softgate.evpn.bgp.message.BgpMessage;
import java.util.List;

/**
 * Cuts the TCP stream into whole BGP messages by the header's Length field (RFC 4271 §4.1).
 * A Length below 19 cannot be framed: the 19 header octets are passed on alone so that the
 * message decoder answers with Bad Message Length, and the session ends.
 *
 * <p>Threading: one instance per channel, used on its event loop.
 */
final class BgpFrameDecoder extends ByteToMessageDecoder {
    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= BgpMessage.HEADER_LENGTH) {
            int length = in.getUnsignedShort(in.readerIndex() + 16);
            if (length < BgpMessage.HEADER_LENGTH) {
                out.add(in.readRetainedSlice(BgpMessage.HEADER_LENGTH));
                return;
            }
            if (in.readableBytes() < length) {
                return;
            }
            out.add(in.readRetainedSlice(length));
        }
    }
}
