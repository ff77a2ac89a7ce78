package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the server does before a request reaches a handler, spoken over raw sockets so that a body
 * can be announced and never sent: credentials are checked on the request's head (the body is
 * not waited for), bodies over the limits get 413 in the envelope, and connections are capped.
 */
class RequestGateTest extends ApiFixtureTest {
    @Override
    boolean loggedIn() {
        return false;
    }

    /** One answer read off a raw connection: status line, headers (lower-case names), body. */
    record Answer(int status, Map<String, String> headers, String body) {
        JsonNode envelope() throws IOException {
            return Envelope.MAPPER.readTree(body);
        }
    }

    /** Reads one HTTP/1.1 answer with a Content-Length body from {@code in}. */
    static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the answer's head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", api.api.address().getPort());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static void write(Socket socket, String head) throws IOException {
        socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    @Test
    void shouldAnswer401OnTheHeadWithoutWaitingForTheBodyAndClose() throws Exception {
        try (Socket socket = connect()) {
            // A megabyte announced and never sent: behind the aggregator, the 401 would wait for it.
            write(socket, "PUT /api/softgate/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000000\r\n\r\n");
            Answer answer = read(socket.getInputStream());
            assertEquals(401, answer.status(), answer.body());
            assertEquals("close", answer.headers().get("connection"));
            assertEquals("Bearer realm=\"softgate\"", answer.headers().get("www-authenticate"));
            assertEquals(401, answer.envelope().get("meta").get("statusCode").asInt());
            assertFalse(answer.envelope().get("isSuccess").asBoolean());
            assertEquals(-1, socket.getInputStream().read(), "the server closes its side after the answer");
        }
    }

    @Test
    void shouldNeverSend100ContinueWithoutCredentials() throws Exception {
        try (Socket socket = connect()) {
            write(socket, "POST /api/v2/vpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                + "Content-Length: 20\r\n\r\n");
            assertEquals(401, read(socket.getInputStream()).status());
        }
    }

    @Test
    void shouldRefuseAWrongTokenOrAnExpiredSessionOnTheHeadToo() throws Exception {
        try (Socket socket = connect()) {
            write(socket, "POST /api/v2/vpc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiFixture.TOKEN + "x\r\n"
                + "Content-Length: 1000000\r\n\r\n");
            assertEquals(401, read(socket.getInputStream()).status());
        }
        try (Socket socket = connect()) {
            write(socket, "POST /api/v2/vpc HTTP/1.1\r\nHost: x\r\nCookie: " + Authenticator.SESSION_COOKIE + "=no-such-session\r\n"
                + "Content-Length: 1000000\r\n\r\n");
            assertEquals(401, read(socket.getInputStream()).status());
        }
    }

    @Test
    void shouldLetCredentialedAndOpenRequestsThroughOnOneKeptAliveConnection() throws Exception {
        try (Socket socket = connect()) {
            write(socket, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, read(socket.getInputStream()).status());
            String body = "{\"name\":\"vpc-raw\"}";
            write(socket, "POST /api/v2/vpc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiFixture.TOKEN + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            Answer created = read(socket.getInputStream());
            assertEquals(200, created.status(), created.body());
            write(socket, "GET /api/auth HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiFixture.TOKEN + "\r\n\r\n");
            assertEquals(200, read(socket.getInputStream()).status(), "the same connection serves on");
        }
    }

    @Test
    void shouldLimitTheBodyOfARequestAdmittedWithoutCredentials() throws Exception {
        try (Socket socket = connect()) {
            write(socket, "POST /api/auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + (CredentialGate.OPEN_ROUTE_MAX_BODY_BYTES + 1) + "\r\n\r\n");
            Answer answer = read(socket.getInputStream());
            assertEquals(413, answer.status(), answer.body());
            assertEquals("close", answer.headers().get("connection"));
            assertEquals("body", answer.envelope().get("errors").get(0).get("name").asText());
        }
        try (Socket socket = connect()) {
            // Chunked: no length up front, counted as it comes.
            String chunk = "a".repeat(32 * 1024);
            StringBuilder request = new StringBuilder("POST /api/auth HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 3; i++) {
                request.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
            }
            write(socket, request.toString());
            assertEquals(413, read(socket.getInputStream()).status());
        }
        assertEquals(200, api.login(ApiFixture.USER, ApiFixture.PASSWORD).statusCode(), "a real login still fits");
    }

    @Test
    void shouldAnswerAnOversized100ContinueRequestWithTheEnvelope() throws Exception {
        try (Socket socket = connect()) {
            write(socket, "PUT /api/softgate/config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiFixture.TOKEN + "\r\n"
                + "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + (17 * 1024 * 1024) + "\r\n\r\n");
            Answer answer = read(socket.getInputStream());
            assertEquals(413, answer.status(), answer.body());
            assertEquals(413, answer.envelope().get("meta").get("statusCode").asInt());
            assertTrue(answer.envelope().get("errors").get(0).get("error").asText().contains("api.maxRequestBytes"), answer.body());
        }
    }

    @Test
    void shouldAnswer400ToABadPercentEscapeInThePathOrQuery() throws Exception {
        try (Socket socket = connect()) {
            for (String target : List.of("/api/v2/vpc/%zz", "/api/v2/vpc?vpc=%zz")) {
                write(socket, "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ApiFixture.TOKEN + "\r\n\r\n");
                Answer answer = read(socket.getInputStream());
                assertEquals(400, answer.status(), target + ": " + answer.body());
                assertEquals("request", answer.envelope().get("errors").get(0).get("name").asText());
                assertFalse(answer.body().contains("zz"), answer.body());
            }
        }
        try (Socket socket = connect()) {
            write(socket, "GET /api/v2/vpc/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(401, read(socket.getInputStream()).status(), "without credentials, nothing else is said");
        }
    }

    @Test
    void shouldCloseConnectionsBeyondTheCap() throws Exception {
        Router router = new Router().add("GET", "/ping", false, "test", "ping", null, List.of(), request -> Envelope.ok("pong", null));
        Authenticator nobody = new Authenticator(Map.of(), List.of(), 1_000_000_000L, System::nanoTime);
        try (ApiServer server = new ApiServer(router, nobody, null, 1024, 2)) {
            int port = server.start("127.0.0.1", 0).getPort();
            try (Socket first = new Socket("127.0.0.1", port); Socket second = new Socket("127.0.0.1", port)) {
                for (Socket socket : List.of(first, second)) {
                    socket.setSoTimeout(5_000);
                    write(socket, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals(200, read(socket.getInputStream()).status(), "both are open and served");
                }
                try (Socket third = new Socket("127.0.0.1", port)) {
                    third.setSoTimeout(5_000);
                    int read;
                    try {
                        read = third.getInputStream().read();
                    } catch (java.net.SocketException reset) {
                        read = -1;
                    }
                    assertEquals(-1, read, "the third is closed at once");
                }
            }
            // Closed connections leave the count (the group drops them when they close).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                try (Socket again = new Socket("127.0.0.1", port)) {
                    again.setSoTimeout(5_000);
                    write(again, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals(200, read(again.getInputStream()).status());
                    break;
                } catch (IOException stillFull) {
                    if (System.nanoTime() > deadline) {
                        throw stillFull;
                    }
                    Thread.sleep(20);
                }
            }
        }
    }

    @Test
    void shouldCheckSessionsWhileALoginHashesItsPassword() throws Exception {
        CountDownLatch hashing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Authenticator authenticator = new Authenticator(Map.of("u", "stored"), List.of(), 60_000_000_000L, System::nanoTime,
            Authenticator.MAX_SESSIONS, (password, stored) -> {
                hashing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "stored".equals(stored);
            });
        Thread login = new Thread(() -> authenticator.login("u", "p".toCharArray(), "192.0.2.1", new String[1]));
        login.start();
        try {
            assertTrue(hashing.await(5, TimeUnit.SECONDS));
            // The I/O thread asks this of every request (CredentialGate): it must not wait for the hash.
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertFalse(authenticator.sessionValid("no-such-session")));
        } finally {
            release.countDown();
            login.join();
        }
    }
}
