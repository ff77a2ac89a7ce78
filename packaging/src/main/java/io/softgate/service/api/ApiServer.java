package io.softgate.service.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The API's HTTP/1.1 server on Netty: optional TLS, request line/header limits, credentials
 * checked on a request's head before its body is buffered ({@link CredentialGate}), bodies limited
 * to {@code maxRequestBytes} (413 beyond), idle connections closed after 60 s, and every request
 * handled on one executor thread ({@code softgate-api}) so changes apply one at a time and the I/O
 * thread never waits for a compile.
 *
 * <p>Threading: {@link #start} and {@link #close} by the control thread.
 */
public final class ApiServer implements AutoCloseable {
    private static final int MAX_INITIAL_LINE_BYTES = 8192;
    private static final int MAX_HEADER_BYTES = 16384;
    private static final int IDLE_SECONDS = 60;

    private final Router router;
    private final Authenticator authenticator;
    private final SslContext tls;
    private final int maxRequestBytes;
    private EventLoopGroup group;
    private EventExecutorGroup handlers;
    private Channel channel;
    private final ChannelGroup connections = new DefaultChannelGroup("softgate-api", GlobalEventExecutor.INSTANCE);

    public ApiServer(Router router, Authenticator authenticator, SslContext tls, int maxRequestBytes) {
        this.router = router;
        this.authenticator = authenticator;
        this.tls = tls;
        this.maxRequestBytes = maxRequestBytes;
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
                    connections.add(ch);
                    ChannelPipeline pipeline = ch.pipeline();
                    if (tls != null) {
                        pipeline.addLast(tls.newHandler(ch.alloc()));
                    }
                    pipeline.addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS));
                    pipeline.addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192));
                    // Before the keep-alive handler, which then never sees a refused request.
                    pipeline.addLast(new CredentialGate(router, authenticator));
                    pipeline.addLast(new HttpServerKeepAliveHandler());
                    pipeline.addLast(new HttpObjectAggregator(maxRequestBytes));
                    pipeline.addLast(handlers, dispatcher);
                }
            });
        channel = bootstrap.bind(host, port).sync().channel();
        return (InetSocketAddress) channel.localAddress();
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
