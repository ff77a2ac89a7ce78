package io.softgate.lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
