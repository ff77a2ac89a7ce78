package io.softgate.nat.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NatEventsTest {
    @Test
    void shouldNameEachResourceRefusalsAnsweredEventAfterItsDropReason() {
        Set<Integer> ids = new HashSet<>();
        for (NatDropReason reason : NatDropReason.values()) {
            if (reason.isResourceRefusal()) {
                int id = NatEvents.refusedWithIcmp(reason);
                assertEquals("refused-with-icmp." + reason.label(), NatEvents.NAMES.get(id));
                ids.add(id);
            } else {
                assertThrows(IllegalArgumentException.class, () -> NatEvents.refusedWithIcmp(reason));
            }
        }
        assertEquals(4, ids.size(), "one event per resource refusal");
    }
}
