package io.softgate.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link PacketIo} backend keeps, re-run per backend by a tiny subclass that
 * supplies a {@link Harness} (how a peer delivers frames to the queue and sees what it
 * transmits): bursts larger than a batch in both directions, frames back in the pool, MTU limits
 * counted rather than truncated, queues that wrap many times, and shutdown without leaking frames
 * or file descriptors. A backend that cannot run here is skipped with its unavailability cause.
 *
 * <p>Threading: JUnit runs each test on one thread, which plays the worker.
 */
public abstract class PacketIoConformanceSuite {
    /** Ring / hand-over queue capacity subclasses must configure. */
    public static final int QUEUE_CAPACITY = 128;
    /** Largest frame (outer Ethernet included) subclasses must configure. */
    public static final int MAX_FRAME_BYTES = 1500;
    /** Batch capacity the suite's worker uses. */
    public static final int BATCH = 32;
    private static final int FRAMES = 512;
    private static final long ASYNC_TIMEOUT_MS = 10_000;

    /** How the suite drives one backend. */
    public interface Harness extends AutoCloseable {
        /** The backend under test, configured with {@link #QUEUE_CAPACITY} and {@link #MAX_FRAME_BYTES}. */
        PacketIoBackend backend();

        /** Addresses the suite's frames use; the queue under test is "local". */
        Endpoints endpoints();

        /** Makes {@code frame} arrive at worker 0's queue, as the peer would send it; called after open. */
        void deliver(byte[] frame) throws Exception;

        /** The next frame the peer saw from the queue (in {@link #wireImage} form), or null after {@code timeoutMs}. */
        byte[] collect(long timeoutMs) throws Exception;

        /** What the peer sees when the queue transmits {@code frame}; by default the frame itself. */
        default byte[] wireImage(byte[] frame) {
            return frame;
        }

        /** True when delivered frames arrive some time later (a socket), false when at once. */
        default boolean asynchronous() {
            return false;
        }

        @Override
        void close() throws Exception;
    }

    /** Creates the harness; {@code directory} is a fresh temporary directory for files. */
    protected abstract Harness createHarness(Path directory) throws Exception;

    @TempDir
    Path directory;

    private FrameMemory memory;
    private FramePool pool;
    private PacketBatch batch;
    private Harness harness;
    private PacketIo io;

    @BeforeEach
    void openHarness() throws Exception {
        memory = new FrameMemory(FRAMES);
        pool = new FramePool(memory);
        batch = new PacketBatch(memory, BATCH);
        harness = createHarness(directory);
        PacketIoBackend backend = harness.backend();
        Assumptions.assumeTrue(backend.isAvailable(),
            () -> "backend " + backend.name() + " unavailable: " + backend.unavailabilityCause());
    }

    @AfterEach
    void closeHarness() throws Exception {
        if (io != null) {
            io.close();
        }
        if (harness != null) {
            harness.backend().close();
            harness.close();
        }
    }

    private PacketIo open() throws IOException {
        io = harness.backend().open(0, 1, pool);
        return io;
    }

    @Test
    void shouldReceiveBurstLargerThanOneBatchInOrder() throws Exception {
        open();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 3 * BATCH + 5; i++) {
            byte[] frame = ConformanceFrames.inbound(harness.endpoints(), i, ConformanceFrames.MIN_LENGTH + i * 7);
            sent.add(frame);
            harness.deliver(frame);
        }

        List<byte[]> received = receive(sent.size());

        assertFramesEqual(sent, received);
        assertEquals(sent.size(), io.counters().receivedPackets());
        assertEquals(0, io.counters().totalDrops(), () -> io.counters().toString());
    }

    @Test
    void shouldNeverFillMoreThanTheBatchHasRoomFor() throws Exception {
        open();
        for (int i = 0; i < 2 * BATCH; i++) {
            harness.deliver(ConformanceFrames.inbound(harness.endpoints(), i, 100));
        }
        awaitDeliveries(2 * BATCH);
        batch.clear();
        int first = BATCH - 3;
        for (int i = 0; i < first; i++) {
            int frame = pool.allocate();
            batch.add(frame, memory.packetStart(frame), 0, 0);
        }

        int added = io.receive(batch, 0, pool);

        assertTrue(added <= 3, "added " + added + " to a batch with room for 3");
        assertTrue(batch.size() <= BATCH);
        releaseBatch();
        receive(2 * BATCH - added);
    }

    @Test
    void shouldTransmitBurstLargerThanOneBatchInOrder() throws Exception {
        open();
        List<byte[]> expected = new ArrayList<>();
        int sequence = 0;
        for (int round = 0; round < 3; round++) {
            StageVector slots = new StageVector(BATCH);
            batch.clear();
            for (int i = 0; i < BATCH; i++) {
                byte[] frame = ConformanceFrames.outbound(harness.endpoints(), sequence,
                    ConformanceFrames.MIN_LENGTH + sequence * 5);
                sequence++;
                expected.add(harness.wireImage(frame));
                slots.add(addToBatch(frame));
            }
            assertEquals(BATCH, io.transmit(batch, slots, pool));
        }

        List<byte[]> collected = collect(expected.size());

        assertFramesEqual(expected, collected);
        awaitTransmitted(expected.size());
        assertEquals(expected.size(), io.counters().transmittedPackets());
        io.close();
        assertEquals(FRAMES, pool.available(), "frames back in the pool after close");
    }

    @Test
    void shouldReturnEveryFrameToThePoolAfterEchoingAndClosing() throws Exception {
        open();
        for (int i = 0; i < 2 * BATCH; i++) {
            harness.deliver(ConformanceFrames.inbound(harness.endpoints(), i, 200));
        }
        int echoed = 0;
        long deadline = System.currentTimeMillis() + ASYNC_TIMEOUT_MS;
        while (echoed < 2 * BATCH && System.currentTimeMillis() < deadline) {
            batch.clear();
            int received = io.receive(batch, 0, pool);
            StageVector slots = new StageVector(BATCH);
            for (int slot = 0; slot < received; slot++) {
                // Answer in the received frame itself (addressed back to the peer, not to us).
                byte[] reply = ConformanceFrames.outbound(harness.endpoints(), echoed + slot, 200);
                memory.buffer().putBytes(batch.offset[slot], reply);
                batch.length[slot] = reply.length;
                slots.add(slot);
            }
            if (received > 0) {
                io.transmit(batch, slots, pool);
            }
            echoed += received;
        }
        assertEquals(2 * BATCH, echoed);
        assertEquals(2 * BATCH, collect(2 * BATCH).size());

        io.close();
        assertEquals(FRAMES, pool.available());
    }

    @Test
    void shouldReceiveFrameOfExactlyTheMaximumSize() throws Exception {
        open();
        byte[] largest = ConformanceFrames.inbound(harness.endpoints(), 1, MAX_FRAME_BYTES);
        harness.deliver(largest);

        assertFramesEqual(List.of(largest), receive(1));
    }

    @Test
    void shouldCountOversizeReceivedFrameInsteadOfTruncatingIt() throws Exception {
        open();
        byte[] oversize = ConformanceFrames.inbound(harness.endpoints(), 1, MAX_FRAME_BYTES + 1);
        byte[] normal = ConformanceFrames.inbound(harness.endpoints(), 2, 100);
        harness.deliver(oversize);
        harness.deliver(normal);

        List<byte[]> received = receive(1);

        assertFramesEqual(List.of(normal), received);
        assertEquals(1, io.counters().drops(IoDropReason.RX_OVERSIZE));
    }

    @Test
    void shouldCountOversizeTransmittedFrameAndReleaseIt() throws Exception {
        open();
        batch.clear();
        StageVector slots = new StageVector(BATCH);
        slots.add(addToBatch(ConformanceFrames.outbound(harness.endpoints(), 1, MAX_FRAME_BYTES + 1)));
        byte[] normal = ConformanceFrames.outbound(harness.endpoints(), 2, 100);
        slots.add(addToBatch(normal));

        assertEquals(1, io.transmit(batch, slots, pool));

        assertFramesEqual(List.of(harness.wireImage(normal)), collect(1));
        assertEquals(1, io.counters().drops(IoDropReason.TX_OVERSIZE));
        io.close();
        assertEquals(FRAMES, pool.available());
    }

    @Test
    void shouldWrapAroundItsQueuesWithManyMorePacketsThanTheirCapacity() throws Exception {
        open();
        int perRound = QUEUE_CAPACITY * 3 / 4;
        int sequence = 0;
        for (int round = 0; round < 20; round++) {
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < perRound; i++) {
                byte[] frame = ConformanceFrames.inbound(harness.endpoints(), sequence++, 64 + (i % 50) * 20);
                sent.add(frame);
                harness.deliver(frame);
            }
            assertFramesEqual(sent, receive(perRound));

            List<byte[]> expected = new ArrayList<>();
            batch.clear();
            StageVector slots = new StageVector(BATCH);
            for (int i = 0; i < BATCH; i++) {
                byte[] frame = ConformanceFrames.outbound(harness.endpoints(), sequence++, 80 + i);
                expected.add(harness.wireImage(frame));
                slots.add(addToBatch(frame));
            }
            io.transmit(batch, slots, pool);
            assertFramesEqual(expected, collect(BATCH));
        }
        assertEquals(0, io.counters().totalDrops(), () -> io.counters().toString());
        // A backend may keep frames posted for receive while open (AF_XDP's fill ring): count at close.
        io.close();
        assertEquals(FRAMES, pool.available(), "frames back in the pool after close");
    }

    @Test
    void shouldCloseWithoutLeakingFramesOrFileDescriptors() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "no /proc/self/fd to count descriptors");
        // A first open/close loads classes and native libraries, which keep their descriptors.
        harness.backend().open(0, 1, pool).close();
        long descriptorsBefore = openFileDescriptors();

        for (int cycle = 0; cycle < 3; cycle++) {
            PacketIo queue = harness.backend().open(0, 1, pool);
            io = queue;
            for (int i = 0; i < BATCH; i++) {
                harness.deliver(ConformanceFrames.inbound(harness.endpoints(), i, 120));
            }
            receiveSome(queue, BATCH / 2);
            // The rest stays queued inside the backend: close must release it.
            queue.close();
            io = null;
            assertEquals(FRAMES, pool.available(), "frames back in the pool after close, cycle " + cycle);
        }
        harness.backend().close();

        assertTrue(openFileDescriptors() <= descriptorsBefore,
            "file descriptors before: " + descriptorsBefore + ", after: " + openFileDescriptors());
    }

    private int addToBatch(byte[] frame) {
        int index = pool.allocate();
        assertTrue(index >= 0, "pool exhausted");
        int start = memory.packetStart(index);
        memory.buffer().putBytes(start, frame);
        return batch.add(index, start, frame.length, 0);
    }

    private void releaseBatch() {
        for (int slot = 0; slot < batch.size(); slot++) {
            pool.release(batch.frame[slot]);
        }
        batch.clear();
    }

    /** Receives until {@code count} frames have arrived (bounded wait for asynchronous backends), copying them out. */
    private List<byte[]> receive(int count) {
        List<byte[]> received = new ArrayList<>();
        long deadline = System.currentTimeMillis() + ASYNC_TIMEOUT_MS;
        int idlePolls = 0;
        while (received.size() < count) {
            batch.clear();
            int added = io.receive(batch, 0, pool);
            assertTrue(added <= BATCH, "receive added more than the batch holds");
            for (int slot = 0; slot < added; slot++) {
                byte[] copy = new byte[batch.length[slot]];
                batch.buffer().getBytes(batch.offset[slot], copy);
                received.add(copy);
            }
            releaseBatch();
            if (added == 0) {
                idlePolls++;
                boolean expired = harness.asynchronous() ? System.currentTimeMillis() > deadline : idlePolls > 3;
                if (expired) {
                    break;
                }
                Thread.onSpinWait();
            }
        }
        assertEquals(count, received.size(), () -> "frames received; counters: " + io.counters());
        return received;
    }

    /** Receives at least one frame into a batch of {@code capacity} slots and releases them. */
    private void receiveSome(PacketIo queue, int capacity) {
        PacketBatch small = new PacketBatch(memory, capacity);
        long deadline = System.currentTimeMillis() + ASYNC_TIMEOUT_MS;
        int received = 0;
        while (received == 0 && System.currentTimeMillis() < deadline) {
            received = queue.receive(small, 0, pool);
        }
        assertTrue(received > 0, "nothing received before closing");
        for (int slot = 0; slot < small.size(); slot++) {
            pool.release(small.frame[slot]);
        }
    }

    /**
     * Waits (bounded) until the queue has counted {@code count} packets as transmitted: a backend
     * that counts a send on another thread once the kernel took it may count just after the peer
     * received it (asynchronous backends only).
     */
    private void awaitTransmitted(long count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ASYNC_TIMEOUT_MS;
        while (harness.asynchronous() && io.counters().transmittedPackets() < count
            && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
    }

    /** Waits until the queue can have seen {@code count} deliveries (asynchronous backends only). */
    private void awaitDeliveries(int count) throws InterruptedException {
        if (harness.asynchronous()) {
            Thread.sleep(200);
        }
    }

    private List<byte[]> collect(int count) throws Exception {
        List<byte[]> collected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] frame = harness.collect(ASYNC_TIMEOUT_MS);
            assertNotNull(frame, () -> "frame " + collected.size() + " of " + count + " never reached the peer; counters: "
                + io.counters());
            collected.add(frame);
        }
        return collected;
    }

    private static void assertFramesEqual(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "frame count");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "frame " + i);
        }
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }
}
