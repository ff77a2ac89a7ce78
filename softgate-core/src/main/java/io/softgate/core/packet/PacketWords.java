package io.softgate.core.packet;

import java.nio.ByteOrder;
import org.agrona.UnsafeAccess;
import org.agrona.concurrent.UnsafeBuffer;
import sun.misc.Unsafe;

/**
 * Big-endian loads and stores of packet words without a bounds check per access, for the
 * stages' common-case loops (forwarding, NAT rewrite) and the adjacency table's header writer: the
 * caller checks once per packet that every byte it touches lies inside the buffer (or inside the
 * packet's frame, which lies inside the buffer) and then addresses the bytes as {@code base(buffer)}, {@code address(buffer, offset)}. Agrona's
 * checked accessors cost a compare-and-branch per field, a sizeable share of a ~100-cycle packet.
 * Packet memory is off-heap ({@code base} null): that case uses Unsafe's address-only accessors,
 * which the JIT compiles as plain loads and stores; given a base it cannot prove null or non-null,
 * it fences every access off from the loads and stores around it.
 *
 * <p>Threading: stateless static functions; the bytes belong to the calling worker.
 */
public final class PacketWords {
    private static final Unsafe UNSAFE = UnsafeAccess.UNSAFE;
    private static final boolean NATIVE_BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    private PacketWords() {
    }

    /** The object the buffer's addresses are relative to (null for direct memory). */
    public static byte[] base(UnsafeBuffer buffer) {
        return buffer.byteArray();
    }

    /** The address of {@code offset} in {@code buffer}, relative to {@link #base}. */
    public static long address(UnsafeBuffer buffer, int offset) {
        return buffer.addressOffset() + offset;
    }

    /** True when bytes {@code [offset, offset + length)} lie inside {@code buffer}. */
    public static boolean inside(UnsafeBuffer buffer, int offset, int length) {
        return offset >= 0 && offset <= buffer.capacity() - length;
    }

    public static long getLong(byte[] base, long address) {
        long bits = base == null ? UNSAFE.getLong(address) : UNSAFE.getLong(base, address);
        return NATIVE_BIG_ENDIAN ? bits : Long.reverseBytes(bits);
    }

    public static int getInt(byte[] base, long address) {
        int bits = base == null ? UNSAFE.getInt(address) : UNSAFE.getInt(base, address);
        return NATIVE_BIG_ENDIAN ? bits : Integer.reverseBytes(bits);
    }

    public static int getUnsignedShort(byte[] base, long address) {
        short bits = base == null ? UNSAFE.getShort(address) : UNSAFE.getShort(base, address);
        return (NATIVE_BIG_ENDIAN ? bits : Short.reverseBytes(bits)) & 0xFFFF;
    }

    public static void putShort(byte[] base, long address, int value) {
        short bits = NATIVE_BIG_ENDIAN ? (short) value : Short.reverseBytes((short) value);
        if (base == null) {
            UNSAFE.putShort(address, bits);
        } else {
            UNSAFE.putShort(base, address, bits);
        }
    }

    public static void putLong(byte[] base, long address, long value) {
        long bits = NATIVE_BIG_ENDIAN ? value : Long.reverseBytes(value);
        if (base == null) {
            UNSAFE.putLong(address, bits);
        } else {
            UNSAFE.putLong(base, address, bits);
        }
    }

    /** Adds {@code delta} (RFC 1624, {@link Checksums#applyDelta}) to the 16-bit checksum at {@code address}. */
    public static void addToChecksum(byte[] base, long address, int delta) {
        putShort(base, address, Checksums.applyDelta(getUnsignedShort(base, address), delta));
    }

    /**
     * {@link #addToChecksum} for a UDP checksum: RFC 768 zero means "no checksum" and stays zero,
     * and a computed zero is sent as all ones.
     */
    public static void addToUdpChecksum(byte[] base, long address, int delta) {
        int checksum = getUnsignedShort(base, address);
        if (checksum != 0) {
            int updated = Checksums.applyDelta(checksum, delta);
            putShort(base, address, updated == 0 ? 0xFFFF : updated);
        }
    }

    public static void putInt(byte[] base, long address, int value) {
        int bits = NATIVE_BIG_ENDIAN ? value : Integer.reverseBytes(value);
        if (base == null) {
            UNSAFE.putInt(address, bits);
        } else {
            UNSAFE.putInt(base, address, bits);
        }
    }
}
