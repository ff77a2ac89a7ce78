package io.softgate.lb.health;

import io.softgate.lb.model.HealthCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Healthy when {@code GET <requestPath> HTTP/1.0} answers with a 2xx or 3xx status line within
 * the timeout (connect and the wait for the status line each bounded by it). Only the status line
 * is read (RFC 9112 §4); the body is ignored and the connection closed.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class HttpGetProbe implements HealthProbe {
    /** Longest status line read before the answer counts as malformed. */
    static final int MAX_STATUS_LINE = 256;

    @Override
    public boolean probe(ProbeTransport transport, String vpc, InetSocketAddress target, HealthCheck check) {
        try (Socket socket = transport.connect(vpc, target, check.timeoutMs())) {
            socket.setSoTimeout(check.timeoutMs());
            String request = "GET " + check.requestPath() + " HTTP/1.0\r\nHost: " + target.getHostString() + ":"
                + target.getPort() + "\r\nUser-Agent: softgate-health-check\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int status = readStatus(socket.getInputStream());
            return status >= 200 && status <= 399;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Status code of an {@code HTTP/x.y NNN ...} line, or -1 when the line is not one. */
    static int readStatus(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (line.length() < MAX_STATUS_LINE) {
            int b = in.read();
            if (b < 0 || b == '\n') {
                break;
            }
            line.append((char) b);
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
