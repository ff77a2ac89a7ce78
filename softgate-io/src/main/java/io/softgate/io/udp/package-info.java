/**
 * The UDP packet I/O backend: VXLAN over UDP on Netty datagram channels (epoll with recvmmsg and
 * sendmmsg, NIO as fallback), one SO_REUSEPORT socket per worker, in one of two event-loop modes
 * ({@link io.softgate.io.udp.UdpEventLoopMode}):
 *
 * <ul>
 *   <li>{@code WORKER} (default, {@link io.softgate.io.udp.WorkerDrivenUdpPacketIo}): the socket
 *       sits on a Netty {@code ManualIoEventLoop} owned by the worker thread; {@code receive} runs
 *       it once without blocking (epoll_wait with timeout 0, recvmmsg) and the handler copies each
 *       datagram straight into the batch; {@code transmit} writes and flushes (sendmmsg) on the
 *       worker, joining runs of equal-sized datagrams to one VTEP into UDP GSO sends
 *       ({@link io.softgate.io.udp.GsoCoalescer}, {@code Builder.segmentation}, on by default where
 *       the kernel has {@code UDP_SEGMENT}). No queue and no wakeup between threads. The worker must call
 *       {@code PacketIo.onWorkerClose} as it stops ({@code Worker.onClose} does).</li>
 *   <li>{@code SEPARATE} ({@link io.softgate.io.udp.UdpPacketIo}): Netty event loop threads read
 *       and write; datagrams cross to and from the worker through bounded SPSC queues. Worth it
 *       only when those threads have cores of their own.</li>
 * </ul>
 *
 * <p>In both modes a datagram counts as transmitted only once the kernel took it, and a refused one
 * as one {@code tx-error} drop, never both ({@link io.softgate.io.udp.SendLedger}, kept on the
 * thread that writes the socket).
 *
 * <pre>{@code
 * UdpPacketIoBackend backend = UdpPacketIoBackend.builder()
 *     .bindAddress("10.0.0.5")          // or "0.0.0.0" plus .vtepAddress("10.0.0.5")
 *     .port(4789)
 *     .localMac(routerMac).peerMac(gatewayMac)
 *     .eventLoop(UdpEventLoopMode.WORKER)
 *     .build();
 * backend.ensureAvailable();           // throws with the cause when the transport cannot run
 * PacketIo queue = backend.open(workerId, workerCount, workerPool);
 * }</pre>
 */
package io.softgate.io.udp;
