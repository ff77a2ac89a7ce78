package io.softgate.evpn.bgp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Hex written with comments: everything after '#' on a line is ignored, as is whitespace. */
public final class AnnotatedHex {
    private AnnotatedHex() {
    }

    public static byte[] bytes(String annotated) {
        StringBuilder hex = new StringBuilder();
        for (String line : annotated.split("\n")) {
            int comment = line.indexOf('#');
            hex.append((comment >= 0 ? line.substring(0, comment) : line).replaceAll("\\s+", ""));
        }
        return ByteBufUtil.decodeHexDump(hex);
    }

    public static ByteBuf buffer(String annotated) {
        return Unpooled.wrappedBuffer(bytes(annotated));
    }

    public static String hex(ByteBuf buffer) {
        return ByteBufUtil.hexDump(buffer);
    }

    public static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }
}
