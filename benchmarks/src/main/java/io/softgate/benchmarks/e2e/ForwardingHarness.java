package io.softgate.benchmarks.e2e;

import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.counter.CounterLayout;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.StageVector;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.evpn.forwarding.table.ForwardingTables;
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
 * through a gateway namespace to a sink namespace, once with the softgate forwarding it (AF_XDP
 * receive on gw0, the evpn-gateway pipeline vxlan-decap / vrf-route / vxlan-encap toward the
 * sink's VTEP, AF_XDP transmit on gw1; frames never copied in user space) and once with the Linux
 * kernel forwarding the same outer packets (plain IPv4 routing, static neighbours), and prints the
 * sink's received rate for each and their ratio, for 64-byte and 1400-byte inner frames.
 *
 * <p>What it is not (yet): no NAT/LB/ACL stages on the softgate side; the kernel baseline is plain
 * forwarding, a lighter job than vxlan devices + nftables NAT; no latency histogram, no
 * 2x-overload run. CPU sharing on the 2-core machine: the generator thread is
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
    private static final int L3_VNI = 5001;
    private static final String ROUTER_MAC = "02:5f:00:00:00:01";
    private static final String REMOTE_ROUTER_MAC = "02:20:00:00:00:01";
    private static final String INNER_SOURCE_MAC = "02:11:00:00:00:01";
    private static final String INNER_SOURCE_IP = "172.16.0.10";
    private static final String INNER_DESTINATION_IP = "10.99.0.7";
    private static final String INNER_PREFIX = "10.99.0.0/16";

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
                lines.add(String.format("inner %4d B: softgate (AF_XDP + decap/route/encap) %.3f Mpps [generator %.3f Mpps, worker CPU %.0f ns/pkt,"
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
            byte[] inner = PacketBuilder.ethernet(PacketBuilder.parseMac(INNER_SOURCE_MAC), PacketBuilder.parseMac(ROUTER_MAC))
                .ipv4(INNER_SOURCE_IP, INNER_DESTINATION_IP).ttl(64).udp(40000, 53).payload(innerBytes - 42).build();
            this.template = PacketBuilder.vxlan(Topology.GENERATOR_MAC, Topology.GATEWAY_IN_MAC, Topology.GENERATOR_IP,
                toSoftgate ? Topology.GATEWAY_IN_IP : Topology.SINK_IP, 49152, L3_VNI, inner);
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

    /**
     * The softgate side: AF_XDP receive on gw0, the evpn-gateway forwarding pipeline (vxlan-decap,
     * vrf-route, vxlan-encap toward the sink's VTEP), AF_XDP transmit on gw1.
     */
    private static final class Relay implements Runnable {
        private final XdpPacketIoBackend inbound;
        private final XdpPacketIoBackend outbound;
        private final FrameMemory memory = new FrameMemory(FRAMES);
        private final FramePool pool = new FramePool(memory);
        private final PacketBatch batch = new PacketBatch(memory, BATCH);
        private final Pipeline pipeline = new Pipeline(ForwardingPipeline.definition(), 0, batch, pool, new CounterLayout());
        private final ConfigSnapshot snapshot;
        private final Thread thread = new Thread(this, "softgate-worker");
        private volatile boolean running = true;
        private volatile long forwarded;
        private volatile long dropped;
        private volatile long threadCpuNs;
        private PacketIo rx;
        private PacketIo tx;
        private volatile Throwable failure;

        Relay(Topology topology, BusyPoll busyPoll) {
            inbound = XdpPacketIoBackend.builder().interfaceName("gw0").networkNamespace(topology.gateway)
                .vtepAddress(Topology.GATEWAY_IN_IP).ringSize(8192).maxWorkers(1).busyPoll(busyPoll).build();
            outbound = XdpPacketIoBackend.builder().interfaceName("gw1").networkNamespace(topology.gateway)
                .vtepAddress(Topology.GATEWAY_OUT_IP).ringSize(2048).maxWorkers(1).build();
            // Our VTEP is gw0's address; encapsulated packets leave toward the sink's VTEP with the
            // sink's MAC as the underlay next hop (gw1 is a point-to-point link to it).
            NodeIntent node = NodeIntent.of(Topology.GATEWAY_IN_IP, ROUTER_MAC, Topology.mac(Topology.GATEWAY_IN_MAC),
                Topology.mac(Topology.SINK_MAC));
            ForwardingIntent intent = ForwardingIntent.of(node, List.of(VrfIntent.of("tenant", L3_VNI, 1)),
                List.of(RouteIntent.of("tenant", INNER_PREFIX, NextHop.remoteVtep(Topology.SINK_IP, REMOTE_ROUTER_MAC))));
            ForwardingTables tables = new ForwardingCompiler().compile(intent);
            snapshot = new SnapshotPublisher(new WorkerEpochs(1)).publish(ConfigSnapshot.builder().with(ForwardingTables.SLOT, tables));
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
            long count = 0;
            long drops = 0;
            int loops = 0;
            try {
                while (running) {
                    batch.clear();
                    int received = rx.receive(batch, 0, pool);
                    if (received > 0) {
                        pipeline.run(batch, snapshot, System.nanoTime());
                        StageVector send = pipeline.transmitVector();
                        StageVector drop = pipeline.dropVector();
                        for (int i = 0; i < drop.size(); i++) {
                            pool.release(batch.frame[drop.slot(i)]);
                        }
                        drops += drop.size();
                        count += tx.transmit(batch, send, pool);
                    } else {
                        // Reclaim completions on the transmit socket while idle.
                        tx.receive(batch, 0, pool);
                        for (int slot = 0; slot < batch.size(); slot++) {
                            pool.release(batch.frame[slot]);
                        }
                    }
                    if ((++loops & 1023) == 0) {
                        forwarded = count;
                        dropped = drops;
                        threadCpuNs = threads.getThreadCpuTime(id);
                    }
                }
                dropped = drops;
            } catch (Throwable e) {
                failure = e;
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5000);
            try {
                long[] stats = ((XdpPacketIo) rx).kernelStatistics();
                System.out.printf("  gw0 socket: rx_dropped %d, rx_ring_full %d, rx_fill_ring_empty %d; softgate queues: %s | %s;"
                    + " pipeline drops %d%n", stats[0], stats[3], stats[4], rx.counters(), tx.counters(), dropped);
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
