package io.softgate.service.api;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Lets one request at a time past it on a connection: the next request's head goes on to the
 * handlers behind it (the credential gate, the aggregator, the dispatcher) only once the final
 * answer to the current one is written, so answers leave in the order of their requests whoever
 * writes them (RFC 9112 §9.3.2). The connection reads from its socket on demand only (auto-read
 * off): while the current request's body comes in, and again once its answer is written; nothing
 * is read while a complete request waits for its answer.
 *
 * <p>Why: the handlers that answer run on different threads. The credential gate (401, 413
 * without credentials) and the aggregator (413, 417, 100 Continue) answer on the I/O thread as a
 * request's head arrives; the dispatcher answers on the API's handler thread once the handler
 * has run. With two requests in one TCP read, the second one's 401 was written while the first
 * was still being handled, ahead of its answer. Holding the second request until the first's
 * answer is out keeps every writer in order without numbering answers, and holding it until the
 * answer is written (not just queued) also means a client that pipelines without reading its
 * answers cannot pile them up in the server's memory.
 *
 * <p>What it holds: requests the codec decoded from bytes already read when the current request
 * was complete, at most what one socket read carries (the codec decodes a whole read at once),
 * because it asks for no further read until they are passed on. After an answer with
 * {@code Connection: close} it passes nothing more and reads nothing more.
 *
 * <p>Threading: one instance per connection, called on that connection's I/O event loop only
 * (the dispatcher's writes reach it there, and so do their completions).
 */
final class RequestSequencer extends ChannelDuplexHandler {
    /** Decoded messages of requests after the current one, in arrival order. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    /** The current request's head was passed on and its final answer is not written yet. */
    private boolean answerPending;
    /** The current request's last content was passed on (true before the first request). */
    private boolean bodyComplete = true;
    /** Between a final answer's head and its last content, on the way out. */
    private boolean writingFinalAnswer;
    /** An answer closes the connection (or a write failed): nothing more is passed on or read. */
    private boolean closing;
    /** In {@link #passHeld}: a write completing inside it leaves the passing to that loop. */
    private boolean passing;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!held.isEmpty() || msg instanceof HttpRequest && !exchangeDone()) {
            held.add(msg);
            return;
        }
        pass(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        readIfWanted(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            // A 100 Continue is interim (RFC 9110 §15.2): the final answer to the request is still to come.
            writingFinalAnswer = true;
            if (!HttpUtil.isKeepAlive(response)) {
                stopPassing();
            }
        }
        if (!writingFinalAnswer || !(msg instanceof LastHttpContent)) {
            ctx.write(msg, promise);
            return;
        }
        writingFinalAnswer = false;
        ChannelPromise written = promise.unvoid();
        written.addListener((ChannelFutureListener) future -> answerWritten(ctx, future.isSuccess()));
        ctx.write(msg, written);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopPassing();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    /** True when no request is in progress: its body is all passed on and its answer written. */
    private boolean exchangeDone() {
        return !answerPending && bodyComplete;
    }

    private void pass(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            answerPending = true;
            bodyComplete = false;
        }
        // A request the codec could not parse comes as one full message (head and last content).
        if (msg instanceof LastHttpContent) {
            bodyComplete = true;
        }
        ctx.fireChannelRead(msg);
    }

    private void answerWritten(ChannelHandlerContext ctx, boolean success) {
        answerPending = false;
        if (!success) {
            stopPassing();
            ctx.close();
            return;
        }
        passHeld(ctx);
    }

    /** Passes on held messages up to the next request that must wait, then reads if nothing is held. */
    private void passHeld(ChannelHandlerContext ctx) {
        if (passing) {
            return;
        }
        passing = true;
        boolean passed = false;
        try {
            // A handler may answer a passed request at once: that write's completion runs inside this
            // loop, which then sees the exchange done and goes on (unless the answer closes the
            // connection, as the gate's 401 and 413 do: then it stops).
            while (!closing && !held.isEmpty() && !(held.peek() instanceof HttpRequest && !exchangeDone())) {
                pass(ctx, held.poll());
                passed = true;
            }
        } finally {
            passing = false;
        }
        if (passed) {
            ctx.fireChannelReadComplete();
        }
        readIfWanted(ctx);
    }

    /**
     * Asks for the next socket read unless a complete request waits for its answer or requests
     * are held: between requests, and while the current request's body is still coming (also
     * after an early answer, a 413, so that the aggregator can read and drop the rest).
     */
    private void readIfWanted(ChannelHandlerContext ctx) {
        if (!closing && held.isEmpty() && !(answerPending && bodyComplete)) {
            ctx.read();
        }
    }

    private void stopPassing() {
        closing = true;
        releaseHeld();
    }

    private void releaseHeld() {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
