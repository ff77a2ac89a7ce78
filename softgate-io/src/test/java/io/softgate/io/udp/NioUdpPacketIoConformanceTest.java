package io.softgate.io.udp;

/** Runs the conformance suite against the UDP backend on Netty's NIO transport (the fallback), driven by the worker. */
class NioUdpPacketIoConformanceTest extends UdpPacketIoConformanceTest {
    @Override
    protected UdpTransport transport() {
        return UdpTransport.NIO;
    }
}
