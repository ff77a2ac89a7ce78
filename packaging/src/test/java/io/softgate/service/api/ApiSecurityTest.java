package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Authentication, sessions, tokens, rate limiting and request limits of the real server. */
class ApiSecurityTest extends ApiFixtureTest {
    @Override
    boolean loggedIn() {
        return false;
    }

    @Test
    void shouldAnswer401OnEveryRouteButHealthzWithoutCredentials() throws Exception {
        List<Route> routes = api.api.router().routes();
        assertTrue(routes.size() > 40, "every resource is registered");
        for (Route route : routes) {
            String path = route.template().replace("{id}", "2").replace("{type}", "subnet");
            HttpResponse<String> response = api.send(route.method(), path, "GET".equals(route.method()) ? null : "{}");
            if (route.template().equals("/healthz")) {
                assertEquals(200, response.statusCode());
                continue;
            }
            assertEquals(401, response.statusCode(), route.method() + " " + path + ": " + response.body());
            JsonNode envelope = Envelope.MAPPER.readTree(response.body());
            assertFalse(envelope.get("isSuccess").asBoolean());
            assertEquals(401, envelope.get("meta").get("statusCode").asInt());
        }
        assertEquals(401, api.send("GET", "/api/not-a-resource", null).statusCode(), "unknown paths reveal nothing either");
    }

    @Test
    void shouldOpenAnHttpOnlyExpiringSessionOnFormLogin() throws Exception {
        HttpResponse<String> login = api.login(ApiFixture.USER, ApiFixture.PASSWORD);
        assertEquals(200, login.statusCode());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.startsWith("connect.sid="), cookie);
        assertTrue(cookie.contains("HttpOnly"), cookie);
        assertTrue(cookie.contains("Max-Age=600"), cookie);
        assertEquals(200, api.send("GET", "/api/auth", null).statusCode());
        assertEquals(200, api.send("DELETE", "/api/auth", null).statusCode());
        assertEquals(401, api.send("GET", "/api/auth", null).statusCode(), "the session ends at logout");
    }

    @Test
    void shouldRejectAWrongPasswordWithoutEchoingIt() throws Exception {
        HttpResponse<String> login = api.login(ApiFixture.USER, "guess-1234");
        assertEquals(401, login.statusCode());
        assertFalse(login.body().contains("guess-1234"));
        assertTrue(login.headers().firstValue("Set-Cookie").isEmpty());
        assertEquals(401, api.login("nobody", ApiFixture.PASSWORD).statusCode());
    }

    @Test
    void shouldRateLimitAnAddressAfterFiveFailedLogins() throws Exception {
        for (int i = 0; i < Authenticator.MAX_FAILURES; i++) {
            assertEquals(401, api.login(ApiFixture.USER, "wrong" + i).statusCode());
        }
        HttpResponse<String> limited = api.login(ApiFixture.USER, ApiFixture.PASSWORD);
        assertEquals(429, limited.statusCode(), "even the right password waits out the window");
        assertTrue(limited.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void shouldAnswer400ToAMalformedFormLoginWithoutEchoingOrLoggingTheBody() throws Exception {
        String[] log = new String[1];
        HttpResponse<String> response = capturingStandardOutput(log, () -> api.http.send(
            HttpRequest.newBuilder(api.uri("/api/auth")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=" + ApiFixture.USER + "&password=%zzsecret")).build(),
            HttpResponse.BodyHandlers.ofString()));
        assertEquals(400, response.statusCode(), response.body());
        JsonNode envelope = Envelope.MAPPER.readTree(response.body());
        assertEquals("body", envelope.get("errors").get(0).get("name").asText());
        assertEquals("malformed form encoding", envelope.get("errors").get(0).get("error").asText());
        assertFalse(response.body().contains("zzsecret"), response.body());
        assertFalse(log[0].contains("zzsecret"), log[0]);
    }

    @Test
    void shouldLogAnUnexpectedFailureByClassAndStackFramesButNeverItsMessage() throws Exception {
        Router router = new Router().add("GET", "/fail", false, "test", "fails", null, List.of(), request -> {
            throw new IllegalStateException("a message quoting request data: password=hunter2",
                new IllegalArgumentException("and its cause: token=abc"));
        });
        Authenticator nobody = new Authenticator(Map.of(), List.of(), 1_000_000_000L, System::nanoTime);
        try (ApiServer server = new ApiServer(router, nobody, null, 1024)) {
            int port = server.start("127.0.0.1", 0).getPort();
            String[] log = new String[1];
            HttpResponse<String> response = capturingStandardOutput(log, () -> api.http.send(
                HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/fail")).build(),
                HttpResponse.BodyHandlers.ofString()));
            assertEquals(500, response.statusCode());
            assertEquals(500, Envelope.MAPPER.readTree(response.body()).get("meta").get("statusCode").asInt());
            assertTrue(log[0].contains("GET /fail failed: java.lang.IllegalStateException"), log[0]);
            assertTrue(log[0].contains("caused by: java.lang.IllegalArgumentException"), log[0]);
            assertTrue(log[0].contains("\tat io.softgate.service.api.ApiSecurityTest"), "stack frames are kept: " + log[0]);
            assertFalse(log[0].contains("hunter2") || log[0].contains("abc") || log[0].contains("message"), log[0]);
            assertFalse(response.body().contains("hunter2"), response.body());
        }
    }

    /** Runs {@code call} while the service's log (slf4j-simple, standard output) goes to {@code log[0]} as well. */
    private static <T> T capturingStandardOutput(String[] log, java.util.concurrent.Callable<T> call) throws Exception {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                captured.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                original.write(bytes, offset, length);
                captured.write(bytes, offset, length);
            }
        }, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            return call.call();
        } finally {
            System.setOut(original);
            log[0] = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldAcceptTheConfiguredBearerTokenOnly() throws Exception {
        assertEquals(200, api.send("GET", "/api/v2/vpc", null, Map.of("Authorization", "Bearer " + ApiFixture.TOKEN)).statusCode());
        assertEquals(401, api.send("GET", "/api/v2/vpc", null, Map.of("Authorization", "Bearer " + ApiFixture.TOKEN + "x")).statusCode());
        assertEquals(401, api.send("GET", "/api/v2/vpc", null, Map.of("Authorization", "Basic " + ApiFixture.TOKEN)).statusCode());
    }

    @Test
    void shouldExpireASessionAfterItsTtl() {
        long[] now = {0};
        Authenticator authenticator = new Authenticator(Map.of("u", PasswordHash.hash("p4ssword".toCharArray())), List.of(),
            1_000_000_000L, () -> now[0]);
        String[] session = new String[1];
        assertEquals(Authenticator.LoginResult.OK, authenticator.login("u", "p4ssword".toCharArray(), "127.0.0.1", session));
        assertNotNull(session[0]);
        now[0] = 999_999_999L;
        assertTrue(authenticator.sessionValid(session[0]));
        now[0] = 1_000_000_000L;
        assertFalse(authenticator.sessionValid(session[0]));
    }

    @Test
    void shouldLetTheRateLimitWindowPass() {
        long[] now = {0};
        Authenticator authenticator = new Authenticator(Map.of("u", PasswordHash.hash("p4ssword".toCharArray())), List.of(),
            1_000_000_000L, () -> now[0]);
        String[] session = new String[1];
        for (int i = 0; i < Authenticator.MAX_FAILURES; i++) {
            authenticator.login("u", "bad".toCharArray(), "192.0.2.1", session);
        }
        assertEquals(Authenticator.LoginResult.RATE_LIMITED, authenticator.login("u", "p4ssword".toCharArray(), "192.0.2.1", session));
        assertEquals(Authenticator.LoginResult.OK, authenticator.login("u", "p4ssword".toCharArray(), "192.0.2.2", session),
            "another address is not limited");
        now[0] = Authenticator.FAILURE_WINDOW_NS + 1;
        assertEquals(Authenticator.LoginResult.OK, authenticator.login("u", "p4ssword".toCharArray(), "192.0.2.1", session));
    }

    @Test
    void shouldTellAFullSessionTableFromARateLimit() throws Exception {
        long[] now = {0};
        Authenticator authenticator = new Authenticator(Map.of("u", PasswordHash.hash("p4ssword".toCharArray())), List.of(),
            1_000_000_000L, () -> now[0], 2);
        String[] first = new String[1];
        String[] session = new String[1];
        assertEquals(Authenticator.LoginResult.OK, authenticator.login("u", "p4ssword".toCharArray(), "192.0.2.1", first));
        assertEquals(Authenticator.LoginResult.OK, authenticator.login("u", "p4ssword".toCharArray(), "192.0.2.1", session));
        assertEquals(Authenticator.LoginResult.SESSIONS_FULL, authenticator.login("u", "p4ssword".toCharArray(), "192.0.2.1", session));
        assertEquals(Authenticator.LoginResult.REJECTED, authenticator.login("u", "bad".toCharArray(), "192.0.2.1", session),
            "a wrong password is still a wrong password");

        Router router = new Router();
        new AuthResources(authenticator, false).register(router);
        ApiRequest login = new ApiRequest("POST", "/api/auth", Map.of(), Map.of("content-type", "application/x-www-form-urlencoded"),
            "192.0.2.1", "user=u&password=p4ssword&auth_scheme_id=1".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            Map.of());
        ApiResponse full = router.match("POST", "/api/auth").route().handler().handle(login);
        assertEquals(503, full.status());
        JsonNode error = Envelope.MAPPER.readTree(full.body()).get("errors").get(0);
        assertEquals("session", error.get("name").asText());
        assertTrue(error.get("error").asText().startsWith("session table full"), error.toString());
        assertFalse(full.headers().containsKey("Set-Cookie"));

        authenticator.logout(first[0]);
        assertEquals(200, router.match("POST", "/api/auth").route().handler().handle(login).status(), "a logout frees a place");
    }

    @Test
    void shouldRefuseABodyOverTheSizeLimit() throws Exception {
        api.login(ApiFixture.USER, ApiFixture.PASSWORD);
        String huge = "{\"name\":\"" + "x".repeat(17 * 1024 * 1024) + "\"}";
        HttpResponse<String> response = api.send("POST", "/api/v2/vpc", huge);
        assertEquals(413, response.statusCode());
        JsonNode envelope = Envelope.MAPPER.readTree(response.body());
        assertEquals(413, envelope.get("meta").get("statusCode").asInt(), "the 413 is in the envelope too");
        assertEquals("body", envelope.get("errors").get(0).get("name").asText());
        assertEquals(1, api.api.store().current().vpcs().size(), "nothing was created");
    }
}
