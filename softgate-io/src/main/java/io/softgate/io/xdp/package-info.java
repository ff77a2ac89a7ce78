/**
 * The AF_XDP packet I/O backend through JNR-FFI and the raw system calls: one AF_XDP socket per
 * worker and interface queue, the worker's frame memory registered as the UMEM (frames move
 * between pool and kernel by index, no user-space copy), fill/completion/RX/TX rings driven in
 * Java with acquire/release ordering, need-wakeup kicks at most once per batch, optional busy
 * polling, and a steering program assembled in Java that hands only VXLAN for our VTEP to the
 * sockets (everything else stays with the kernel), attached with a BPF link so it goes with the
 * process. Only raw system calls through the C library: no libbpf or libxdp is needed.
 *
 * <pre>{@code
 * XdpPacketIoBackend fabric = XdpPacketIoBackend.builder()
 *     .interfaceName("eth1").vtepAddress("10.0.0.5")      // udpPort(4789) by default
 *     .xdpMode(XdpMode.AUTO).copyMode(XdpCopyMode.AUTO)   // or force NATIVE / ZERO_COPY ...
 *     .busyPoll(BusyPoll.recommended())                   // when sharing a core with softirq
 *     .build();
 * fabric.ensureAvailable();                               // throws naming the missing piece
 * PacketIo queue = fabric.open(workerId, workerCount, workerPool);
 * }</pre>
 */
package io.softgate.io.xdp;
