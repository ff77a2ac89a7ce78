package io.softgate.service.config;

/**
 * Settings of the UDP backend: the local address and port its per-worker sockets bind
 * (RFC 7348 §5: VXLAN's IANA port is 4789), whether they busy-poll, which thread drives each
 * socket (see {@link UdpEventLoopKind}), and whether runs of equal-sized datagrams to one VTEP are
 * sent as UDP GSO sends ({@code segmentation}, worker mode on epoll).
 *
 * <p>Threading: immutable.
 */
public record UdpConfig(String bindAddress, Integer port, Boolean busyPoll, UdpEventLoopKind eventLoop,
                        Boolean segmentation) {
    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final int VXLAN_PORT = 4789;

    static final UdpConfig DEFAULTS = new UdpConfig(null, null, null, null, null);

    public UdpConfig {
        bindAddress = bindAddress == null ? DEFAULT_BIND_ADDRESS : bindAddress;
        port = port == null ? VXLAN_PORT : port;
        busyPoll = busyPoll == null ? Boolean.FALSE : busyPoll;
        eventLoop = eventLoop == null ? UdpEventLoopKind.WORKER : eventLoop;
        segmentation = segmentation == null ? Boolean.TRUE : segmentation;
    }
}
