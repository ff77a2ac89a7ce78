package io.softgate.evpn.forwarding.stage;

import java.nio.ByteOrder;
import org.agrona.UnsafeAccess;
import org.agrona.concurrent.UnsafeBuffer;
import sun.misc.Unsafe;

/**
 * Big-endian loads and stores of packet words without a bounds check per access, for the
 * forwarding stages' common-case loops: the caller checks once per packet that every byte it
 * touches lies inside the buffer (or inside the packet's frame, which lies inside the buffer) and
 * then addresses the bytes as {@code base(buffer)}, {@code address(buffer, offset)}. Agrona's
 * checked accessors cost a compare-and-branch per field, a sizeable share of a ~100-cycle packet.
 *
 * <p>Threading: stateless static functions; the bytes belong to the calling worker.
 */
final class PacketWords {
    private static final Unsafe UNSAFE = UnsafeAccess.UNSAFE;
    private static final boolean NATIVE_BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    private PacketWords() {
    }

    /** The object the buffer's addresses are relative to (null for direct memory). */
    static byte[] base(UnsafeBuffer buffer) {
        return buffer.byteArray();
    }

    /** The address of {@code offset} in {@code buffer}, relative to {@link #base}. */
    static long address(UnsafeBuffer buffer, int offset) {
        return buffer.addressOffset() + offset;
    }

    /** True when bytes {@code [offset, offset + length)} lie inside {@code buffer}. */
    static boolean inside(UnsafeBuffer buffer, int offset, int length) {
        return offset >= 0 && offset <= buffer.capacity() - length;
    }

    static long getLong(byte[] base, long address) {
        long bits = UNSAFE.getLong(base, address);
        return NATIVE_BIG_ENDIAN ? bits : Long.reverseBytes(bits);
    }

    static int getInt(byte[] base, long address) {
        int bits = UNSAFE.getInt(base, address);
        return NATIVE_BIG_ENDIAN ? bits : Integer.reverseBytes(bits);
    }

    static void putLong(byte[] base, long address, long value) {
        UNSAFE.putLong(base, address, NATIVE_BIG_ENDIAN ? value : Long.reverseBytes(value));
    }

    static void putInt(byte[] base, long address, int value) {
        UNSAFE.putInt(base, address, NATIVE_BIG_ENDIAN ? value : Integer.reverseBytes(value));
    }
}
