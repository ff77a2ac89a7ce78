package io.softgate.io.udp;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoCounters;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One worker's UDP socket carrying VXLAN, driven by the worker's own thread
 * ({@code io.udp.eventLoop = worker}): the socket sits on a Netty {@link ManualIoEventLoop} owned
 * by the worker, so {@link #receive} runs the loop once without blocking (epoll_wait with a zero
 * timeout, then recvmmsg on epoll) and the channel handler, running on the worker, copies each
 * datagram straight into a frame of the batch being filled; {@link #transmit} writes the batch's
 * datagrams and flushes them on the worker (sendmmsg on epoll; with {@code segmentation}, runs of
 * equal-sized datagrams to one VTEP go as single UDP GSO sends, see {@link GsoCoalescer}). No queue between threads, no
 * wakeups: where the worker and a separate event loop thread share one core, every batch used to
 * cost two wakeups and context switches (see {@link UdpPacketIo} for that mode).
 *
 * <p>Frames have the shape {@link UdpPacketIo} documents. Reads are bounded per call: one
 * readiness pass (one recvmmsg of {@code datagramsPerRead}) plus at most one queued task (Netty's
 * edge-triggered "read more" continuation, one more recvmmsg). Datagrams that do not fit the
 * batch wait in a small holding ring for the next call, which reads nothing new until the ring
 * is empty, so a flood leaves the excess in the socket buffer (the kernel drops it there, counted
 * by the kernel) instead of reading and discarding it.
 *
 * <p>Counting: a send counts its datagrams as transmitted once the kernel has taken it, and as
 * {@code tx-error} drops (one per datagram, a refused GSO run included) when it refused it; see
 * {@link SendLedger}. A send the socket could not take at once waits in the channel and is counted
 * when a later call finds it gone.
 *
 * <p>Lifecycle: {@code open} binds the socket on a throw-away loop and deregisters it; the first
 * {@link #receive} or {@link #transmit} registers it on a loop owned by the calling thread.
 * {@link #onWorkerClose} (called on the worker by {@code Worker.onClose}) closes the socket and
 * stops the loop on that thread; {@link #close} then has nothing left to do. A queue never used
 * by a worker is adopted and closed by the closing thread.
 *
 * <p>Allocation, honestly: per received datagram Netty's epoll transport allocates a
 * {@code DatagramPacket}, the sender's {@code InetSocketAddress} (with its {@code InetAddress})
 * and, for recvmmsg, a slice of the read buffer; per transmitted datagram (per run of joined
 * datagrams with segmentation) this class allocates one {@code DatagramPacket} (payload from the
 * pooled allocator, destination address from a cache).
 * Buffers are allocated and released on the worker, so they recycle through its thread cache.
 *
 * <p>Threading: {@link #receive}, {@link #transmit} and the handler run on the owning worker
 * thread only, never block and take no locks; {@link #onWorkerClose} on the worker;
 * {@link #close} on the control thread after the worker has stopped.
 */
final class WorkerDrivenUdpPacketIo implements PacketIo, UdpQueue {
    /**
     * Task time budget per receive: Netty runs queued tasks until this much time has passed after
     * one, so 1 ns means exactly one task per call (the bound on reads per call above).
     */
    private static final long ONE_TASK_NANOS = 1;
    /** Loop passes allowed while registering or closing (each returns at once when idle). */
    private static final int MAX_DRIVE_PASSES = 10_000;
    /** Linux errno values a refused UDP GSO send fails with (asm-generic/errno*.h). */
    private static final int EIO = 5;
    private static final int EINVAL = 22;
    private static final int EMSGSIZE = 90;
    /**
     * Sends that may wait in the channel uncounted: far more than a batch. When the socket stalls,
     * this or Netty's high-water mark (the send buffer size) stops transmit first, whichever fills
     * first (with segmentation off, 4,096 single datagrams can fit below an 8 MiB mark); either way
     * the excess drops as {@code tx-queue-full}.
     */
    private static final int LEDGER_CAPACITY = 4096;
    /** Room a frame needs in the ledger: the run it may end and the run it may open. */
    private static final int SENDS_PER_FRAME = 2;

    private final String name;
    private final DatagramFrames datagrams;
    private final PacketIoCounters counters = new PacketIoCounters();
    private final IoHandlerFactory ioHandlerFactory;
    private final ByteBufAllocator allocator;
    private final DatagramPacket[] held;
    /** Turns frames into sends: joined GSO runs while segmentation is on, one datagram per send otherwise. */
    private final GsoCoalescer coalescer;
    /** Counts each written send once its outcome is known. */
    private final SendLedger ledger;
    /** Datagrams of this transmit call that the channel refused at once (not sent, counted as lost). */
    private int refusedInTransmit;
    private int segmentationFallbacks;
    private long sends;
    private int heldHead;
    private int heldCount;
    private Channel channel;
    private ManualIoEventLoop loop;
    private volatile boolean closed;
    private volatile boolean stoppedOnWorker;

    // The batch being filled by the current receive call (null outside it).
    private PacketBatch target;
    private FramePool targetPool;
    private int targetPort;
    private int received;
    private long receivedBytes;

    WorkerDrivenUdpPacketIo(String name, FramePool pool, int holdCapacity, long localMac, long peerMac,
                            int localAddress, int maxFrameBytes, IoHandlerFactory ioHandlerFactory,
                            ByteBufAllocator allocator, boolean segmentation) {
        this.name = name;
        this.datagrams = new DatagramFrames(pool.memory(), counters, localMac, peerMac, localAddress, maxFrameBytes);
        this.held = new DatagramPacket[holdCapacity];
        this.ioHandlerFactory = ioHandlerFactory;
        this.allocator = allocator;
        this.coalescer = new GsoCoalescer(datagrams, allocator, this::write, segmentation);
        this.ledger = new SendLedger(counters, LEDGER_CAPACITY);
    }

    /** True while transmit joins datagrams into GSO sends (owning thread; tests and status). */
    boolean segmentation() {
        return coalescer.segmentation();
    }

    /** Send messages written (a GSO run counts once; owning thread; tests). */
    long sends() {
        return sends;
    }

    /** How often a refused GSO send turned segmentation off for this socket (owning thread; tests). */
    int segmentationFallbacks() {
        return segmentationFallbacks;
    }

    /** Called by the backend with the bound, deregistered socket before the queue is handed to its worker. */
    @Override
    public void attach(Channel boundChannel, int boundPort) {
        this.channel = boundChannel;
        datagrams.setLocalPort(boundPort);
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public int maxPayloadBytes() {
        return datagrams.maxPayloadBytes();
    }

    @Override
    public ChannelInboundHandlerAdapter receiveHandler() {
        return new InlineHandler();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PacketIoCounters counters() {
        return counters;
    }

    /** Datagrams read but not yet handed to a batch (owning thread; tests). */
    int heldCount() {
        return heldCount;
    }

    @Override
    public int receive(PacketBatch batch, int port, FramePool pool) {
        if (closed || (loop == null && !adopt())) {
            return 0;
        }
        target = batch;
        targetPool = pool;
        targetPort = port;
        received = 0;
        receivedBytes = 0;
        drainHeld();
        // Read only when everything held fitted: otherwise the batch is full or the pool is empty.
        if (heldCount == 0) {
            loop.runNow(ONE_TASK_NANOS);
        }
        // The pass may have written sends that waited for room in the socket.
        ledger.settle(channel);
        target = null;
        targetPool = null;
        int count = received;
        if (count > 0) {
            counters.addReceived(count, receivedBytes);
        }
        return count;
    }

    private void drainHeld() {
        PacketBatch batch = target;
        while (heldCount > 0 && batch.size() < batch.receiveCapacity()) {
            if (!copyIntoBatch(held[heldHead])) {
                return;
            }
            held[heldHead] = null;
            heldHead = (heldHead + 1) % held.length;
            heldCount--;
        }
    }

    /** Copies {@code packet} into a fresh frame of the target batch and releases it; false (packet kept) without a frame. */
    private boolean copyIntoBatch(DatagramPacket packet) {
        FramePool pool = targetPool;
        int frame = pool.allocate();
        if (frame < 0) {
            counters.addReceiveFrameWait();
            return false;
        }
        FrameMemory memory = pool.memory();
        int start = memory.packetStart(frame);
        int length = datagrams.toFrame(packet, start);
        packet.release();
        if (length < 0) {
            pool.release(frame);
            return true;
        }
        target.add(frame, start, length, targetPort);
        received++;
        receivedBytes += length;
        return true;
    }

    /** Keeps a datagram that did not fit for the next receive; a full ring drops it (counted). */
    private void hold(DatagramPacket packet) {
        if (closed || heldCount == held.length) {
            packet.release();
            counters.drop(IoDropReason.RX_QUEUE_FULL);
            return;
        }
        held[(heldHead + heldCount) % held.length] = packet;
        heldCount++;
    }

    private void releaseHeld() {
        while (heldCount > 0) {
            held[heldHead].release();
            held[heldHead] = null;
            heldHead = (heldHead + 1) % held.length;
            heldCount--;
        }
    }

    @Override
    public int transmit(PacketBatch batch, StageVector slots, FramePool pool) {
        boolean open = !closed && (loop != null || adopt());
        Channel current = channel;
        if (open) {
            ledger.settle(current);
        }
        int sent = 0;
        refusedInTransmit = 0;
        int size = slots.size();
        for (int i = 0; i < size; i++) {
            int slot = slots.slot(i);
            if (!open || !current.isWritable() || !ledger.hasRoom(SENDS_PER_FRAME)) {
                // The socket's send buffer and Netty's high-water mark (or the ledger) are full:
                // drop rather than queue.
                counters.drop(IoDropReason.TX_QUEUE_FULL);
            } else if (coalescer.add(batch.offset[slot], batch.length[slot], size - 1 - i) >= 0) {
                sent++;
            }
            pool.release(batch.frame[slot]);
        }
        coalescer.flush();
        if (sent > 0) {
            // One flush per batch: sendmmsg on epoll; what the socket refuses waits for EPOLLOUT,
            // handled by the next receive's loop pass. Refusals are counted as they come, in the flush.
            current.flush();
            ledger.settle(current);
        }
        // Runs never span transmit calls (flushed above), so every refused datagram is one of this call's.
        return sent - refusedInTransmit;
    }

    /**
     * On the owning thread, Netty writes inline (no task, no wakeup); sent with the batch's flush.
     * Recorded in the ledger unless the channel refused it at once (closed, or a message it cannot take).
     */
    private void write(DatagramPacket message, int sendDatagrams, long frameBytes) {
        sends++;
        if (!ledger.write(channel, message, sendDatagrams, frameBytes)) {
            refusedInTransmit += sendDatagrams;
        }
    }

    private static boolean refusesSegmentation(Throwable cause) {
        if (cause instanceof Errors.NativeIoException error) {
            int errno = -error.expectedErr();
            return errno == EMSGSIZE || errno == EINVAL || errno == EIO;
        }
        return false;
    }

    /**
     * Registers the socket on a loop owned by the calling thread (the worker, at its first call).
     * False when registration failed; the queue is then closed and stays silent.
     */
    private boolean adopt() {
        ManualIoEventLoop owned = new ManualIoEventLoop(Thread.currentThread(), ioHandlerFactory);
        loop = owned;
        owned.runNow();
        @SuppressWarnings("deprecation")
        Future<?> registered = owned.register(channel);
        drive(owned, registered);
        if (!registered.isSuccess()) {
            counters.drop(IoDropReason.RX_ERROR);
            closeOnLoop();
            return false;
        }
        return true;
    }

    private static void drive(ManualIoEventLoop owned, Future<?> future) {
        for (int pass = 0; pass < MAX_DRIVE_PASSES && !future.isDone(); pass++) {
            owned.runNow();
        }
    }

    /** Worker thread, once, as it stops: closes the socket and stops the loop while this thread may still drive it. */
    @Override
    public void onWorkerClose() {
        if (loop != null && loop.inEventLoop()) {
            closeOnLoop();
            stoppedOnWorker = true;
        }
    }

    /**
     * Closes the socket on the loop's owning thread, releases what Netty and the holding ring still
     * hold (queued writes are released by the close; each is reported failed, oldest first, and
     * counted as lost) and stops the loop.
     */
    private void closeOnLoop() {
        if (channel.isOpen()) {
            ledger.settle(channel);
        }
        closed = true;
        ManualIoEventLoop owned = loop;
        if (channel.isOpen()) {
            drive(owned, channel.close());
        }
        releaseHeld();
        Future<?> terminated = owned.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS);
        drive(owned, terminated);
    }

    /**
     * Releases the socket and everything held. After {@link #onWorkerClose} there is nothing left;
     * a queue no worker adopted is adopted and closed here. Idempotent.
     */
    @Override
    public void close() {
        if (stoppedOnWorker || channel == null) {
            closed = true;
            return;
        }
        if (loop == null) {
            if (closed) {
                return;
            }
            adopt();
        }
        if (loop.inEventLoop()) {
            if (!loop.isTerminated()) {
                closeOnLoop();
            }
            return;
        }
        // The owning worker stopped without onWorkerClose (a caller outside Worker): its loop can
        // no longer run, so close the descriptor directly; the loop's own descriptors stay open.
        // What the channel finished counts as sent; what it still holds never leaves: lost.
        if (ledger.unsettled() > 0) {
            ledger.settle(channel);
            while (ledger.failOldest() > 0) {
                // each call counts the oldest unsettled send's datagrams as tx-error
            }
        }
        closed = true;
        if (channel instanceof UnixChannel unix) {
            try {
                unix.fd().close();
            } catch (IOException e) {
                // Already closed: nothing left to release.
            }
        } else {
            channel.unsafe().closeForcibly();
        }
        releaseHeld();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Runs on the owning worker (inside {@link #receive}'s loop pass): copies each datagram into the
     * batch being filled, or holds it when the batch is full or the pool empty.
     *
     * <p>Threading: the owning worker thread only.
     */
    private final class InlineHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (!(message instanceof DatagramPacket)) {
                ReferenceCountUtil.release(message);
                return;
            }
            DatagramPacket packet = (DatagramPacket) message;
            PacketBatch batch = target;
            if (batch != null && heldCount == 0 && batch.size() < batch.receiveCapacity() && copyIntoBatch(packet)) {
                return;
            }
            hold(packet);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // With void promises, failed sends surface here, one report per refused send (which may
            // have carried a run of datagrams); reads of an unconnected UDP socket do not fail.
            ledger.failureReported(ctx.channel(), closed || !ctx.channel().isOpen());
            if (coalescer.segmentation() && refusesSegmentation(cause)) {
                // EMSGSIZE / EINVAL: a segment over the route's MTU (a single datagram would be
                // fragmented instead); EIO: a device without checksum offload. This route cannot
                // take GSO sends: send one datagram per send from now on.
                coalescer.stopSegmentation();
                segmentationFallbacks++;
            }
        }
    }
}
