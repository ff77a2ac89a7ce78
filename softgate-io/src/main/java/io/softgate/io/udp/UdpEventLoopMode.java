package io.softgate.io.udp;

/**
 * Which thread runs a worker's UDP socket ({@code io.udp.eventLoop}): {@link #WORKER} — the worker
 * itself drives the socket's Netty event loop inside its receive and transmit calls (no thread
 * hand-off; the default, see {@link WorkerDrivenUdpPacketIo}); {@link #SEPARATE} — a Netty event
 * loop thread reads and writes and hands datagrams over through SPSC queues ({@link UdpPacketIo}),
 * which only pays when that thread has a core of its own.
 *
 * <p>Threading: immutable enum.
 */
public enum UdpEventLoopMode {
    WORKER,
    SEPARATE
}
