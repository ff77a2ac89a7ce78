package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.softgate.service.api.RequestGateTest.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 pipelining (RFC 9112 §9.3.2): requests written back to back on one connection, in one
 * TCP write, are answered in their order whichever part of the server answers each (the
 * credential gate's 401, the aggregator's 413, the dispatcher's 405, a handler), and the
 * connection serves on after an answer that does not close it.
 */
class PipelinedRequestOrderTest extends ApiFixtureTest {
    private static final String TOKEN = ApiFixture.TOKEN;
    private static final int MAX_REQUEST_BYTES = 1024;

    @Override
    boolean loggedIn() {
        return false;
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Writes {@code requests} in one write, so that the server reads them together. */
    private static void writeAtOnce(Socket socket, String... requests) throws IOException {
        socket.getOutputStream().write(String.join("", requests).getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Reads one answer per status of {@code expected}, checking each as it comes: the first out of order fails. */
    private static List<Answer> readInOrder(InputStream in, int... expected) throws IOException {
        List<Answer> read = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            Answer answer = RequestGateTest.read(in);
            assertEquals(expected[i], answer.status(), "answer " + i + " of " + expected.length + ": " + answer.body());
            read.add(answer);
        }
        return read;
    }

    private static String get(String path, String token) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
    }

    /**
     * A server whose {@code GET /slow} (credentials needed) waits until {@code release} opens and
     * then answers "slow"; {@code GET /ping} (open) answers "pong"; {@code POST /echo} (credentials)
     * takes a body of at most {@link #MAX_REQUEST_BYTES}.
     */
    private static ApiServer slowServer(CountDownLatch entered, CountDownLatch release) {
        return slowServer(entered, release, null);
    }

    /** As {@link #slowServer(CountDownLatch, CountDownLatch)}, over TLS with {@code tls} (null: plain). */
    private static ApiServer slowServer(CountDownLatch entered, CountDownLatch release, SslContext tls) {
        Router router = new Router()
            .add("GET", "/slow", true, "test", "slow", null, List.of(), request -> {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Envelope.ok("slow", null);
            })
            .add("GET", "/ping", false, "test", "ping", null, List.of(), request -> Envelope.ok("pong", null))
            .add("POST", "/echo", true, "test", "echo", null, List.of(), request -> Envelope.ok("echo", null));
        Authenticator authenticator = new Authenticator(Map.of(), List.of(TOKEN), 60_000_000_000L, System::nanoTime);
        return new ApiServer(router, authenticator, tls, MAX_REQUEST_BYTES, 4);
    }

    /**
     * Lets the slow handler answer once it runs and the I/O thread had time to write whatever it
     * would write early (without the ordering, the 401 or 413 of a later request goes out within
     * microseconds of the read).
     */
    private static void releaseLater(CountDownLatch entered, CountDownLatch release) throws InterruptedException {
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the first request reached its handler");
        Thread.sleep(200);
        release.countDown();
    }

    @Test
    void shouldAnswerAPipelinedRequestWithoutCredentialsAfterTheHandlersAnswerToTheOneBefore() throws Exception {
        String body = "{\"name\":\"vpc-pipelined\"}";
        try (Socket socket = connect(api.api.address().getPort())) {
            writeAtOnce(socket,
                "POST /api/v2/vpc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body,
                get("/api/v2/vpc", null));
            List<Answer> answers = readInOrder(socket.getInputStream(), 200, 401);

            assertEquals("vpc-pipelined", answers.get(0).envelope().get("data").get("name").asText());
            assertEquals("close", answers.get(1).headers().get("connection"));
            assertEquals(-1, socket.getInputStream().read(), "the server closes after the 401");
        }
    }

    @Test
    void shouldHoldTheGates401UntilTheSlowAnswerBeforeItIsWritten() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ApiServer server = slowServer(entered, release); Socket socket = connect(server.start("127.0.0.1", 0).getPort())) {
            writeAtOnce(socket, get("/slow", TOKEN), get("/slow", null));
            releaseLater(entered, release);
            List<Answer> answers = readInOrder(socket.getInputStream(), 200, 401);

            assertEquals("slow", answers.get(0).envelope().get("message").asText());
        }
    }

    @Test
    void shouldAnswerEveryKindOfAnswerInRequestOrderAndServeOn() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        String oversized = "a".repeat(MAX_REQUEST_BYTES + 1);
        try (ApiServer server = slowServer(entered, release); Socket socket = connect(server.start("127.0.0.1", 0).getPort())) {
            writeAtOnce(socket,
                get("/slow", TOKEN),
                "DELETE /slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n",
                // Announced and sent whole: the aggregator answers 413 on the head, drops the body, keeps the connection.
                "POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: " + oversized.length()
                    + "\r\n\r\n" + oversized,
                get("/ping", null),
                get("/slow", null));
            releaseLater(entered, release);
            List<Answer> answers = readInOrder(socket.getInputStream(), 200, 405, 413, 200, 401);

            assertEquals("slow", answers.get(0).envelope().get("message").asText());
            assertEquals("pong", answers.get(3).envelope().get("message").asText());
        }
    }

    @Test
    void shouldAnswerManyPipelinedRequestsInOrder() throws Exception {
        String oversized = "a".repeat(MAX_REQUEST_BYTES + 1);
        try (ApiServer server = slowServer(new CountDownLatch(0), new CountDownLatch(0));
             Socket socket = connect(server.start("127.0.0.1", 0).getPort())) {
            // Many socket reads' worth, alternating the handler's answers and the I/O thread's (413, connection kept).
            int requests = 200;
            String[] written = new String[requests];
            for (int i = 0; i < requests; i++) {
                written[i] = i % 2 == 0 ? get("/slow", TOKEN)
                    : "POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: "
                        + oversized.length() + "\r\n\r\n" + oversized;
            }
            // Written beside the reading: the server reads on as it answers, and the answers must be read too.
            Thread writer = new Thread(() -> {
                try {
                    writeAtOnce(socket, written);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            int[] expected = new int[requests];
            for (int i = 0; i < requests; i++) {
                expected[i] = i % 2 == 0 ? 200 : 413;
            }
            readInOrder(socket.getInputStream(), expected);
            writer.join(10_000);
        }
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrderOverTls() throws Exception {
        // The connection reads on demand only; TLS must still complete its handshake and serve on.
        Path keyStore = stateDir.resolve("api.p12");
        char[] password = "changeit".toCharArray();
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "api", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
            "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
            "-storepass", new String(password), "-keypass", new String(password))
            .redirectErrorStream(true).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
            new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, password);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);

        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ApiServer server = slowServer(entered, release, SslContextBuilder.forServer(keyManagers).build())) {
            int port = server.start("127.0.0.1", 0).getPort();
            try (Socket socket = client.getSocketFactory().createSocket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                writeAtOnce(socket, get("/slow", TOKEN), get("/ping", null), get("/slow", null));
                releaseLater(entered, release);
                readInOrder(socket.getInputStream(), 200, 200, 401);
            }
        }
    }
}
