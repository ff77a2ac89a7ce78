package io.softgate.evpn.forwarding.stage;

import io.softgate.core.packet.Checksums;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Verifies an IPv4 header checksum on the packet path. The common 20-byte header is summed as
 * two longs and an int in native byte order: RFC 1071 §2(B), the one's-complement sum is byte-order
 * independent, and a valid header sums to 0xFFFF in either order.
 *
 * <p>Threading: stateless static functions.
 */
public final class Ipv4HeaderChecksum {
    private Ipv4HeaderChecksum() {
    }

    /** True when the header of {@code headerLength} bytes at {@code offset} carries a correct checksum. */
    public static boolean isValid(UnsafeBuffer buffer, int offset, int headerLength) {
        long sum;
        if (headerLength == 20) {
            long first = buffer.getLong(offset);
            long second = buffer.getLong(offset + 8);
            long third = buffer.getInt(offset + 16) & 0xFFFF_FFFFL;
            sum = (first >>> 32) + (first & 0xFFFF_FFFFL) + (second >>> 32) + (second & 0xFFFF_FFFFL) + third;
        } else {
            sum = Checksums.sum(buffer, offset, headerLength);
        }
        // At most 5 x 2^32 (or 15 x 2^32 with options): three folds always reach 16 bits.
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return sum == 0xFFFF;
    }
}
