package io.softgate.lb.health;

import io.softgate.lb.model.HealthCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Healthy when {@code GET <requestPath> HTTP/1.0} answers with a 2xx or 3xx status line within
 * the timeout. The timeout is one deadline for the whole probe (connect, request and status line
 * together): each read waits only for the time left, so a backend that trickles its answer a byte
 * at a time cannot hold the probe thread longer than the timeout (plus scheduling jitter). Only
 * the status line is read (RFC 9112 §4); the body is ignored and the connection closed.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class HttpGetProbe implements HealthProbe {
    /** Longest status line read before the answer counts as malformed. */
    static final int MAX_STATUS_LINE = 256;

    @Override
    public boolean probe(ProbeTransport transport, String vpc, InetSocketAddress target, HealthCheck check) {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(check.timeoutMs());
        try (Socket socket = transport.connect(vpc, target, check.timeoutMs())) {
            String request = "GET " + check.requestPath() + " HTTP/1.0\r\nHost: " + target.getHostString() + ":"
                + target.getPort() + "\r\nUser-Agent: softgate-health-check\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int status = readStatus(socket, deadlineNs);
            return status >= 200 && status <= 399;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Status code of the {@code HTTP/x.y NNN ...} line {@code socket} answers with, or -1 when the
     * line is not one.
     *
     * @throws SocketTimeoutException when the line has not arrived by {@code deadlineNs}
     *         ({@link System#nanoTime} scale)
     */
    static int readStatus(Socket socket, long deadlineNs) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[MAX_STATUS_LINE];
        StringBuilder line = new StringBuilder();
        while (line.length() < MAX_STATUS_LINE) {
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (leftMs <= 0) {
                throw new SocketTimeoutException("no status line within the probe's timeout");
            }
            socket.setSoTimeout((int) Math.min(leftMs, Integer.MAX_VALUE)); // >= 1: 0 would wait forever
            int n = in.read(buffer, 0, MAX_STATUS_LINE - line.length());
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    return parseStatus(line.toString().trim());
                }
                line.append((char) (buffer[i] & 0xff));
            }
        }
        return parseStatus(line.toString().trim());
    }

    static int parseStatus(String line) {
        if (!line.startsWith("HTTP/")) {
            return -1;
        }
        int space = line.indexOf(' ');
        if (space < 0 || line.length() < space + 4) {
            return -1;
        }
        String code = line.substring(space + 1, space + 4);
        for (int i = 0; i < 3; i++) {
            if (!Character.isDigit(code.charAt(i))) {
                return -1;
            }
        }
        return Integer.parseInt(code);
    }
}
