package io.softgate.io.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.io.jnr.Capabilities;
import org.junit.jupiter.api.Test;

/** How the AF_XDP backend reports that it cannot run, and refuses to. */
class XdpAvailabilityTest {
    private static XdpPacketIoBackend withCapabilities(int... held) {
        return XdpPacketIoBackend.builder().interfaceName("eth9").vtepAddress("192.0.2.1")
            .capabilityCheck(capability -> {
                for (int h : held) {
                    if (h == capability) {
                        return true;
                    }
                }
                return false;
            })
            .build();
    }

    @Test
    void shouldNameEveryMissingCapability() {
        XdpPacketIoBackend backend = withCapabilities(Capabilities.CAP_NET_RAW);

        assertFalse(backend.isAvailable());
        assertEquals("the process lacks CAP_NET_ADMIN CAP_BPF (AF_XDP needs CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF and,"
            + " for large UMEMs, CAP_IPC_LOCK)", backend.unavailabilityCause().getMessage());
    }

    @Test
    void shouldAcceptSysAdminInsteadOfBpf() {
        XdpPacketIoBackend backend = withCapabilities(Capabilities.CAP_NET_RAW, Capabilities.CAP_SYS_ADMIN);

        assertEquals("the process lacks CAP_NET_ADMIN (AF_XDP needs CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF and, for large"
            + " UMEMs, CAP_IPC_LOCK)", backend.unavailabilityCause().getMessage());
    }

    @Test
    void shouldRefuseToStartWithTheCauseWhenConfigurationDemandsIt() {
        XdpPacketIoBackend backend = withCapabilities();

        IllegalStateException refusal = assertThrows(IllegalStateException.class, backend::ensureAvailable);
        assertEquals("packet I/O backend 'af_xdp' is unavailable: the process lacks CAP_NET_ADMIN CAP_NET_RAW CAP_BPF"
            + " (AF_XDP needs CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF and, for large UMEMs, CAP_IPC_LOCK)",
            refusal.getMessage());
        assertThrows(IllegalStateException.class, () -> backend.open(0, 1, new FramePool(new FrameMemory(8))));
    }
}
