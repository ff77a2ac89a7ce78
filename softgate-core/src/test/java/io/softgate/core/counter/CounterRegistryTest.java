package io.softgate.core.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.softgate.core.io.IoDropReason;
import io.softgate.core.io.PacketIoCounters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CounterRegistryTest {
    private static WorkerCounters worker(String name, long value) {
        CounterLayout layout = new CounterLayout();
        layout.registerAll(List.of(name));
        layout.freeze();
        WorkerCounters counters = new WorkerCounters(layout);
        counters.add(0, value);
        return counters;
    }

    @Test
    void shouldSumEachIoDropReasonOverThePortsUnderItsIoDropName() {
        CounterRegistry registry = new CounterRegistry();
        PacketIoCounters first = new PacketIoCounters();
        PacketIoCounters second = new PacketIoCounters();
        registry.addPort(first);
        registry.addPort(second);
        first.drop(IoDropReason.NO_FREE_FRAME);
        second.drop(IoDropReason.NO_FREE_FRAME, 2);
        second.drop(IoDropReason.TX_ERROR);

        assertEquals(3, registry.total("io.drop.no-free-frame"));
        assertEquals(1, registry.total("io.drop.tx-error"));
        assertEquals(0, registry.total("io.drop.rx-queue-full"));
        Map<String, Long> totals = registry.totals();
        assertEquals(3L, totals.get("io.drop.no-free-frame"));
        assertEquals(1L, totals.get("io.drop.tx-error"));
        for (IoDropReason reason : IoDropReason.values()) {
            assertEquals(registry.total("io.drop." + reason.label()), totals.get("io.drop." + reason.label()),
                reason.label());
        }
    }

    @Test
    void shouldSumWorkerCountersByNameAndListNoIoDropsWithoutPorts() {
        CounterRegistry registry = new CounterRegistry();
        registry.add(worker("stage.drop.reason", 4));
        registry.add(worker("stage.drop.reason", 5));

        assertEquals(9, registry.total("stage.drop.reason"));
        assertEquals(Map.of("stage.drop.reason", 9L), registry.totals());
        assertFalse(registry.totals().containsKey("io.drop.tx-error"));
    }
}
