package io.softgate.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/auth} as Netris clients use it: {@code POST} with a form body
 * {@code user=..&password=..&auth_scheme_id=1} (or the same fields as JSON) opens a session and
 * sets the {@code connect.sid} cookie (HttpOnly, SameSite=Strict, Max-Age = the session TTL,
 * Secure under TLS); {@code GET} answers 200 while the session (or bearer token) is valid;
 * {@code DELETE} ends the session.
 *
 * <p>Threading: API executor thread only.
 */
final class AuthResources {
    private final Authenticator authenticator;
    private final boolean secureCookies;

    AuthResources(Authenticator authenticator, boolean secureCookies) {
        this.authenticator = authenticator;
        this.secureCookies = secureCookies;
    }

    void register(Router router) {
        router.add("POST", "/api/auth", false, "auth", "Log in (form: user, password, auth_scheme_id=1); sets the connect.sid cookie", "LoginForm", List.of(), this::login);
        router.add("GET", "/api/auth", true, "auth", "Check the session (200 while valid)", null, List.of(),
            r -> Envelope.ok("session valid", Envelope.object().put("sessionTtlSeconds", authenticator.sessionTtlSeconds())));
        router.add("DELETE", "/api/auth", true, "auth", "Log out", null, List.of(), this::logout);
    }

    private ApiResponse login(ApiRequest request) {
        try {
            return checkedLogin(request);
        } catch (BadRequestException e) {
            // No usable credentials in the request: 401 like any other unauthenticated call.
            return Envelope.error(401, e.field(), e.reason());
        }
    }

    private ApiResponse checkedLogin(ApiRequest request) throws BadRequestException {
        String user;
        String password;
        String scheme;
        String contentType = request.header("content-type");
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            JsonNode body = JsonBody.object(request);
            user = JsonBody.text(body, "user", true);
            password = JsonBody.text(body, "password", true);
            JsonNode schemeNode = body.get("auth_scheme_id");
            scheme = schemeNode == null || schemeNode.isNull() ? null : schemeNode.asText();
        } else {
            Map<String, List<String>> form;
            try {
                form = new QueryStringDecoder(new String(request.body(), StandardCharsets.UTF_8), StandardCharsets.UTF_8, false, 64)
                    .parameters();
            } catch (IllegalArgumentException e) {
                // A bad percent escape. The decoder's message quotes the whole body, password
                // included: answer without it and log nothing.
                return Envelope.error(400, "body", "malformed form encoding");
            }
            user = single(form, "user");
            password = single(form, "password");
            scheme = form.containsKey("auth_scheme_id") ? single(form, "auth_scheme_id") : null;
        }
        if (scheme != null && !"1".equals(scheme)) {
            throw new BadRequestException("auth_scheme_id", "only 1 (local users) is supported");
        }
        String[] session = new String[1];
        Authenticator.LoginResult result = authenticator.login(user, password.toCharArray(), request.remoteAddress(), session);
        return switch (result) {
            case OK -> Envelope.ok("logged in", Envelope.object().put("user", user))
                .header("Set-Cookie", Authenticator.SESSION_COOKIE + "=" + session[0] + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                    + authenticator.sessionTtlSeconds() + (secureCookies ? "; Secure" : ""));
            case REJECTED -> Envelope.error(401, "user", "invalid user or password");
            case RATE_LIMITED -> Envelope.error(429, "user", "too many failed logins from this address; wait and retry")
                .header("Retry-After", Long.toString(Authenticator.FAILURE_WINDOW_NS / 1_000_000_000L));
            // The service is full, not the client at fault: 503, and no Retry-After, since when a
            // session frees depends on other clients' logouts and the sessions' TTL.
            case SESSIONS_FULL -> Envelope.error(503, "session", "session table full; log out unused sessions (DELETE /api/auth)"
                + " or use a bearer token");
        };
    }

    private static String single(Map<String, List<String>> form, String name) throws BadRequestException {
        List<String> values = form.get(name);
        if (values == null || values.size() != 1) {
            throw new BadRequestException(name, "required once in the form body");
        }
        return values.get(0);
    }

    private ApiResponse logout(ApiRequest request) {
        authenticator.logout(request.header("x-session"));
        return Envelope.ok("logged out", null).header("Set-Cookie", Authenticator.SESSION_COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    }
}
