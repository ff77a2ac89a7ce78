package io.softgate.io.xdp;

import static io.softgate.io.xdp.XdpConstants.*;

import io.softgate.core.memory.FrameMemory;
import io.softgate.io.jnr.LibC;
import io.softgate.io.jnr.Native;
import io.softgate.io.jnr.NativeException;
import java.io.IOException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Setup and teardown of one AF_XDP socket with the raw system calls: registers the worker's
 * {@link FrameMemory} region itself as the UMEM (chunk = frame, so a received packet already lies
 * in a pool frame and nothing is copied in user space), sizes and maps the four rings at the
 * offsets the kernel reports (XDP_MMAP_OFFSETS), and binds to one queue of one interface.
 *
 * <p>Threading: created and closed on the control thread; the rings are then used by one worker.
 */
final class XdpSocket implements AutoCloseable {
    private static final int DESCRIPTOR_BYTES = 16;
    private static final int ADDRESS_BYTES = 8;
    private static final int UMEM_REG_BYTES = 32;
    private static final int MMAP_OFFSETS_BYTES = 128;
    private static final int SOCKADDR_XDP_BYTES = 16;

    final int fd;
    final XdpRing fill;
    final XdpRing completion;
    final XdpRing rx;
    final XdpRing tx;
    final int bindFlags;

    private XdpSocket(int fd, XdpRing fill, XdpRing completion, XdpRing rx, XdpRing tx, int bindFlags) {
        this.fd = fd;
        this.fill = fill;
        this.completion = completion;
        this.rx = rx;
        this.tx = tx;
        this.bindFlags = bindFlags;
    }

    /** Ring sizes in entries (powers of two). */
    record RingSizes(int fill, int completion, int rx, int tx) {
    }

    /**
     * Opens, maps and binds a socket on {@code ifindex}/{@code queue} with {@code bindFlags}
     * (XDP_COPY or XDP_ZEROCOPY, plus XDP_USE_NEED_WAKEUP); everything is undone on failure.
     */
    static XdpSocket open(int ifindex, int queue, FrameMemory memory, RingSizes sizes, int bindFlags,
                          BusyPoll busyPoll) throws IOException {
        LibC libc = Native.libc();
        int fd = Native.check(libc.socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0), "socket(AF_XDP) (needs CAP_NET_RAW)");
        XdpRing[] rings = new XdpRing[4];
        try {
            UnsafeBuffer umem = Native.scratch(UMEM_REG_BYTES);
            umem.putLong(0, memory.buffer().addressOffset());
            umem.putLong(8, (long) memory.frameCount() * memory.frameSize());
            umem.putInt(16, memory.frameSize());
            umem.putInt(20, 0);
            check(libc.setsockopt(fd, SOL_XDP, XDP_UMEM_REG, umem.addressOffset(), UMEM_REG_BYTES),
                "XDP_UMEM_REG of " + memory.frameCount() + " frames (memlock limit? needs CAP_IPC_LOCK for large areas)");
            setInt(fd, SOL_XDP, XDP_UMEM_FILL_RING, sizes.fill(), "XDP_UMEM_FILL_RING");
            setInt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, sizes.completion(), "XDP_UMEM_COMPLETION_RING");
            setInt(fd, SOL_XDP, XDP_RX_RING, sizes.rx(), "XDP_RX_RING");
            setInt(fd, SOL_XDP, XDP_TX_RING, sizes.tx(), "XDP_TX_RING");
            UnsafeBuffer offsets = Native.scratch(MMAP_OFFSETS_BYTES + 8);
            offsets.putInt(MMAP_OFFSETS_BYTES, MMAP_OFFSETS_BYTES);
            check(libc.getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, offsets.addressOffset(),
                offsets.addressOffset() + MMAP_OFFSETS_BYTES), "XDP_MMAP_OFFSETS");
            // struct xdp_mmap_offsets: rx, tx, fr, cr; each {producer, consumer, desc, flags}.
            rings[0] = map(fd, offsets, 0, sizes.rx(), DESCRIPTOR_BYTES, XDP_PGOFF_RX_RING, "rx");
            rings[1] = map(fd, offsets, 32, sizes.tx(), DESCRIPTOR_BYTES, XDP_PGOFF_TX_RING, "tx");
            rings[2] = map(fd, offsets, 64, sizes.fill(), ADDRESS_BYTES, XDP_UMEM_PGOFF_FILL_RING, "fill");
            rings[3] = map(fd, offsets, 96, sizes.completion(), ADDRESS_BYTES, XDP_UMEM_PGOFF_COMPLETION_RING, "completion");
            busyPoll.apply(fd);
            UnsafeBuffer address = Native.scratch(SOCKADDR_XDP_BYTES);
            address.putShort(0, (short) AF_XDP);
            address.putShort(2, (short) bindFlags);
            address.putInt(4, ifindex);
            address.putInt(8, queue);
            check(libc.bind(fd, address.addressOffset(), SOCKADDR_XDP_BYTES), "bind(AF_XDP) queue " + queue);
            return new XdpSocket(fd, rings[2], rings[3], rings[0], rings[1], bindFlags);
        } catch (IOException | RuntimeException e) {
            for (XdpRing ring : rings) {
                unmap(ring);
            }
            Native.closeQuietly(fd);
            throw e;
        }
    }

    private static XdpRing map(int fd, UnsafeBuffer offsets, int at, int size, int entryBytes, long pageOffset,
                               String name) throws IOException {
        long producer = offsets.getLong(at);
        long consumer = offsets.getLong(at + 8);
        long descriptors = offsets.getLong(at + 16);
        long flags = offsets.getLong(at + 24);
        long bytes = descriptors + (long) size * entryBytes;
        long address = Native.libc().mmap(0L, bytes, PROT_READ_WRITE, MAP_SHARED_POPULATE, fd, pageOffset);
        if (address == MAP_FAILED) {
            throw new NativeException("mmap of the " + name + " ring", Native.errno());
        }
        return new XdpRing(address, bytes, producer, consumer, flags, descriptors, size, entryBytes);
    }

    private static void setInt(int fd, int level, int option, int value, String what) throws IOException {
        UnsafeBuffer buffer = Native.scratch(4);
        buffer.putInt(0, value);
        check(Native.libc().setsockopt(fd, level, option, buffer.addressOffset(), 4), what + " = " + value);
    }

    private static void check(int result, String what) throws IOException {
        Native.check(result, what);
    }

    private static void unmap(XdpRing ring) {
        if (ring != null) {
            Native.libc().munmap(ring.mappedAddress, ring.mappedBytes);
        }
    }

    /** XDP_STATISTICS, indexed as {@link XdpStatistics} says. */
    long[] statistics() throws IOException {
        return XdpStatistics.read(fd);
    }

    @Override
    public void close() {
        unmap(rx);
        unmap(tx);
        unmap(fill);
        unmap(completion);
        Native.closeQuietly(fd);
    }
}
