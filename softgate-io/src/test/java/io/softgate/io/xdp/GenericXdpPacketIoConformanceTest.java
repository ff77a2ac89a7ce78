package io.softgate.io.xdp;

import org.junit.jupiter.api.Tag;

/** Runs the AF_XDP conformance suite with the program in generic (skb) mode. */
@Tag("system")
class GenericXdpPacketIoConformanceTest extends XdpPacketIoConformanceTest {
    @Override
    protected XdpMode xdpMode() {
        return XdpMode.GENERIC;
    }
}
