package io.softgate.core.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIoCounters;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CounterRegistryIoTest {
    @Test
    void shouldSumEveryQueuesPacketsBytesAndDropsUnderIoNames() {
        CounterRegistry registry = new CounterRegistry();
        PacketIoCounters first = new PacketIoCounters();
        PacketIoCounters second = new PacketIoCounters();
        registry.addQueue(first);
        registry.addQueue(second);
        first.addReceived(3, 300);
        second.addReceived(2, 120);
        second.addTransmitted(4, 256);
        first.addReceiveFrameWait();
        second.addReceiveFrameWait();
        first.drop(IoDropReason.RX_QUEUE_FULL, 5);
        second.drop(IoDropReason.TX_ERROR);

        Map<String, Long> totals = registry.totals();
        assertEquals(5, totals.get("io.rx-packets"));
        assertEquals(420, totals.get("io.rx-bytes"));
        assertEquals(4, totals.get("io.tx-packets"));
        assertEquals(256, totals.get("io.tx-bytes"));
        assertEquals(2, totals.get("io.rx-frame-waits"));
        assertEquals(5, totals.get("io.drop.rx-queue-full"));
        assertEquals(1, totals.get("io.drop.tx-error"));
        assertEquals(0, totals.get("io.drop.no-free-frame"), "every reason is listed, zeros too");
        assertEquals(5, registry.total("io.drop.rx-queue-full"));
        assertEquals(0, registry.total("io.drop.no-such-reason"));
    }

    @Test
    void shouldCountAQueueAddedTwiceOnce() {
        CounterRegistry registry = new CounterRegistry();
        PacketIoCounters queue = new PacketIoCounters();
        registry.addQueue(queue);
        registry.addQueue(queue);
        queue.addReceived(1, 64);
        assertEquals(1, registry.total("io.rx-packets"));
    }

    @Test
    void shouldListNoIoCountersWithoutQueues() {
        CounterRegistry registry = new CounterRegistry();
        assertFalse(registry.totals().keySet().stream().anyMatch(name -> name.startsWith("io.")));
    }
}
