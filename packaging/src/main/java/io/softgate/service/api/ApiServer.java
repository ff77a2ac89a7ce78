package io.softgate.service.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's HTTP/1.1 server on Netty: optional TLS, request line/header limits, credentials
 * checked on a request's head before its body is buffered ({@link CredentialGate}), bodies limited
 * to {@code maxRequestBytes} (413 beyond, in the envelope), at most {@link #MAX_CONNECTIONS} open
 * connections, idle connections closed after 60 s, one request at a time per connection (pipelined
 * requests are read and answered in order, {@link RequestSequencer}), and every request handled on
 * one executor thread ({@code softgate-api}) so changes apply one at a time and the I/O thread never
 * waits for a compile.
 *
 * <p>Threading: {@link #start} and {@link #close} by the control thread.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final int MAX_INITIAL_LINE_BYTES = 8192;
    private static final int MAX_HEADER_BYTES = 16384;
    private static final int IDLE_SECONDS = 60;
    /**
     * Open connections beyond which a new one is closed at once. The API's clients are a
     * controller, softgatectl and a metrics scraper; the cap bounds what many idle or slow
     * connections cost (each may hold a request body of up to maxRequestBytes).
     */
    static final int MAX_CONNECTIONS = 256;

    private final Router router;
    private final Authenticator authenticator;
    private final SslContext tls;
    private final int maxRequestBytes;
    private final int maxConnections;
    private EventLoopGroup group;
    private EventExecutorGroup handlers;
    private Channel channel;
    private final ChannelGroup connections = new DefaultChannelGroup("softgate-api", GlobalEventExecutor.INSTANCE);

    public ApiServer(Router router, Authenticator authenticator, SslContext tls, int maxRequestBytes) {
        this(router, authenticator, tls, maxRequestBytes, MAX_CONNECTIONS);
    }

    /** As the public constructor, with at most {@code maxConnections} open connections (tests use a few). */
    ApiServer(Router router, Authenticator authenticator, SslContext tls, int maxRequestBytes, int maxConnections) {
        this.router = router;
        this.authenticator = authenticator;
        this.tls = tls;
        this.maxRequestBytes = maxRequestBytes;
        this.maxConnections = maxConnections;
    }

    /** Binds and returns the bound address (port 0 picks a free port). */
    public InetSocketAddress start(String host, int port) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        handlers = new DefaultEventExecutorGroup(1, runnable -> {
            Thread thread = new Thread(runnable, "softgate-api");
            thread.setDaemon(true);
            return thread;
        });
        HttpDispatcher dispatcher = new HttpDispatcher(router, authenticator);
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    // The server channel and every connection share the one I/O thread, so the
                    // count cannot change between this check and the add.
                    if (connections.size() >= maxConnections) {
                        LOG.debug("API connection refused: {} connections open", connections.size());
                        ch.close();
                        return;
                    }
                    connections.add(ch);
                    ChannelPipeline pipeline = ch.pipeline();
                    if (tls != null) {
                        pipeline.addLast(tls.newHandler(ch.alloc()));
                    }
                    pipeline.addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS));
                    pipeline.addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192));
                    // Before everything that answers (gate, aggregator, dispatcher): pipelined
                    // requests go on one at a time, so their answers go out in order (RFC 9112 §9.3.2).
                    pipeline.addLast(new RequestSequencer());
                    // Before the keep-alive handler, which then never sees a refused request.
                    pipeline.addLast(new CredentialGate(router, authenticator));
                    pipeline.addLast(new HttpServerKeepAliveHandler());
                    pipeline.addLast(new EnvelopeAggregator(maxRequestBytes));
                    pipeline.addLast(handlers, dispatcher);
                }
            });
        channel = bootstrap.bind(host, port).sync().channel();
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Netty's aggregator with its 413 and 417 answers in the envelope (Netty's have no body).
     * Whether the connection stays open after a 413 is Netty's rule: it closes when the body is
     * already in (or will not come: a failed 100-continue); otherwise the rest is read and dropped.
     */
    static final class EnvelopeAggregator extends HttpObjectAggregator {
        EnvelopeAggregator(int maxContentLength) {
            super(maxContentLength, true);
        }

        private ApiResponse tooLarge() {
            return Envelope.error(413, "body", "larger than " + maxContentLength() + " bytes (api.maxRequestBytes)");
        }

        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            Object response = super.newContinueResponse(start, maxContentLength, pipeline);
            if (response instanceof HttpResponse refused && refused.status().codeClass() == HttpStatusClass.CLIENT_ERROR) {
                int status = refused.status().code();
                ReferenceCountUtil.release(response);
                return HttpDispatcher.toHttp(status == 413 ? tooLarge()
                    : Envelope.error(status, "Expect", "only 100-continue is supported"));
            }
            return response;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
            if (!(oversized instanceof HttpRequest)) {
                super.handleOversizedMessage(ctx, oversized);
                return;
            }
            FullHttpResponse answer = HttpDispatcher.toHttp(tooLarge());
            if (oversized instanceof FullHttpMessage || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized)) {
                answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
    }

    public boolean tls() {
        return tls != null;
    }

    @Override
    public void close() {
        // Listener first, then open connections (their last events run on the handler
        // executor, which must still be alive), then the handler executor, then the I/O loop.
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (handlers != null) {
            handlers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
