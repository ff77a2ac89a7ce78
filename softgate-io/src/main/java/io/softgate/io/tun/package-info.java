/**
 * The TUN/TAP packet I/O backend through JNR-FFI: one queue of a multi-queue TUN or TAP device
 * per worker, read and written one packet per system call straight from the worker's frames.
 * A TUN port carries IP packets (no Ethernet header; {@code PacketFlags.L3_PACKET} on every
 * received packet), a TAP port Ethernet frames.
 *
 * <pre>{@code
 * TunPacketIoBackend uplink = TunPacketIoBackend.builder()
 *     .deviceName("up0").mode(TunMode.TUN).maxFrameBytes(1500)
 *     .build();
 * uplink.ensureAvailable();            // throws naming the cause (no /dev/net/tun, JNR, ...)
 * PacketIo queue = uplink.open(workerId, workerCount, workerPool);
 * }</pre>
 */
package io.softgate.io.tun;
