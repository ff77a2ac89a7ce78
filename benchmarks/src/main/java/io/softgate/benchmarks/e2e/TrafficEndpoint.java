package io.softgate.benchmarks.e2e;

import io.softgate.core.io.IoDropReason;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.io.jnr.Native;
import io.softgate.io.xdp.XdpPacketIo;
import io.softgate.io.xdp.XdpPacketIoBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Generator and sink in one thread on one AF_XDP socket of {@code hv0}: it sends VPC traffic
 * (VXLAN VNI 5001, inner UDP 10.1.1.10:40000-40255 -> 203.0.113.10:5000, the inner frame
 * {@code innerBytes} long) at a paced rate, and receives what the gateway sends back toward the
 * border VTEP (VXLAN VNI 5900, inner source must be the SNAT address). Each packet carries a magic
 * word and {@link System#nanoTime()} at send in its payload; the sink records now minus that
 * (same host clock, same JVM) in an HdrHistogram {@link Recorder}. The XDP program on hv0 steers
 * the returning VXLAN to the socket, so the kernel of the hv namespace never sees it.
 *
 * <p>The loop drains the receive ring (up to 8 batches) before each send batch, so the sink keeps
 * up with what it sends; its kernel drop counters are reported in {@link #socketStatistics()}.
 * It builds only as many packets as its transmit ring took last time (plus a few): unpaced, a full
 * ring would otherwise make it write and discard thousands of frames per packet the kernel takes,
 * time its core then lacks for the transmit work itself (copy-mode transmit and the veth delivery
 * run in its own {@code sendto}), which cut its offered load against gateways whose forwarding
 * holds the generator's frames (the kernel's: the transmitted skb is freed, and its frame
 * completed, only once forwarded).
 *
 * <p>Threading: one endpoint thread (pinned to a CPU); rates and counters are read by the main
 * thread through volatile fields and the recorder.
 */
final class TrafficEndpoint implements Runnable {
    static final int MAGIC = 0x5053_4721;
    private static final int BATCH = 64;
    private static final int FRAMES = 16384;
    private static final int FLOWS = 256;
    private static final int FIRST_SOURCE_PORT = 40000;
    /** Offsets inside the generated frame: outer 14 + 20 + 8 + VXLAN 8 + inner 14 + 20 + 8. */
    private static final int INNER_UDP_SOURCE_PORT_OFFSET = 50 + 14 + 20;
    private static final int PAYLOAD_OFFSET = 50 + 14 + 20 + 8;

    private final XdpPacketIoBackend backend;
    private final FrameMemory memory = new FrameMemory(FRAMES);
    private final FramePool pool = new FramePool(memory);
    private final int cpu;
    private final Recorder latency = new Recorder(1_000_000_000_000L, 3);
    private final Thread thread = new Thread(this, "traffic-endpoint");
    private volatile XdpPacketIo io;
    private volatile byte[] template;
    private volatile double ratePerSecond;
    private volatile boolean running = true;
    private volatile long received;
    private volatile long wrong;
    private volatile Throwable failure;

    TrafficEndpoint(Topology topology, int cpu) {
        this.cpu = cpu;
        this.backend = XdpPacketIoBackend.builder().interfaceName("hv0").networkNamespace(topology.hv)
            .vtepAddress(Topology.HV_IP).ringSize(4096).maxWorkers(1).build();
    }

    void start() throws IOException {
        io = (XdpPacketIo) backend.open(0, 1, pool);
        thread.start();
    }

    /** Inner frames of {@code innerBytes} (Ethernet header included) from now on. */
    void innerBytes(int innerBytes) {
        byte[] inner = PacketBuilder.ethernet(PacketBuilder.parseMac(Topology.HV_ROUTER_MAC),
                PacketBuilder.parseMac(Topology.ROUTER_MAC))
            .ipv4("10.1.1.10", Topology.SERVER_IP).ttl(64).udp(FIRST_SOURCE_PORT, 5000).zeroUdpChecksum()
            .payload(innerBytes - 42).build();
        template = PacketBuilder.vxlan(Topology.HV_MAC, Topology.GATEWAY_MAC, Topology.HV_IP, Topology.GATEWAY_IP,
            49152, Topology.VPC_VNI, inner);
    }

    /** Offered rate in packets per second; 0 or less = as fast as the socket takes them. */
    void rate(double packetsPerSecond) {
        ratePerSecond = packetsPerSecond;
    }

    /** Packets handed to the kernel so far (transmit ring). */
    long sent() {
        XdpPacketIo queue = io;
        return queue == null ? 0 : queue.counters().transmittedPackets();
    }

    /** Packets the generator could not put on its transmit ring (full) so far: not offered, not counted in {@link #sent()}. */
    long transmitRingFull() {
        XdpPacketIo queue = io;
        return queue == null ? 0 : queue.counters().drops(IoDropReason.TX_QUEUE_FULL);
    }

    /** Valid packets received so far (VNI 5900, translated source, our magic). */
    long received() {
        return received;
    }

    /** Packets received that were not what the gateway should send (wrong VNI, untranslated, foreign). */
    long wrong() {
        return wrong;
    }

    /** Latencies recorded since the previous call (nanoseconds). */
    Histogram takeLatency() {
        return latency.getIntervalHistogram();
    }

    /** XDP_STATISTICS of hv0's socket, indexed as {@code io.softgate.io.xdp.XdpStatistics} says. */
    long[] socketStatistics() throws IOException {
        return io.kernelStatistics();
    }

    @Override
    public void run() {
        pin(cpu);
        PacketBatch sendBatch = new PacketBatch(memory, BATCH);
        PacketBatch receiveBatch = new PacketBatch(memory, BATCH);
        StageVector slots = new StageVector(BATCH);
        UnsafeBuffer frames = memory.buffer();
        int snatAddress = Ipv4Flyweight.parse(Topology.SNAT_ADDRESS);
        long sentTotal = 0;
        long paceStartNs = System.nanoTime();
        long pacedAtStart = 0;
        double pacedRate = -1;
        int flow = 0;
        int ringTook = BATCH;
        long good = 0;
        long bad = 0;
        try {
            while (running) {
                for (int round = 0; round < 8; round++) {
                    receiveBatch.clear();
                    int count = io.receive(receiveBatch, 0, pool);
                    long now = System.nanoTime();
                    for (int slot = 0; slot < receiveBatch.size(); slot++) {
                        int start = receiveBatch.offset[slot];
                        long sentAt = check(frames, start, receiveBatch.length[slot], snatAddress);
                        if (sentAt != 0) {
                            good++;
                            long nanos = now - sentAt;
                            latency.recordValue(nanos < 0 ? 0 : Math.min(nanos, 999_999_999_999L));
                        } else {
                            bad++;
                        }
                        pool.release(receiveBatch.frame[slot]);
                    }
                    received = good;
                    wrong = bad;
                    if (count < BATCH) {
                        break;
                    }
                }
                byte[] packet = template;
                double rate = ratePerSecond;
                long now = System.nanoTime();
                if (rate != pacedRate) {
                    pacedRate = rate;
                    paceStartNs = now;
                    pacedAtStart = sentTotal;
                }
                // After a full ring, offer a few more than it took (it drains as the kernel sends).
                int due = Math.min(BATCH, ringTook + 4);
                if (rate > 0) {
                    long target = pacedAtStart + (long) ((now - paceStartNs) * rate / 1e9);
                    due = (int) Math.min(due, target - sentTotal);
                }
                if (packet == null || due <= 0) {
                    continue;
                }
                sendBatch.clear();
                slots.clear();
                for (int i = 0; i < due; i++) {
                    int frame = pool.allocate();
                    if (frame < 0) {
                        break;
                    }
                    int start = memory.packetStart(frame);
                    frames.putBytes(start, packet);
                    frames.putShort(start + INNER_UDP_SOURCE_PORT_OFFSET,
                        Short.reverseBytes((short) (FIRST_SOURCE_PORT + flow)));
                    flow = (flow + 1) & (FLOWS - 1);
                    frames.putInt(start + PAYLOAD_OFFSET, MAGIC);
                    frames.putLong(start + PAYLOAD_OFFSET + 4, now);
                    slots.add(sendBatch.add(frame, start, packet.length, 0));
                }
                // A full transmit ring drops the rest (counted by the queue); pacing counts attempts.
                ringTook = io.transmit(sendBatch, slots, pool);
                sentTotal += slots.size();
            }
        } catch (Throwable e) {
            failure = e;
        }
    }

    /** The send time in a returned packet, or 0 when it is not a translated packet of ours. */
    static long check(UnsafeBuffer frames, int start, int length, int snatAddress) {
        if (length < PAYLOAD_OFFSET + 12 || (frames.getShort(start + 12) & 0xFFFF) != 0x0008) {
            return 0;
        }
        int outerIhl = (frames.getByte(start + 14) & 0x0F) * 4;
        int udp = start + 14 + outerIhl;
        int vxlan = udp + 8;
        int vni = ((frames.getByte(vxlan + 4) & 0xFF) << 16) | ((frames.getByte(vxlan + 5) & 0xFF) << 8)
            | (frames.getByte(vxlan + 6) & 0xFF);
        int innerIp = vxlan + 8 + 14;
        if (vni != Topology.PUBLIC_VNI || innerIp + 20 > start + length) {
            return 0;
        }
        int innerSource = Integer.reverseBytes(frames.getInt(innerIp + 12));
        int payload = innerIp + (frames.getByte(innerIp) & 0x0F) * 4 + 8;
        if (innerSource != snatAddress || payload + 12 > start + length || frames.getInt(payload) != MAGIC) {
            return 0;
        }
        return frames.getLong(payload + 4);
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(5000);
        XdpPacketIo queue = io;
        if (queue != null) {
            queue.close();
        }
        backend.close();
        if (failure != null) {
            throw new IllegalStateException("traffic endpoint failed", failure);
        }
    }

    /** Pins the calling thread to one CPU (sched_setaffinity through JNR, set-up only). */
    static void pin(int cpu) {
        UnsafeBuffer mask = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        mask.putLong(0, 1L << cpu);
        if (Native.libc().sched_setaffinity(0, 128, mask.addressOffset()) != 0) {
            System.err.println("cannot pin to CPU " + cpu + ": " + Native.describe(Native.errno()));
        }
    }
}
