package io.softgate.io.udp;

/** Runs the conformance suite against the UDP backend on NIO with a separate Netty event loop thread. */
class NioSeparateLoopUdpPacketIoConformanceTest extends UdpPacketIoConformanceTest {
    @Override
    protected UdpTransport transport() {
        return UdpTransport.NIO;
    }

    @Override
    protected UdpEventLoopMode eventLoop() {
        return UdpEventLoopMode.SEPARATE;
    }
}
