package io.softgate.benchmarks.e2e;

import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.io.jnr.Native;
import io.softgate.io.xdp.BusyPoll;
import io.softgate.io.xdp.XdpPacketIo;
import io.softgate.io.xdp.XdpPacketIoBackend;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * End-to-end forwarding harness (issue 8, "Done when" 3, first part): a generator sends VXLAN
 * through a gateway namespace to a sink namespace, once with the softgate's AF_XDP backend
 * relaying (receive on gw0, rewrite outer Ethernet/IPv4 toward the sink, transmit on gw1, frames
 * never copied in user space) and once with the Linux kernel forwarding the same packets (plain
 * IPv4 routing, static neighbours), and prints the sink's received rate for each and their ratio,
 * for 64-byte and 1400-byte inner frames.
 *
 * <p>What it is not (yet): the softgate runs only its I/O and an outer-header rewrite, not the
 * NAT/LB pipeline, and the kernel does plain forwarding, not vxlan + nftables NAT; no latency
 * histogram and no 2x-overload run. CPU sharing on the 2-core machine: the generator thread is
 * pinned to CPU 0 (its veth transmit and the gateway's softirq receive run there too), the
 * softgate's worker to CPU 1 (its transmit to the sink runs there too). In the kernel run the
 * generator is on CPU 0 and RPS steers gw0's receive processing (forwarding, transmit to the
 * sink, the sink's receive) to CPU 1.
 *
 * <p>Run as root: {@code benchmarks/run-forwarding-harness.sh [seconds] [busy-poll]}.
 *
 * <p>Threading: main thread builds and measures; one generator thread and one worker thread.
 */
public final class ForwardingHarness {
    private static final int BATCH = 32;
    private static final int FRAMES = 32768;

    private ForwardingHarness() {
    }

    public static void main(String[] arguments) throws Exception {
        double seconds = arguments.length > 0 ? Double.parseDouble(arguments[0]) : 3.0;
        BusyPoll busyPoll = arguments.length > 1 && arguments[1].equals("busy-poll") ? BusyPoll.recommended() : BusyPoll.OFF;
        XdpPacketIoBackend probe = XdpPacketIoBackend.builder().interfaceName("lo").vtepAddress("127.0.0.1").build();
        probe.ensureAvailable();
        List<String> lines = new ArrayList<>();
        try (Topology topology = new Topology()) {
            for (int inner : new int[] {64, 1400}) {
                Result softgate = run(topology, inner, seconds, busyPoll);
                Result kernel = run(topology, inner, seconds, null);
                lines.add(String.format("inner %4d B: softgate (AF_XDP relay) %.3f Mpps [generator %.3f Mpps, worker CPU %.0f ns/pkt,"
                    + " machine CPU %.2f core-s/Mpkt] | kernel forwarding %.3f Mpps [generator %.3f Mpps, machine CPU %.2f"
                    + " core-s/Mpkt] | ratio %.2f", inner, softgate.sinkMpps, softgate.generatedMpps, softgate.workerNsPerPacket,
                    softgate.machineCoreSecondsPerMillion, kernel.sinkMpps, kernel.generatedMpps,
                    kernel.machineCoreSecondsPerMillion, softgate.sinkMpps / kernel.sinkMpps));
            }
        }
        for (String line : lines) {
            System.out.println(line);
        }
    }

    /** One measured run. */
    private record Result(double sinkMpps, double generatedMpps, double workerNsPerPacket,
                          double machineCoreSecondsPerMillion) {
    }

    /** One run: through the softgate when {@code busyPoll} is set (its worker's options), else through the kernel. */
    private static Result run(Topology topology, int innerBytes, double seconds, BusyPoll busyPoll) throws Exception {
        boolean softgate = busyPoll != null;
        topology.kernelForwarding(!softgate);
        Generator generator = new Generator(topology, innerBytes, softgate);
        Relay relay = softgate ? new Relay(topology, busyPoll) : null;
        try {
            generator.start();
            if (relay != null) {
                relay.start();
            }
            Thread.sleep(1000);
            long sinkBefore = topology.sinkReceivedPackets();
            long generatedBefore = generator.sent();
            long workerCpuBefore = relay == null ? 0 : relay.cpuNs();
            long relayedBefore = relay == null ? 0 : relay.forwarded();
            long[] cpuBefore = machineCpu();
            long start = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long elapsedNs = System.nanoTime() - start;
            long sinkPackets = topology.sinkReceivedPackets() - sinkBefore;
            long generated = generator.sent() - generatedBefore;
            long[] cpuAfter = machineCpu();
            double workerNs = relay == null ? 0
                : (double) (relay.cpuNs() - workerCpuBefore) / Math.max(1, relay.forwarded() - relayedBefore);
            double busySeconds = (cpuAfter[0] - cpuBefore[0]) / 100.0;
            double million = sinkPackets / 1e6;
            return new Result(sinkPackets * 1e3 / elapsedNs, generated * 1e3 / elapsedNs, workerNs,
                million == 0 ? Double.NaN : busySeconds / million);
        } finally {
            generator.stop();
            if (relay != null) {
                relay.stop();
            }
        }
    }

    /** Busy jiffies (user + nice + system + irq + softirq) summed over all CPUs, from /proc/stat. */
    private static long[] machineCpu() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = Long.parseLong(fields[1]) + Long.parseLong(fields[2]) + Long.parseLong(fields[3])
            + Long.parseLong(fields[6]) + Long.parseLong(fields[7]);
        return new long[] {busy};
    }

    /** Pins the calling thread to one CPU (sched_setaffinity through JNR, setup only). */
    static void pinTo(int cpu) {
        UnsafeBuffer mask = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        mask.putLong(0, 1L << cpu);
        if (Native.libc().sched_setaffinity(0, 128, mask.addressOffset()) != 0) {
            System.err.println("cannot pin to CPU " + cpu + ": " + Native.describe(Native.errno()));
        }
    }

    /** Sends VXLAN frames out of gen0 as fast as its AF_XDP socket takes them. */
    private static final class Generator implements Runnable {
        private final XdpPacketIoBackend backend;
        private final FrameMemory memory = new FrameMemory(FRAMES);
        private final FramePool pool = new FramePool(memory);
        private final byte[] template;
        private final Thread thread = new Thread(this, "generator");
        private volatile boolean running = true;
        private volatile PacketIo io;
        private volatile Throwable failure;

        Generator(Topology topology, int innerBytes, boolean toSoftgate) {
            this.backend = XdpPacketIoBackend.builder().interfaceName("gen0").networkNamespace(topology.generator)
                .vtepAddress(Topology.GENERATOR_IP).ringSize(2048).maxWorkers(1).build();
            this.template = VxlanFrames.frame(Topology.GENERATOR_MAC, Topology.GATEWAY_IN_MAC,
                Ipv4Flyweight.parse(Topology.GENERATOR_IP),
                Ipv4Flyweight.parse(toSoftgate ? Topology.GATEWAY_IN_IP : Topology.SINK_IP), innerBytes);
        }

        void start() throws IOException {
            io = backend.open(0, 1, pool);
            thread.start();
        }

        long sent() {
            PacketIo queue = io;
            return queue == null ? 0 : queue.counters().transmittedPackets();
        }

        @Override
        public void run() {
            pinTo(0);
            PacketBatch batch = new PacketBatch(memory, BATCH);
            StageVector slots = new StageVector(BATCH);
            UnsafeBuffer frames = memory.buffer();
            try {
                while (running) {
                    batch.clear();
                    slots.clear();
                    for (int i = 0; i < BATCH; i++) {
                        int frame = pool.allocate();
                        if (frame < 0) {
                            break;
                        }
                        int start = memory.packetStart(frame);
                        frames.putBytes(start, template);
                        slots.add(batch.add(frame, start, template.length, 0));
                    }
                    io.transmit(batch, slots, pool);
                    // Reclaims completions and keeps transmission moving; gen0 receives nothing.
                    batch.clear();
                    io.receive(batch, 0, pool);
                    for (int slot = 0; slot < batch.size(); slot++) {
                        pool.release(batch.frame[slot]);
                    }
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5000);
            backend.close();
            if (failure != null) {
                throw new IllegalStateException("generator failed", failure);
            }
        }
    }

    /** The softgate side: AF_XDP receive on gw0, outer rewrite toward the sink, AF_XDP transmit on gw1. */
    private static final class Relay implements Runnable {
        private final XdpPacketIoBackend inbound;
        private final XdpPacketIoBackend outbound;
        private final FrameMemory memory = new FrameMemory(FRAMES);
        private final FramePool pool = new FramePool(memory);
        private final Thread thread = new Thread(this, "softgate-worker");
        private volatile boolean running = true;
        private volatile long forwarded;
        private volatile long threadCpuNs;
        private PacketIo rx;
        private PacketIo tx;
        private volatile Throwable failure;

        Relay(Topology topology, BusyPoll busyPoll) {
            inbound = XdpPacketIoBackend.builder().interfaceName("gw0").networkNamespace(topology.gateway)
                .vtepAddress(Topology.GATEWAY_IN_IP).ringSize(8192).maxWorkers(1).busyPoll(busyPoll).build();
            outbound = XdpPacketIoBackend.builder().interfaceName("gw1").networkNamespace(topology.gateway)
                .vtepAddress(Topology.GATEWAY_OUT_IP).ringSize(2048).maxWorkers(1).build();
        }

        void start() throws IOException {
            rx = inbound.open(0, 1, pool);
            tx = outbound.open(0, 1, pool);
            thread.start();
        }

        long forwarded() {
            return forwarded;
        }

        long cpuNs() {
            return threadCpuNs;
        }

        @Override
        public void run() {
            pinTo(1);
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = Thread.currentThread().getId();
            PacketBatch batch = new PacketBatch(memory, BATCH);
            StageVector slots = new StageVector(BATCH);
            UnsafeBuffer frames = memory.buffer();
            int sinkAddress = Ipv4Flyweight.parse(Topology.SINK_IP);
            int gatewayAddress = Ipv4Flyweight.parse(Topology.GATEWAY_OUT_IP);
            long count = 0;
            int loops = 0;
            try {
                while (running) {
                    batch.clear();
                    slots.clear();
                    int received = rx.receive(batch, 0, pool);
                    for (int slot = 0; slot < received; slot++) {
                        int offset = batch.offset[slot];
                        EthernetFlyweight.destinationMac(frames, offset, Topology.SINK_MAC);
                        EthernetFlyweight.sourceMac(frames, offset, Topology.GATEWAY_OUT_MAC);
                        int ip = offset + EthernetFlyweight.HEADER_LENGTH;
                        Ipv4Flyweight.source(frames, ip, gatewayAddress);
                        Ipv4Flyweight.destination(frames, ip, sinkAddress);
                        Ipv4Flyweight.ttl(frames, ip, Ipv4Flyweight.ttl(frames, ip) - 1);
                        Ipv4Flyweight.updateChecksum(frames, ip);
                        slots.add(slot);
                    }
                    if (received > 0) {
                        tx.transmit(batch, slots, pool);
                        count += received;
                    } else {
                        // Reclaim completions on the transmit socket while idle.
                        tx.receive(batch, 0, pool);
                        for (int slot = 0; slot < batch.size(); slot++) {
                            pool.release(batch.frame[slot]);
                        }
                    }
                    if ((++loops & 1023) == 0) {
                        forwarded = count;
                        threadCpuNs = threads.getThreadCpuTime(id);
                    }
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5000);
            try {
                long[] stats = ((XdpPacketIo) rx).kernelStatistics();
                System.out.printf("  gw0 socket: rx_dropped %d, rx_ring_full %d, rx_fill_ring_empty %d; softgate queues: %s | %s%n",
                    stats[0], stats[3], stats[4], rx.counters(), tx.counters());
            } catch (IOException e) {
                System.out.println("  gw0 socket statistics unavailable: " + e.getMessage());
            }
            rx.close();
            tx.close();
            inbound.close();
            outbound.close();
            if (failure != null) {
                throw new IllegalStateException("softgate worker failed", failure);
            }
        }
    }
}
