/**
 * Packet I/O: the {@link io.softgate.core.io.PacketIo} queue a worker receives from and transmits
 * to, the {@link io.softgate.core.io.PacketIoBackend} SPI that reports availability and opens one
 * queue per worker, per-queue {@link io.softgate.core.io.PacketIoCounters} with
 * {@link io.softgate.core.io.IoDropReason}s, and the pure-Java backends: in-memory
 * ({@link io.softgate.core.io.MemoryPacketIoBackend}) and classic libpcap files
 * ({@link io.softgate.core.io.PcapPacketIoBackend}, {@link io.softgate.core.io.PcapReader},
 * {@link io.softgate.core.io.PcapWriter}). Backends that need Netty or native code live in the
 * softgate-io module. Every backend passes the conformance suite
 * {@code io.softgate.core.io.PacketIoConformanceSuite} from the core test-jar.
 */
package io.softgate.core.io;
