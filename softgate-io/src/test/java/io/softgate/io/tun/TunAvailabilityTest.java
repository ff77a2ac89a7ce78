package io.softgate.io.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import org.junit.jupiter.api.Test;

/** How the TUN backend reports that it cannot run, and refuses to. */
class TunAvailabilityTest {
    private final TunPacketIoBackend missing = TunPacketIoBackend.builder().deviceName("sgnone0")
        .cloneDevice("/nonexistent/net/tun").build();

    @Test
    void shouldReportMissingCloneDeviceAsTheCause() {
        assertFalse(missing.isAvailable());
        assertTrue(missing.unavailabilityCause().getMessage().contains("/nonexistent/net/tun does not exist"),
            missing.unavailabilityCause().getMessage());
    }

    @Test
    void shouldRefuseWithOneClearMessageWhenConfigurationDemandsIt() {
        IllegalStateException refusal = assertThrows(IllegalStateException.class, missing::ensureAvailable);

        assertEquals("packet I/O backend 'tun' is unavailable: /nonexistent/net/tun does not exist"
            + " (no tun module, or not visible in this container)", refusal.getMessage());
        assertThrows(IllegalStateException.class, () -> missing.open(0, 1, new FramePool(new FrameMemory(8))));
    }
}
