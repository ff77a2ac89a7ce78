package io.softgate.lb.health;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real servers on 127.0.0.1 for health-check tests: a TCP acceptor, an HTTP server answering a
 * settable status, a server that accepts but never answers, one that trickles its answer, and a
 * port nothing listens on.
 *
 * <p>Threading: each server runs its own daemon thread; close from the test thread.
 */
final class LocalServers {
    private LocalServers() {
    }

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Accepts and immediately closes every connection. */
    static final class TcpServer implements AutoCloseable {
        private final ServerSocket socket;

        TcpServer() throws IOException {
            socket = new ServerSocket(0, 50, LOOPBACK);
            Thread thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket accepted = socket.accept()) {
                        accepted.getOutputStream().flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "test-tcp-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Accepts connections and holds them open without a byte of answer. */
    static final class SilentServer implements AutoCloseable {
        private final ServerSocket socket;

        SilentServer() throws IOException {
            socket = new ServerSocket(0, 50, LOOPBACK);
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Answers every request with {@link #status}. */
    static final class HttpStatusServer implements AutoCloseable {
        final AtomicInteger status = new AtomicInteger(200);
        final AtomicInteger requests = new AtomicInteger();
        volatile String lastPath;
        private final HttpServer server;

        HttpStatusServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
            server.createContext("/", exchange -> {
                requests.incrementAndGet();
                lastPath = exchange.getRequestURI().getPath();
                byte[] body = "ok".getBytes();
                exchange.sendResponseHeaders(status.get(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /**
     * A loopback port nobody listens on, held by a bound but unconnected socket so no other
     * process on the machine can start listening there while a test counts refused connects.
     */
    static final class ReservedPort implements AutoCloseable {
        private final Socket holder = new Socket();

        ReservedPort() throws IOException {
            holder.bind(new InetSocketAddress(LOOPBACK, 0));
        }

        int port() {
            return holder.getLocalPort();
        }

        /** Gives the port up (to listen on it) and returns a server now listening there. */
        ServerSocket listen() throws IOException {
            int port = port();
            holder.close();
            return new ServerSocket(port, 50, LOOPBACK);
        }

        @Override
        public void close() throws IOException {
            holder.close();
        }
    }

    /**
     * Answers every connection with a valid {@code 200} status line, one byte every
     * {@code byteGapMs}: each read gets a byte well within a probe's timeout, the whole line does not.
     */
    static final class TricklingServer implements AutoCloseable {
        private final ServerSocket socket;

        TricklingServer(long byteGapMs) throws IOException {
            socket = new ServerSocket(0, 50, LOOPBACK);
            Thread thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket accepted = socket.accept()) {
                        OutputStream out = accepted.getOutputStream();
                        for (byte b : "HTTP/1.1 200 OK\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
                            Thread.sleep(byteGapMs);
                            out.write(b);
                            out.flush();
                        }
                    } catch (IOException e) {
                        if (socket.isClosed()) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "test-trickling-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
