package io.softgate.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.testkit.AllocationProbe;
import org.junit.jupiter.api.Test;

class PacketBatchTest {
    private static final int CAPACITY = 8;

    @Test
    void shouldHandOutResetMetadataFromAFreshBatch() {
        PacketBatch batch = new PacketBatch(new FrameMemory(CAPACITY), CAPACITY);

        for (int i = 0; i < CAPACITY; i++) {
            int slot = batch.add(i, 100 * i, 60 + i, 3);
            assertSlot(batch, slot, i, 100 * i, 60 + i, 3);
        }
        assertEquals(CAPACITY, batch.size());
    }

    @Test
    void shouldResetEveryFieldAStageSetWhenTheBatchIsClearedAndRefilled() {
        PacketBatch batch = new PacketBatch(new FrameMemory(CAPACITY), CAPACITY);
        for (int round = 0; round < 3; round++) {
            // A partly filled batch, then a full one: clear resets exactly the slots used before.
            int fill = round == 0 ? CAPACITY / 2 : CAPACITY;
            for (int i = 0; i < fill; i++) {
                int slot = batch.add(i, 64 * i, 90, 1);
                assertSlot(batch, slot, i, 64 * i, 90, 1);
                scribble(batch, slot);
            }
            batch.clear();
            assertEquals(0, batch.size());
        }
        for (int i = 0; i < CAPACITY; i++) {
            int slot = batch.add(7, 8, 9, 2);
            assertSlot(batch, slot, 7, 8, 9, 2);
        }
    }

    @Test
    void shouldNotAllocateWhenClearingAndRefilling() {
        PacketBatch batch = new PacketBatch(new FrameMemory(CAPACITY), CAPACITY);
        Runnable refill = () -> {
            batch.clear();
            for (int i = 0; i < CAPACITY; i++) {
                scribble(batch, batch.add(i, 0, 60, 0));
            }
        };

        assertEquals(0, AllocationProbe.bytesPerRun(refill, 20_000, 10_000));
    }

    /** What stages write into a slot's metadata. */
    private static void scribble(PacketBatch batch, int slot) {
        batch.egressPort[slot] = 4;
        batch.vni[slot] = 5001;
        batch.vrf[slot] = 2;
        batch.l3Offset[slot] = 14;
        batch.l4Offset[slot] = 34;
        batch.flowHash[slot] = 0x5EED;
        batch.adjacency[slot] = 9;
        batch.flags[slot] = PacketFlags.FROM_OUTSIDE;
        batch.aux[slot] = 77L;
    }

    private static void assertSlot(PacketBatch batch, int slot, int frame, int offset, int length, int port) {
        assertEquals(frame, batch.frame[slot]);
        assertEquals(offset, batch.offset[slot]);
        assertEquals(length, batch.length[slot]);
        assertEquals(port, batch.ingressPort[slot]);
        assertEquals(PacketBatch.UNSET, batch.egressPort[slot], "egressPort");
        assertEquals(PacketBatch.UNSET, batch.vni[slot], "vni");
        assertEquals(PacketBatch.UNSET, batch.vrf[slot], "vrf");
        assertEquals(PacketBatch.UNSET, batch.l3Offset[slot], "l3Offset");
        assertEquals(PacketBatch.UNSET, batch.l4Offset[slot], "l4Offset");
        assertEquals(0, batch.flowHash[slot], "flowHash");
        assertEquals(PacketBatch.UNSET, batch.adjacency[slot], "adjacency");
        assertEquals(0, batch.flags[slot], "flags");
        assertEquals(0L, batch.aux[slot], "aux");
    }
}
