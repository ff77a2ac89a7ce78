package io.softgate.lb.health;

import io.softgate.lb.model.HealthCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Healthy when a TCP connection to the backend completes within the timeout; the connection is
 * closed at once.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class TcpConnectProbe implements HealthProbe {
    @Override
    public boolean probe(ProbeTransport transport, String vpc, InetSocketAddress target, HealthCheck check) {
        try (Socket socket = transport.connect(vpc, target, check.timeoutMs())) {
            return socket.isConnected();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
