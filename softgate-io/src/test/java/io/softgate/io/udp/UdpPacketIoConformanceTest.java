package io.softgate.io.udp;

import io.softgate.core.io.ConformanceFrames;
import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.PacketIoBackend;
import io.softgate.core.io.PacketIoConformanceSuite;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs the conformance suite against the UDP backend over loopback (epoll, the worker driving the
 * socket's event loop; subclasses cover NIO and the separate event loop): the peer is a plain JDK
 * socket on 127.0.0.1 that sends the UDP payload of each delivered frame to the queue's
 * ephemeral port and receives what the queue transmits.
 */
class UdpPacketIoConformanceTest extends PacketIoConformanceSuite {
    private static final int LOOPBACK = 0x7F000001;
    private static final long LOCAL_MAC = 0x02_00_00_00_0A_01L;
    private static final long PEER_MAC = 0x02_00_00_00_0A_02L;

    /** Which transport to test: epoll (skipped with its cause where the native library does not load); the NIO subclasses override it. */
    protected UdpTransport transport() {
        return UdpTransport.EPOLL;
    }

    /** Which thread drives the socket: the worker (the suite's thread) here; the separate-loop subclasses override it. */
    protected UdpEventLoopMode eventLoop() {
        return UdpEventLoopMode.WORKER;
    }

    @Override
    protected Harness createHarness(Path directory) throws IOException {
        UdpPacketIoBackend backend = UdpPacketIoBackend.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .localMac(LOCAL_MAC)
            .peerMac(PEER_MAC)
            .maxFrameBytes(MAX_FRAME_BYTES)
            .queueCapacity(QUEUE_CAPACITY)
            .receiveBufferBytes(1 << 20)
            .sendBufferBytes(1 << 20)
            .transport(transport())
            .eventLoop(eventLoop())
            .build();
        DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        byte[] receiveBuffer = new byte[65536];
        return new Harness() {
            @Override
            public PacketIoBackend backend() {
                return backend;
            }

            @Override
            public Endpoints endpoints() {
                return new Endpoints(LOCAL_MAC, PEER_MAC, LOOPBACK, LOOPBACK, backend.boundPort(), peer.getLocalPort());
            }

            @Override
            public void deliver(byte[] frame) throws IOException {
                byte[] payload = ConformanceFrames.udpPayload(frame);
                peer.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(),
                    backend.boundPort()));
            }

            @Override
            public byte[] collect(long timeoutMs) throws IOException {
                peer.setSoTimeout((int) timeoutMs);
                DatagramPacket packet = new DatagramPacket(receiveBuffer, receiveBuffer.length);
                try {
                    peer.receive(packet);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                return Arrays.copyOf(receiveBuffer, packet.getLength());
            }

            @Override
            public byte[] wireImage(byte[] frame) {
                return ConformanceFrames.udpPayload(frame);
            }

            @Override
            public boolean asynchronous() {
                return true;
            }

            @Override
            public void close() {
                peer.close();
            }
        };
    }
}
