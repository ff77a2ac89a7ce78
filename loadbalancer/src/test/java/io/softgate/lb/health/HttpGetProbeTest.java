package io.softgate.lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.lb.model.HealthCheck;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

class HttpGetProbeTest {
    @Test
    void shouldReadTheStatusCodeOfAnHttpStatusLine() {
        assertEquals(204, HttpGetProbe.parseStatus("HTTP/1.1 204 No Content"));
    }

    @Test
    void shouldRejectALineThatIsNotAnHttpStatusLine() {
        assertEquals(-1, HttpGetProbe.parseStatus("SSH-2.0-OpenSSH_9.6"));
        assertEquals(-1, HttpGetProbe.parseStatus("HTTP/1.1 2x0 odd"));
        assertEquals(-1, HttpGetProbe.parseStatus("HTTP/1.1"));
    }

    @Test
    void shouldFailWithinItsTimeoutABackendThatTricklesItsStatusLine() throws Exception {
        // 19 bytes 150 ms apart: every read gets a byte well within 400 ms, the line takes 2.85 s.
        try (LocalServers.TricklingServer server = new LocalServers.TricklingServer(150)) {
            InetSocketAddress target = new InetSocketAddress(LocalServers.LOOPBACK, server.port());
            long start = System.nanoTime();
            boolean healthy = new HttpGetProbe().probe(ProbeTransport.hostStack(), "blue", target,
                HealthCheck.http("/health", 400, 1000, 1, 1));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertFalse(healthy, "a status line that takes longer than the timeout fails the probe");
            assertTrue(elapsedMs < 1_200, "the probe held its thread " + elapsedMs + " ms with a 400 ms timeout");
        }
    }

    @Test
    void shouldPassABackendThatAnswersWithinTheTimeout() throws Exception {
        try (LocalServers.HttpStatusServer server = new LocalServers.HttpStatusServer()) {
            InetSocketAddress target = new InetSocketAddress(LocalServers.LOOPBACK, server.port());
            assertTrue(new HttpGetProbe().probe(ProbeTransport.hostStack(), "blue", target,
                HealthCheck.http("/health", 2_000, 1000, 1, 1)));
        }
    }
}
