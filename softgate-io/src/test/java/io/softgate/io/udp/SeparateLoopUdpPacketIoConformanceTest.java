package io.softgate.io.udp;

/** Runs the conformance suite against the UDP backend on epoll with a separate Netty event loop thread. */
class SeparateLoopUdpPacketIoConformanceTest extends UdpPacketIoConformanceTest {
    @Override
    protected UdpEventLoopMode eventLoop() {
        return UdpEventLoopMode.SEPARATE;
    }
}
