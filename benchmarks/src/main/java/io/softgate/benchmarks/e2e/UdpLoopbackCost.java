package io.softgate.benchmarks.e2e;

import com.sun.management.ThreadMXBean;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.UdpFlyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.io.udp.UdpEventLoopMode;
import io.softgate.io.udp.UdpPacketIoBackend;
import io.softgate.io.udp.UdpTransport;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What the UDP backend costs its worker thread per datagram, over loopback without namespaces or
 * root: a peer thread sends bursts of VXLAN-sized datagrams to one queue, the "worker" (this
 * tool's thread) receives each batch and transmits it back (echo), and the tool reports, per
 * echoed datagram, the bytes the worker thread allocated and its CPU time (user and total,
 * ThreadMXBean) in the iterations that received something, for each event-loop mode, with the
 * worker on a plain {@link Thread} (as the service starts it today) and on a Netty
 * {@link FastThreadLocalThread} (Netty's object recyclers only reuse objects on those). With the
 * separate mode the event loop thread's work is not counted (it is another thread): compare the
 * modes end to end with the forwarding harness instead.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.softgate.benchmarks.e2e.UdpLoopbackCost [seconds]}
 *
 * <p>Threading: single-use command-line tool; one sender and one draining thread besides the worker.
 */
public final class UdpLoopbackCost {
    private static final int BATCH = 64;
    private static final int PAYLOAD_BYTES = 114;

    private UdpLoopbackCost() {
    }

    public static void main(String[] arguments) throws Exception {
        double seconds = arguments.length > 0 ? Double.parseDouble(arguments[0]) : 4;
        for (UdpEventLoopMode mode : UdpEventLoopMode.values()) {
            for (boolean nettyThread : new boolean[] {false, true}) {
                String[] line = new String[1];
                Runnable body = () -> line[0] = measure(mode, seconds);
                Thread worker = nettyThread ? new FastThreadLocalThread(body, "cost-worker") : new Thread(body, "cost-worker");
                worker.start();
                worker.join();
                System.out.printf(Locale.ROOT, "%-8s %-22s %s%n", mode, nettyThread ? "FastThreadLocalThread" : "Thread", line[0]);
            }
        }
    }

    private static String measure(UdpEventLoopMode mode, double seconds) {
        FrameMemory memory = new FrameMemory(4 * BATCH);
        FramePool pool = new FramePool(memory);
        PacketBatch batch = new PacketBatch(memory, BATCH);
        StageVector slots = new StageVector(BATCH);
        UdpPacketIoBackend backend = UdpPacketIoBackend.builder().bindAddress("127.0.0.1").port(0)
            .eventLoop(mode).transport(UdpTransport.AUTO).build();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             PacketIo io = backend.open(0, 1, pool)) {
            peer.setReceiveBufferSize(8 << 20);
            int port = backend.boundPort();
            Thread sender = new Thread(() -> send(peer, port), "cost-sender");
            Thread drain = new Thread(() -> drain(peer), "cost-drain");
            sender.start();
            drain.start();
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long warmEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            long end = warmEnd + (long) (seconds * 1e9);
            long datagrams = 0;
            long batches = 0;
            long cpuNs = 0;
            long userNs = 0;
            long allocatedBefore = 0;
            boolean measuring = false;
            while (System.nanoTime() < end) {
                if (!measuring && System.nanoTime() > warmEnd) {
                    measuring = true;
                    allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                }
                long cpuBefore = threads.getCurrentThreadCpuTime();
                long userBefore = threads.getCurrentThreadUserTime();
                batch.clear();
                slots.clear();
                int received = io.receive(batch, 0, pool);
                for (int slot = 0; slot < received; slot++) {
                    echo(memory, batch.offset[slot], peer.getLocalPort());
                    slots.add(slot);
                }
                if (received > 0) {
                    io.transmit(batch, slots, pool);
                    if (measuring) {
                        datagrams += received;
                        batches++;
                        cpuNs += threads.getCurrentThreadCpuTime() - cpuBefore;
                        userNs += threads.getCurrentThreadUserTime() - userBefore;
                    }
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            sender.interrupt();
            sender.join();
            String line = String.format(Locale.ROOT, "%8d datagrams echoed: worker allocated %6.1f B/datagram, CPU %6.0f ns/datagram"
                    + " (user %5.0f) in receiving iterations, %.1f datagrams per batch, counters %s",
                datagrams, datagrams == 0 ? 0.0 : (double) allocated / datagrams, datagrams == 0 ? 0.0 : (double) cpuNs / datagrams,
                datagrams == 0 ? 0.0 : (double) userNs / datagrams, batches == 0 ? 0.0 : (double) datagrams / batches, io.counters());
            io.onWorkerClose();
            return line;
        } catch (Exception e) {
            return "failed: " + e;
        } finally {
            backend.close();
        }
    }

    /** Points a received frame's outer UDP destination at the peer (its outer IPv4 destination is loopback already). */
    private static void echo(FrameMemory memory, int offset, int peerPort) {
        int udp = offset + EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH;
        UdpFlyweight.destinationPort(memory.buffer(), udp, peerPort);
    }

    private static void send(DatagramSocket peer, int port) {
        byte[] payload = new byte[PAYLOAD_BYTES];
        payload[0] = 0x08;
        DatagramPacket packet = new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                for (int i = 0; i < BATCH; i++) {
                    peer.send(packet);
                }
                Thread.sleep(0, 200_000);
            }
        } catch (Exception e) {
            // Interrupted or closed: done.
        }
    }

    private static void drain(DatagramSocket peer) {
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            while (true) {
                peer.receive(packet);
            }
        } catch (Exception e) {
            // Closed: done.
        }
    }
}
