/**
 * The UDP packet I/O backend: VXLAN over UDP on Netty datagram channels (epoll with recvmmsg and
 * sendmmsg, NIO as fallback), one SO_REUSEPORT socket per worker, handed to the workers through
 * bounded SPSC queues.
 *
 * <pre>{@code
 * UdpPacketIoBackend backend = UdpPacketIoBackend.builder()
 *     .bindAddress("10.0.0.5")          // or "0.0.0.0" plus .vtepAddress("10.0.0.5")
 *     .port(4789)
 *     .localMac(routerMac).peerMac(gatewayMac)
 *     .build();
 * backend.ensureAvailable();           // throws with the cause when the transport cannot run
 * PacketIo queue = backend.open(workerId, workerCount, workerPool);
 * }</pre>
 */
package io.softgate.io.udp;
