package io.softgate.io.tun;

/**
 * What a TUN/TAP device carries: {@link #TUN} hands the pipeline bare IP packets (no link-layer
 * header: the packet starts at its IPv4 or IPv6 header, and received packets carry
 * {@code PacketFlags.L3_PACKET}); {@link #TAP} hands it whole Ethernet frames like every other
 * backend.
 *
 * <p>Threading: immutable enum.
 */
public enum TunMode {
    /** IP packets (IFF_TUN | IFF_NO_PI). */
    TUN(0x0001),
    /** Ethernet frames (IFF_TAP | IFF_NO_PI). */
    TAP(0x0002);

    private final int interfaceFlag;

    TunMode(int interfaceFlag) {
        this.interfaceFlag = interfaceFlag;
    }

    /** The IFF_TUN / IFF_TAP bit for TUNSETIFF. */
    int interfaceFlag() {
        return interfaceFlag;
    }
}
