package io.softgate.io.xdp;

import static io.softgate.io.xdp.XdpConstants.SOL_XDP;
import static io.softgate.io.xdp.XdpConstants.XDP_STATISTICS;

import io.softgate.io.jnr.Native;
import java.io.IOException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads the kernel's counters of an AF_XDP socket ({@code getsockopt(SOL_XDP, XDP_STATISTICS)},
 * struct xdp_statistics in linux/if_xdp.h): for this backend's own sockets and for tools that
 * inspect another process's sockets through a copied descriptor.
 *
 * <p>Threading: stateless; uses the calling thread's native scratch buffer.
 */
public final class XdpStatistics {
    /** Frames the kernel dropped for reasons other than a full ring. */
    public static final int RX_DROPPED = 0;
    public static final int RX_INVALID_DESCRIPTORS = 1;
    public static final int TX_INVALID_DESCRIPTORS = 2;
    /** Frames dropped because the RX ring was full (the worker did not keep up). */
    public static final int RX_RING_FULL = 3;
    /** Times the kernel found the fill ring empty. */
    public static final int FILL_RING_EMPTY = 4;
    public static final int TX_RING_EMPTY = 5;
    /** Counters the kernel fills (six u64 since Linux 5.9). */
    public static final int COUNT = 6;
    private static final int STATISTICS_BYTES = COUNT * 8;

    private XdpStatistics() {
    }

    /** The counters of AF_XDP socket {@code fd}, indexed by the constants above; fails when the kernel refuses. */
    public static long[] read(int fd) throws IOException {
        UnsafeBuffer buffer = Native.scratch(STATISTICS_BYTES + 8);
        buffer.putInt(STATISTICS_BYTES, STATISTICS_BYTES);
        Native.check(Native.libc().getsockopt(fd, SOL_XDP, XDP_STATISTICS, buffer.addressOffset(),
            buffer.addressOffset() + STATISTICS_BYTES), "XDP_STATISTICS");
        long[] values = new long[COUNT];
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.getLong(i * 8);
        }
        return values;
    }
}
