package io.softgate.service.api;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.softgate.service.intent.IntentRejectedException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each aggregated HTTP request into an {@link ApiRequest}, checks credentials (session
 * cookie or bearer token) for every route that needs them, runs the route's handler and writes
 * the answer. Logs method, path and status only: never a body, a cookie or a header value; an
 * unexpected failure adds the exception's class and stack frames, never its message
 * ({@link #failureLogLine}).
 *
 * <p>Threading: shared by every channel; runs on the API's single handler executor, so handlers
 * never run concurrently.
 */
@ChannelHandler.Sharable
final class HttpDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpDispatcher.class);
    private static final Set<String> FORWARDED_HEADERS = Set.of("content-type", "if-match", "accept");

    private final Router router;
    private final Authenticator authenticator;

    HttpDispatcher(Router router, Authenticator authenticator) {
        this.router = router;
        this.authenticator = authenticator;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        ApiResponse response;
        String path = "?";
        if (!request.decoderResult().isSuccess()) {
            response = Envelope.error(400, "request", "malformed HTTP request");
        } else {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            try {
                path = uri.path();
                uri.parameters();
            } catch (IllegalArgumentException e) {
                // A bad percent escape (%zz): the decoder threw out of this method, and the
                // connection closed without an answer. Its message quotes the URI: not used.
                uri = null;
            }
            response = uri == null ? Envelope.error(400, "request", "malformed percent-encoding in the URI")
                : dispatch(ctx, request, uri);
        }
        LOG.debug("{} {} -> {}", request.method(), path, response.status());
        FullHttpResponse answer = toHttp(response);
        if (keepAlive) {
            HttpUtil.setKeepAlive(answer, true);
            ctx.writeAndFlush(answer);
        } else {
            ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** {@code response} as the HTTP answer every part of the server sends (also the gate's and the aggregator's). */
    static FullHttpResponse toHttp(ApiResponse response) {
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(response.status()), Unpooled.wrappedBuffer(response.body()));
        answer.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        answer.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        answer.headers().set("X-Content-Type-Options", "nosniff");
        answer.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            answer.headers().add(header.getKey(), header.getValue());
        }
        return answer;
    }

    private ApiResponse dispatch(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        String method = request.method().name();
        Router.Match match = router.match(method, uri.path());
        if (match.route() == null) {
            // Unknown routes need credentials too: nothing about the API is revealed without them.
            // (CredentialGate refused such requests already, before their bodies; checked again
            // here, where the route is known, so that the dispatcher alone is correct too.)
            if (!hasCredentials(authenticator, request.headers())) {
                return unauthorized();
            }
            // RFC 9110 section 15.5.6: a 405 names the methods the resource has.
            return match.failureStatus() == 405
                ? Envelope.error(405, "method", method + " is not allowed on " + uri.path())
                    .header("Allow", String.join(", ", match.allowedMethods()))
                : Envelope.error(404, "path", "no such resource: " + uri.path());
        }
        Route route = match.route();
        if (route.authenticated() && !hasCredentials(authenticator, request.headers())) {
            return unauthorized();
        }
        Map<String, String> headers = new HashMap<>();
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (FORWARDED_HEADERS.contains(name)) {
                headers.put(name, header.getValue());
            }
        }
        String session = sessionCookie(request.headers());
        if (session != null) {
            headers.put("x-session", session);
        }
        ApiRequest apiRequest = new ApiRequest(method, uri.path(), uri.parameters(), headers, remoteAddress(ctx),
            ByteBufUtil.getBytes(request.content()), match.parameters());
        try {
            return route.handler().handle(apiRequest);
        } catch (IntentRejectedException e) {
            return Envelope.error(e.status(), e.getMessage(), e.errors());
        } catch (BadRequestException e) {
            return Envelope.error(400, e.field(), e.reason());
        } catch (RuntimeException e) {
            LOG.error(failureLogLine(method, uri.path(), e));
            return Envelope.error(500, "server", "internal error; nothing was changed");
        }
    }

    /**
     * The log line of a request that failed unexpectedly: method, path, and each exception of the
     * cause chain by class and stack frames. Never a message: a message may quote request data
     * (a JDK decoder's message quoted a whole login body, password included).
     */
    static String failureLogLine(String method, String path, Throwable failure) {
        StringBuilder line = new StringBuilder().append(method).append(' ').append(path).append(" failed: ");
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
            if (cause != failure) {
                line.append("\ncaused by: ");
            }
            line.append(cause.getClass().getName());
            for (StackTraceElement frame : cause.getStackTrace()) {
                line.append("\n\tat ").append(frame);
            }
        }
        return line.toString();
    }

    static ApiResponse unauthorized() {
        return Envelope.error(401, "authorization", "credentials required: a session cookie from POST /api/auth or a bearer token")
            .header("WWW-Authenticate", "Bearer realm=\"softgate\"");
    }

    /** True when {@code headers} carry a valid bearer token or, without an Authorization header, a live session cookie. */
    static boolean hasCredentials(Authenticator authenticator, HttpHeaders headers) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authenticator.tokenValid(authorization.substring(7).strip());
        }
        return authenticator.sessionValid(sessionCookie(headers));
    }

    static String sessionCookie(HttpHeaders headers) {
        String header = headers.get(HttpHeaderNames.COOKIE);
        if (header == null || header.length() > 8192) {
            return null;
        }
        for (Cookie cookie : ServerCookieDecoder.STRICT.decode(header)) {
            if (Authenticator.SESSION_COOKIE.equals(cookie.name())) {
                return cookie.value();
            }
        }
        return null;
    }

    private static String remoteAddress(ChannelHandlerContext ctx) {
        SocketAddress address = ctx.channel().remoteAddress();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("API connection closed after an error: {}", cause.getClass().getSimpleName());
        ctx.close();
    }
}
