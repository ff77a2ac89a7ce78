package io.softgate.service.config;

/**
 * Settings of the AF_XDP backend: the fabric-facing interface (worker i uses its queue
 * {@code firstQueue + i}), the VTEP whose VXLAN traffic the XDP program steers to the sockets
 * (default {@code node.vtepAddress}; RFC 7348 §5: UDP port 4789), where the program runs, how the
 * sockets bind, busy polling, and the entries of each ring.
 *
 * <p>Threading: immutable.
 */
public record AfXdpConfig(
    String interfaceName,
    String vtepAddress,
    XdpModeKind xdpMode,
    XdpCopyModeKind copyMode,
    Boolean busyPoll,
    Integer firstQueue,
    Integer ringSize) {

    public static final int DEFAULT_RING_SIZE = 2048;
    public static final int MIN_RING_SIZE = 8;
    public static final int MAX_RING_SIZE = 1 << 16;
    public static final int MAX_FIRST_QUEUE = 4096;

    static final AfXdpConfig NONE = new AfXdpConfig(null, null, null, null, null, null, null);

    public AfXdpConfig {
        xdpMode = xdpMode == null ? XdpModeKind.AUTO : xdpMode;
        copyMode = copyMode == null ? XdpCopyModeKind.AUTO : copyMode;
        busyPoll = busyPoll == null ? Boolean.FALSE : busyPoll;
        firstQueue = firstQueue == null ? 0 : firstQueue;
        ringSize = ringSize == null ? DEFAULT_RING_SIZE : ringSize;
    }
}
