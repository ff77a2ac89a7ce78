package io.softgate.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Hand-built capture bytes for reader tests: a global header and records in either byte order,
 * written field by field so the tests do not rely on {@link PcapWriter}.
 *
 * <p>Threading: instances are confined to one test.
 */
final class PcapFiles {
    private final ByteBuffer bytes = ByteBuffer.allocate(8 << 20);

    PcapFiles(ByteOrder order, int magic, int versionMajor, int linkType) {
        bytes.order(order);
        bytes.putInt(magic).putShort((short) versionMajor).putShort((short) 4).putInt(0).putInt(0)
            .putInt(65535).putInt(linkType);
    }

    static PcapFiles littleEndianMicroseconds() {
        return new PcapFiles(ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 2, PcapFormat.LINKTYPE_ETHERNET);
    }

    PcapFiles record(long seconds, long fraction, byte[] data) {
        return record(seconds, fraction, data.length, data.length, data);
    }

    PcapFiles record(long seconds, long fraction, int includedLength, int originalLength, byte[] data) {
        bytes.putInt((int) seconds).putInt((int) fraction).putInt(includedLength).putInt(originalLength).put(data);
        return this;
    }

    byte[] toBytes() {
        byte[] out = new byte[bytes.position()];
        System.arraycopy(bytes.array(), 0, out, 0, out.length);
        return out;
    }

    /** The bytes cut to {@code length}. */
    byte[] truncated(int length) {
        byte[] all = toBytes();
        byte[] out = new byte[length];
        System.arraycopy(all, 0, out, 0, length);
        return out;
    }
}
