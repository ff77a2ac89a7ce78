package io.softgate.io.xdp;

/**
 * Numbers from linux/if_xdp.h, linux/if_link.h and asm-generic/socket.h used by the AF_XDP
 * backend (stable kernel ABI).
 *
 * <p>Threading: constants only.
 */
final class XdpConstants {
    static final int AF_XDP = 44;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_XDP = 283;
    static final int SOL_SOCKET = 1;

    static final int XDP_MMAP_OFFSETS = 1;
    static final int XDP_RX_RING = 2;
    static final int XDP_TX_RING = 3;
    static final int XDP_UMEM_REG = 4;
    static final int XDP_UMEM_FILL_RING = 5;
    static final int XDP_UMEM_COMPLETION_RING = 6;
    static final int XDP_STATISTICS = 7;

    static final long XDP_PGOFF_RX_RING = 0L;
    static final long XDP_PGOFF_TX_RING = 0x8000_0000L;
    static final long XDP_UMEM_PGOFF_FILL_RING = 0x1_0000_0000L;
    static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x1_8000_0000L;

    /** sockaddr_xdp.sxdp_flags. */
    static final int XDP_COPY = 1 << 1;
    static final int XDP_ZEROCOPY = 1 << 2;
    static final int XDP_USE_NEED_WAKEUP = 1 << 3;
    /** Ring flags word. */
    static final int XDP_RING_NEED_WAKEUP = 1;

    /** bpf_xdp_attach flags. */
    static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    static final int XDP_FLAGS_DRV_MODE = 1 << 2;

    static final int SO_BUSY_POLL = 46;
    static final int SO_PREFER_BUSY_POLL = 69;
    static final int SO_BUSY_POLL_BUDGET = 70;

    static final int PROT_READ_WRITE = 3;
    static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
    static final long MAP_FAILED = -1L;
    static final int MSG_DONTWAIT = 0x40;

    /** Bytes the kernel keeps in front of each received packet inside a UMEM chunk (XDP_PACKET_HEADROOM). */
    static final int XDP_PACKET_HEADROOM = 256;

    private XdpConstants() {
    }
}
