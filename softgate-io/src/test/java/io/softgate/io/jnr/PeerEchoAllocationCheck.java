package io.softgate.io.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.core.testkit.AllocationProbe;
import java.io.IOException;

/**
 * Steady-state allocation check for a native queue: in each round a peer sends a burst of
 * frames, the queue receives what arrived and transmits it all back; after warm-up rounds the
 * measured rounds must allocate nothing per packet (the peer's sends are inside the
 * measurement and allocate nothing either).
 *
 * <p>Threading: the test thread only.
 */
public final class PeerEchoAllocationCheck {
    private static final int FRAMES_PER_ROUND = 16;

    private PeerEchoAllocationCheck() {
    }

    /** Runs {@code warmRounds} then measures {@code measuredRounds}; fails if any byte per packet was allocated. */
    public static void assertNoAllocationPerPacket(PacketIo io, PacketSocket peer, byte[] frame, PacketBatch batch,
            FramePool pool, int warmRounds, int measuredRounds) throws IOException {
        StageVector slots = new StageVector(batch.capacity());
        for (int i = 0; i < warmRounds; i++) {
            round(io, peer, frame, batch, pool, slots);
        }
        long received = 0;
        AllocationProbe.allocatedBytes();
        long before = AllocationProbe.allocatedBytes();
        for (int i = 0; i < measuredRounds; i++) {
            received += round(io, peer, frame, batch, pool, slots);
        }
        long allocated = AllocationProbe.allocatedBytes() - before;

        assertTrue(received > 0, "nothing received: " + io.counters());
        // Per packet, rounded down: the probe's own first readings may cost a few dozen bytes once.
        assertEquals(0, allocated / received, "bytes allocated per packet (" + allocated + " in total)");
    }

    private static int round(PacketIo io, PacketSocket peer, byte[] frame, PacketBatch batch, FramePool pool,
            StageVector slots) throws IOException {
        for (int i = 0; i < FRAMES_PER_ROUND; i++) {
            peer.send(frame);
        }
        batch.clear();
        slots.clear();
        int added = io.receive(batch, 0, pool);
        for (int slot = 0; slot < added; slot++) {
            slots.add(slot);
        }
        io.transmit(batch, slots, pool);
        return added;
    }
}
