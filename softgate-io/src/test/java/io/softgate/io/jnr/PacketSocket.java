package io.softgate.io.jnr;

import java.io.IOException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A test peer on a link: an AF_PACKET raw socket bound to one interface that sends whole
 * Ethernet frames out of it and receives the frames arriving on it (frames this host sends
 * itself are skipped). Created inside a namespace via {@link NetworkNamespace}.
 *
 * <p>Threading: one test thread.
 */
public final class PacketSocket implements AutoCloseable {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** ETH_P_ALL in network byte order, as socket() and sockaddr_ll want it. */
    private static final int ETH_P_ALL_NETWORK_ORDER = 0x0300;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int PACKET_OUTGOING = 4;
    private static final int SOCKADDR_LL_BYTES = 20;
    private static final int SOL_PACKET = 263;
    private static final int PACKET_QDISC_BYPASS = 20;

    private final LibC libc = Native.libc();
    private final int fd;
    private final UnsafeBuffer buffer = Native.scratch(65536);
    private final UnsafeBuffer address = Native.scratch(64);

    /** Opens the socket in {@code namespace} (null: the caller's) bound to {@code interfaceName}. */
    public PacketSocket(String namespace, String interfaceName) throws IOException {
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(namespace)) {
            int ifindex = libc.if_nametoindex(interfaceName);
            if (ifindex == 0) {
                throw new IOException("no interface " + interfaceName + " in namespace " + namespace);
            }
            fd = Native.check(libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, ETH_P_ALL_NETWORK_ORDER), "socket(AF_PACKET)");
            // Straight to the driver: a device whose carrier just came up still has the noop qdisc
            // (until the kernel's link watch runs), which would silently drop the first frames.
            UnsafeBuffer one = Native.scratch(4);
            one.putInt(0, 1);
            Native.check(libc.setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, one.addressOffset(), 4),
                "setsockopt(PACKET_QDISC_BYPASS)");
            UnsafeBuffer sockaddr = Native.scratch(SOCKADDR_LL_BYTES);
            sockaddr.putShort(0, (short) AF_PACKET);
            sockaddr.putShort(2, (short) ETH_P_ALL_NETWORK_ORDER);
            sockaddr.putInt(4, ifindex);
            if (libc.bind(fd, sockaddr.addressOffset(), SOCKADDR_LL_BYTES) < 0) {
                int errno = Native.errno();
                Native.closeQuietly(fd);
                throw new NativeException("bind(AF_PACKET) " + interfaceName, errno);
            }
        }
    }

    /** Sends one Ethernet frame out of the interface. */
    public void send(byte[] frame) throws IOException {
        buffer.putBytes(0, frame);
        long sent = libc.sendto(fd, buffer.addressOffset(), frame.length, 0, 0L, 0);
        if (sent != frame.length) {
            throw new NativeException("sendto(AF_PACKET) of " + frame.length + " bytes", Native.errno());
        }
    }

    /** The next frame that arrived on the interface, or null after {@code timeoutMs}. */
    public byte[] receive(long timeoutMs) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            address.putInt(32, SOCKADDR_LL_BYTES);
            long length = libc.recvfrom(fd, buffer.addressOffset(), buffer.capacity(), MSG_DONTWAIT,
                address.addressOffset(), address.addressOffset() + 32);
            if (length >= 0) {
                int packetType = address.getByte(10) & 0xFF;
                if (packetType == PACKET_OUTGOING) {
                    continue;
                }
                byte[] frame = new byte[(int) length];
                buffer.getBytes(0, frame);
                return frame;
            }
            int errno = Native.errno();
            if (errno != Native.EAGAIN && errno != Native.EINTR) {
                throw new NativeException("recvfrom(AF_PACKET)", errno);
            }
            if (System.currentTimeMillis() > deadline) {
                return null;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** Reads and forgets whatever is waiting. */
    public int drain() throws IOException {
        int count = 0;
        while (receive(0) != null) {
            count++;
        }
        return count;
    }

    @Override
    public void close() {
        Native.closeQuietly(fd);
    }

    @Override
    public String toString() {
        return "PacketSocket[fd=" + fd + "]";
    }
}
