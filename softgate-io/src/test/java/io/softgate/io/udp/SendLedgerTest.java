package io.softgate.io.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIoCounters;
import io.softgate.core.testkit.AllocationProbe;
import org.junit.jupiter.api.Test;

/** The UDP queues' send accounting (both event-loop modes): what the channel has finished counts, refused runs per datagram. */
class SendLedgerTest {
    private final PacketIoCounters counters = new PacketIoCounters();
    private final SendLedger ledger = new SendLedger(counters, 8);

    @Test
    void shouldCountNothingWhileTheChannelStillHoldsTheSends() {
        ledger.record(3, 300);
        ledger.record(1, 100);

        ledger.settle(2);

        assertEquals(0, counters.transmittedPackets());
        assertEquals(2, ledger.unsettled());
    }

    @Test
    void shouldCountFinishedSendsAsTransmittedDatagramsAndBytes() {
        ledger.record(3, 300);
        ledger.record(1, 100);
        ledger.record(2, 200);

        ledger.settle(1);

        assertEquals(4, counters.transmittedPackets());
        assertEquals(400, counters.transmittedBytes());
        assertEquals(1, ledger.unsettled());
    }

    @Test
    void shouldCountEveryDatagramOfAFailedRunAsLostAndTheSendsBeforeItAsTransmitted() {
        ledger.record(1, 100);
        ledger.record(5, 500);
        ledger.record(2, 200);

        // The run of 5 failed; the channel still holds the last send.
        int lost = ledger.fail(1);

        assertEquals(5, lost);
        assertEquals(5, counters.drops(IoDropReason.TX_ERROR));
        assertEquals(1, counters.transmittedPackets());
        assertEquals(100, counters.transmittedBytes());
        ledger.settle(0);
        assertEquals(3, counters.transmittedPackets());
        assertEquals(300, counters.transmittedBytes());
    }

    @Test
    void shouldNotAttributeAFailureWhenNoSendFinishedSinceTheLastSettlement() {
        ledger.record(4, 400);
        ledger.settle(0);

        assertEquals(0, ledger.fail(0));
        assertEquals(0, counters.drops(IoDropReason.TX_ERROR));
        assertEquals(4, counters.transmittedPackets());
    }

    @Test
    void shouldFailTheOldestUnsettledSendWhenTheChannelCloses() {
        ledger.record(2, 200);
        ledger.record(3, 300);

        assertEquals(2, ledger.failOldest());
        assertEquals(3, ledger.failOldest());
        assertEquals(0, ledger.failOldest());
        assertEquals(5, counters.drops(IoDropReason.TX_ERROR));
        assertEquals(0, counters.transmittedPackets());
    }

    @Test
    void shouldReuseTheRingOnceSendsAreSettled() {
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 8; i++) {
                ledger.record(1, 10);
            }
            assertFalse(ledger.hasRoom(1));
            ledger.settle(0);
            assertTrue(ledger.hasRoom(8));
        }

        assertEquals(40, counters.transmittedPackets());
        assertEquals(400, counters.transmittedBytes());
    }

    @Test
    void shouldAllocateNothingRecordingSettlingAndFailingSendsOnceWarm() {
        SendLedger sized = new SendLedger(counters, 64);
        int batches = 40_000;

        long bytesPerBatch = AllocationProbe.bytesPerRun(() -> {
            for (int i = 0; i < 32; i++) {
                sized.record(1, 100);
            }
            // The 16th send of the batch failed; the channel still holds the 16 after it.
            sized.fail(16);
            sized.settle(0);
        }, 10_000, batches - 10_000);

        assertEquals(0, bytesPerBatch, "bytes allocated per batch of 32 sends");
        assertEquals(batches * 31L, counters.transmittedPackets());
        assertEquals(batches * 3_100L, counters.transmittedBytes());
        assertEquals(batches, counters.drops(IoDropReason.TX_ERROR));
    }

    @Test
    void shouldSizeTheSeparateLoopsLedgerForEverySendAWritableChannelMayHold() {
        int highWaterMark = 8 << 20;
        int capacity = UdpPacketIo.ledgerCapacity(highWaterMark, 4096);
        assertEquals(1, Integer.bitCount(capacity), "a power of two");
        // Each send adds at least Netty's 96-byte entry overhead: a channel still writable holds fewer.
        assertTrue((long) capacity * 96 > highWaterMark, "capacity " + capacity);
        assertEquals(64, UdpPacketIo.ledgerCapacity(0, 64), "never below the hand-over queue");
        assertEquals(2, UdpPacketIo.ledgerCapacity(0, 1), "a ring of at least two");
    }
}
