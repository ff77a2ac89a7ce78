package io.softgate.io.udp;

/** Runs the conformance suite against the UDP backend on Netty's NIO transport (the fallback). */
class NioUdpPacketIoConformanceTest extends UdpPacketIoConformanceTest {
    @Override
    protected UdpTransport transport() {
        return UdpTransport.NIO;
    }
}
