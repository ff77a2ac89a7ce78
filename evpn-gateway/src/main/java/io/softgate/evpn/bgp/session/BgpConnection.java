package io.softgate.evpn.bgp.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.softgate.evpn.bgp.capability.GracefulRestartCapability;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.MessageDecodeResult;
import io.softgate.evpn.bgp.message.NotificationMessage;
import io.softgate.evpn.bgp.message.OpenMessage;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.rib.PeerIdentity;
import io.softgate.evpn.bgp.rib.RibPeer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connection of a peer, from connect/accept to close: decodes frames, keeps the hold
 * and keepalive timers, and forwards every message to its {@link BgpPeer}, which runs the FSM.
 * Two may exist for one peer during a connection collision (RFC 4271 §6.8).
 *
 * <p>Threading: confined to the speaker's event loop.
 */
final class BgpConnection extends ChannelInboundHandlerAdapter implements RibPeer {
    /** RFC 4271 §8.2.2: hold timer while waiting for OPEN, "a large value", 4 minutes suggested. */
    static final int OPEN_HOLD_TIME_SECONDS = 240;

    final BgpPeer peer;
    final boolean outgoing;
    Channel channel;
    BgpState state = BgpState.CONNECT;
    OpenMessage receivedOpen;
    CodecContext context;
    Set<AddressFamily> families = Set.of();
    PeerIdentity identity;
    int holdTimeSeconds;
    /** The NOTIFICATION sent or received (Hold Timer Expired included), null while there was none. */
    NotificationMessage notification;
    /** The families whose End-of-RIB the peer sent on this connection (RFC 4724 §2). */
    final Set<AddressFamily> endOfRibReceived = new java.util.HashSet<>();
    private ScheduledFuture<?> holdTimer;
    private ScheduledFuture<?> keepaliveTimer;

    BgpConnection(BgpPeer peer, boolean outgoing, CodecContext initialContext) {
        this.peer = peer;
        this.outgoing = outgoing;
        this.context = initialContext;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        peer.connectionActive(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        ByteBuf frame = (ByteBuf) message;
        try {
            if (state == BgpState.IDLE) {
                return;
            }
            peer.speaker().recordReceived(frame);
            MessageDecodeResult result = peer.speaker().decoder().decode(frame, context);
            peer.messageReceived(this, result);
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimers();
        BgpState previous = state;
        state = BgpState.IDLE;
        peer.connectionClosed(this, previous);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        peer.log(System.Logger.Level.DEBUG, "connection error: " + cause);
        ctx.close();
    }

    void send(BgpMessage message) {
        if (channel == null || !channel.isActive()) {
            return;
        }
        ByteBuf out = channel.alloc().buffer();
        peer.speaker().encoder().encode(message, out, context);
        channel.writeAndFlush(out, channel.voidPromise());
    }

    /**
     * Sends the NOTIFICATION, then closes (RFC 4271 §6). With the N bit exchanged, a Cease that
     * ends the session for good goes out encapsulated in a Hard Reset (RFC 8538 §3.1, §5.1);
     * never to a peer that did not set N (RFC 8538 §3).
     */
    void notifyAndClose(NotificationMessage cause) {
        NotificationMessage sent = notificationGracefulRestart() && cause.warrantsHardReset()
                ? NotificationMessage.hardReset(cause) : cause;
        notification = sent;
        if (channel == null || !channel.isActive()) {
            return;
        }
        ByteBuf out = channel.alloc().buffer();
        peer.speaker().encoder().encode(sent, out, context);
        channel.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        state = BgpState.IDLE;
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    /**
     * Whether graceful restart is negotiated on this connection: we advertise the capability and
     * the peer's OPEN carried it (RFC 4724 §3: even without families, it then acts as the
     * receiving speaker and keeps our routes across our restart).
     */
    boolean gracefulRestartNegotiated() {
        return peer.speaker().settings().gracefulRestart().enabled() && peerGracefulRestart() != null;
    }

    /**
     * Both OPENs set the RFC 8538 N bit (§2, §4): a NOTIFICATION other than Hard Reset ends the
     * session gracefully.
     */
    boolean notificationGracefulRestart() {
        GracefulRestartCapability theirs = peerGracefulRestart();
        return peer.speaker().settings().gracefulRestart().advertisesNotification()
            && theirs != null && theirs.notificationSupport();
    }

    /** The Graceful Restart capability of the peer's OPEN, or null. */
    GracefulRestartCapability peerGracefulRestart() {
        return receivedOpen == null ? null : receivedOpen.gracefulRestart();
    }

    void restartHoldTimer(int seconds) {
        if (holdTimer != null) {
            holdTimer.cancel(false);
            holdTimer = null;
        }
        if (seconds > 0 && channel != null) {
            holdTimer = channel.eventLoop().schedule(() -> {
                peer.log(System.Logger.Level.WARNING, "hold timer expired");
                notifyAndClose(new NotificationMessage(NotificationMessage.HOLD_TIMER_EXPIRED, 0));
            }, seconds, TimeUnit.SECONDS);
        }
    }

    void startKeepalives() {
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel(false);
            keepaliveTimer = null;
        }
        if (holdTimeSeconds > 0 && channel != null) {
            long intervalMillis = holdTimeSeconds * 1000L / 3;
            keepaliveTimer = channel.eventLoop().scheduleAtFixedRate(() -> send(io.softgate.evpn.bgp.message.KeepaliveMessage.INSTANCE),
                    intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    void cancelTimers() {
        if (holdTimer != null) {
            holdTimer.cancel(false);
        }
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel(false);
        }
    }

    // ---- RibPeer ---------------------------------------------------------------------------

    @Override
    public PeerIdentity identity() {
        return identity;
    }

    @Override
    public Set<AddressFamily> negotiatedFamilies() {
        return families;
    }

    @Override
    public CodecContext codecContext() {
        return context;
    }

    @Override
    public boolean wantsEndOfRib() {
        return peerGracefulRestart() != null;
    }

    @Override
    public ByteBufAllocator allocator() {
        return channel.alloc();
    }

    @Override
    public void send(List<ByteBuf> messages) {
        if (channel == null || !channel.isActive() || state != BgpState.ESTABLISHED) {
            for (ByteBuf message : messages) {
                message.release();
            }
            return;
        }
        for (ByteBuf message : messages) {
            channel.write(message, channel.voidPromise());
        }
        channel.flush();
    }
}
