package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication, sessions, tokens, rate limiting and request limits of the real server. */
class ApiSecurityTest {
    @TempDir
    Path stateDir;
    ApiFixture api;

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(stateDir);
    }

    @AfterEach
    void stop() {
        api.close();
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
    void shouldRefuseABodyOverTheSizeLimit() throws Exception {
        api.login(ApiFixture.USER, ApiFixture.PASSWORD);
        String huge = "{\"name\":\"" + "x".repeat(17 * 1024 * 1024) + "\"}";
        HttpResponse<String> response = api.send("POST", "/api/v2/vpc", huge);
        assertEquals(413, response.statusCode());
        assertEquals(1, api.api.store().current().vpcs().size(), "nothing was created");
    }
}
