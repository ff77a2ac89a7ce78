package io.softgate.nat.rewrite;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.TcpFlyweight;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * TCP MSS clamping (RFC 879 / RFC 6691): lowers the MSS option of a SYN to the configured value so
 * that segments fit a smaller path MTU (e.g. after VXLAN overhead), with an RFC 1624 checksum update.
 *
 * <p>Threading: stateless static functions over the caller's buffer.
 */
public final class MssClamp {
    private MssClamp() {
    }

    /** Clamps the MSS of the SYN whose TCP header is at {@code l4}; returns true when it changed. */
    public static boolean clamp(UnsafeBuffer buffer, int l4, int maximumSegmentSize) {
        int option = TcpFlyweight.findMssOption(buffer, l4);
        if (option < 0) {
            return false;
        }
        int mss = buffer.getShort(option, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (mss <= maximumSegmentSize) {
            return false;
        }
        buffer.putShort(option, (short) maximumSegmentSize, ByteOrder.BIG_ENDIAN);
        // The option's offset from the header start is even only when aligned; update the
        // 16-bit word of the checksum that holds each changed byte.
        if (((option - l4) & 1) == 0) {
            TcpFlyweight.checksum(buffer, l4,
                Checksums.update16(TcpFlyweight.checksum(buffer, l4), mss, maximumSegmentSize));
        } else {
            int before = buffer.getShort(option - 1, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            int after = buffer.getShort(option + 1, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            int oldBefore = (before & 0xFF00) | (mss >>> 8);
            int oldAfter = ((mss & 0xFF) << 8) | (after & 0xFF);
            int checksum = Checksums.update16(TcpFlyweight.checksum(buffer, l4), oldBefore, before);
            TcpFlyweight.checksum(buffer, l4, Checksums.update16(checksum, oldAfter, after));
        }
        return true;
    }
}
