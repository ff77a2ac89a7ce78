package io.softgate.io.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelConfig;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.io.jnr.Capabilities;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class UdpBusyPollTest {
    private final FramePool pool = new FramePool(new FrameMemory(256));
    private UdpPacketIoBackend backend;

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    private ChannelConfig openEpoll(UdpPacketIoBackend.Builder builder) throws IOException {
        backend = builder.bindAddress("127.0.0.1").port(0).transport(UdpTransport.EPOLL).build();
        Assumptions.assumeTrue(backend.isAvailable(), () -> "epoll unavailable: " + backend.unavailabilityCause());
        return ((UdpQueue) backend.open(0, 1, pool)).channel().config();
    }

    @Test
    void shouldSetTheThreeBusyPollOptionsOnEpollSocketsWhenConfigured() throws IOException {
        Assumptions.assumeTrue(Capabilities.has(Capabilities.CAP_NET_ADMIN), "SO_BUSY_POLL_BUDGET needs CAP_NET_ADMIN");
        ChannelConfig config = openEpoll(UdpPacketIoBackend.builder().busyPoll(20, 32));

        assertEquals(20, config.getOption(UdpPacketIoBackend.SO_BUSY_POLL));
        assertEquals(1, config.getOption(UdpPacketIoBackend.SO_PREFER_BUSY_POLL));
        // getsockopt has no SO_BUSY_POLL_BUDGET; a failed set would have failed the open.
        assertTrue(backend.busyPolling());
    }

    @Test
    void shouldLeaveBusyPollingOffByDefault() throws IOException {
        ChannelConfig config = openEpoll(UdpPacketIoBackend.builder());

        assertEquals(0, config.getOption(UdpPacketIoBackend.SO_BUSY_POLL));
        assertEquals(0, config.getOption(UdpPacketIoBackend.SO_PREFER_BUSY_POLL));
        assertFalse(backend.busyPolling());
    }

    @Test
    void shouldRefuseANegativeBusyPollTime() {
        assertThrows(IllegalArgumentException.class,
            () -> UdpPacketIoBackend.builder().bindAddress("127.0.0.1").busyPoll(-1, 64).build());
    }
}
