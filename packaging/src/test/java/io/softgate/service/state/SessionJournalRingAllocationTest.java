package io.softgate.service.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.testkit.AllocationProbe;
import io.softgate.nat.session.SessionKeys;
import org.junit.jupiter.api.Test;

/** The journal is called by workers: appending records must not allocate, full ring or not. */
class SessionJournalRingAllocationTest {
    @Test
    void shouldNotAllocateWhenWorkersJournalSessions() {
        SessionJournalRing ring = new SessionJournalRing(1 << 16);
        long inside0 = SessionKeys.word0(SessionKeys.TAG_INSIDE, 17, 1, 1000, 53);
        long[] round = {0};
        Runnable work = () -> {
            long i = round[0]++;
            ring.sessionCreated(inside0, i, 2, 3, 4, 5, 6, 7, 8);
            ring.sessionRefreshed(inside0, i, 3, 9);
            ring.sessionDeleted(inside0, i);
            // Drained every 64 runs, so some runs also meet a full ring (counted, no allocation).
            if ((i & 63) == 0) {
                ring.ring().read((type, buffer, index, length) -> { }, Integer.MAX_VALUE);
            }
        };
        assertEquals(0, AllocationProbe.bytesPerRun(work, 20_000, 10_000));
    }

    @Test
    void shouldNotAllocateWhenTheNatCreatesSessionsWithTheJournalInstalled() {
        SessionJournalRing ring = new SessionJournalRing(1 << 22);
        try (NatWorld world = new NatWorld(1 << 17)) {
            world.nat.journal(ring);
            byte[][] packets = new byte[64][];
            for (int i = 0; i < packets.length; i++) {
                packets[i] = NatWorld.udp("10.1.1." + (i + 2), 1024, "203.0.113.10", 53);
            }
            int[] round = {0};
            java.util.function.IntConsumer presets = slot -> {
                world.in2out.batch().l3Offset[slot] = world.in2out.batch().offset[slot] + 14;
                world.in2out.batch().l4Offset[slot] = -1;
                world.in2out.batch().vrf[slot] = NatWorld.BLUE_VRF;
            };
            Runnable work = () -> {
                // Every run a new (address, port): a new session, mapping and journal record.
                int run = round[0]++;
                byte[] packet = packets[run % packets.length];
                int port = 1024 + run / packets.length;
                packet[34] = (byte) (port >>> 8);
                packet[35] = (byte) port;
                world.in2out.nowNs(System.nanoTime());
                // Loaded by index: StageHarness.load's for-each would allocate an iterator.
                io.softgate.core.pipeline.PacketBatch slots = world.in2out.batch();
                slots.clear();
                int frame = world.in2out.pool().allocate();
                int start = slots.memory().packetStart(frame);
                slots.buffer().putBytes(start, packet);
                presets.accept(slots.add(frame, start, packet.length, 0));
                world.in2out.processLoaded();
                world.in2out.releaseAll();
            };
            long bytes = AllocationProbe.bytesPerRun(work, 20_000, 20_000);
            assertEquals(40_000, world.nat.sessions().sessionCount(), "every run created a session");
            assertEquals(0, ring.droppedRecords(), "the ring was big enough");
            assertEquals(0, bytes);
        }
    }
}
