package io.softgate.lb.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Opens the TCP connection a health probe uses to reach a backend inside a VPC.
 *
 * <p>Backends are VMs reachable only through the overlay, so the path a probe takes is the
 * transport's business: the service plugs in one that binds the socket to the VPC's host-stack
 * interface (a TUN device per VPC whose packets the data plane routes into that VPC's VRF, which
 * also keeps overlapping VPC address spaces apart); tests use {@link #hostStack()} against servers
 * on 127.0.0.1. See loadbalancer/README.md, "Health-check probe path".
 *
 * <p>Threading: implementations must be safe to call from several probe threads at once.
 */
@FunctionalInterface
public interface ProbeTransport {
    /**
     * A socket connected to {@code target} inside VPC {@code vpc}, or an IOException when the
     * connection fails or takes longer than {@code timeoutMs}.
     */
    Socket connect(String vpc, InetSocketAddress target, int timeoutMs) throws IOException;

    /** Plain host-stack sockets, ignoring the VPC (right for tests and for a single flat network). */
    static ProbeTransport hostStack() {
        return (vpc, target, timeoutMs) -> {
            Socket socket = new Socket();
            try {
                socket.connect(target, timeoutMs);
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        };
    }
}
