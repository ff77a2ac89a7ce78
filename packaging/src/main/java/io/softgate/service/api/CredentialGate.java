package io.softgate.service.api;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Checks credentials as soon as a request's head arrives, before the aggregator buffers its body
 * (up to {@code api.maxRequestBytes}): a request without them is answered 401 in the envelope,
 * its body is not read, and the connection closes. The rule is the dispatcher's
 * ({@link HttpDispatcher#hasCredentials}): every route needs a bearer token or a live session but
 * those registered open ({@code GET /healthz}, {@code POST /api/auth}), and an unknown path needs
 * them too. A request to an open route without credentials may carry at most
 * {@link #OPEN_ROUTE_MAX_BODY_BYTES}, so no unauthenticated client makes the server buffer more.
 *
 * <p>Threading: one instance per connection, called on that connection's I/O event loop only.
 */
final class CredentialGate extends ChannelInboundHandlerAdapter {
    /** Largest body of a request admitted without credentials (a login form is about 100 bytes). */
    static final int OPEN_ROUTE_MAX_BODY_BYTES = 64 * 1024;
    /**
     * How long a refused connection stays open, not reading, after its answer went out. Closing a
     * socket with unread input sends a reset, which can make the client drop the answer it has
     * not read yet; after this the client has normally read it (and closed, as Connection: close asks).
     */
    static final long LINGER_MS = 2_000;

    private final Router router;
    private final Authenticator authenticator;
    /** Set once a request was refused: whatever else arrives on this connection is dropped. */
    private boolean refused;
    /** Body bytes of the current request when it was admitted without credentials; -1 otherwise. */
    private long openBodyBytes = -1;

    CredentialGate(Router router, Authenticator authenticator) {
        this.router = router;
        this.authenticator = authenticator;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
            openBodyBytes = -1;
            if (!HttpDispatcher.hasCredentials(authenticator, request.headers())) {
                if (!openRoute(request)) {
                    refuse(ctx, msg, HttpDispatcher.unauthorized());
                    return;
                }
                if (HttpUtil.getContentLength(request, 0L) > OPEN_ROUTE_MAX_BODY_BYTES) {
                    refuse(ctx, msg, tooLargeWithoutCredentials());
                    return;
                }
                openBodyBytes = 0;
            }
        }
        if (msg instanceof HttpContent content && openBodyBytes >= 0) {
            // A chunked body has no Content-Length to check up front: count it as it comes.
            openBodyBytes += content.content().readableBytes();
            if (openBodyBytes > OPEN_ROUTE_MAX_BODY_BYTES) {
                refuse(ctx, msg, tooLargeWithoutCredentials());
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** True when the request's route is registered as needing no credentials. */
    private boolean openRoute(HttpRequest request) {
        String path;
        try {
            path = new QueryStringDecoder(request.uri()).path();
        } catch (IllegalArgumentException e) {
            return false;
        }
        Route route = router.match(request.method().name(), path).route();
        return route != null && !route.authenticated();
    }

    private static ApiResponse tooLargeWithoutCredentials() {
        return Envelope.error(413, "body", "larger than " + OPEN_ROUTE_MAX_BODY_BYTES + " bytes, the limit without credentials");
    }

    /**
     * Answers {@code response} with Connection: close, reads nothing more, and closes after
     * {@link #LINGER_MS} (or sooner, when the client closes). The answer is written from here,
     * not through the handlers behind this one: the keep-alive handler never saw this request.
     */
    private void refuse(ChannelHandlerContext ctx, Object msg, ApiResponse response) {
        refused = true;
        ReferenceCountUtil.release(msg);
        ctx.channel().config().setAutoRead(false);
        FullHttpResponse answer = HttpDispatcher.toHttp(response);
        answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(answer).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess() || !(ctx.channel() instanceof DuplexChannel duplex)) {
                ctx.close();
                return;
            }
            duplex.shutdownOutput();
            ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
        });
    }
}
