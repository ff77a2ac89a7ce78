package io.softgate.evpn.bgp.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.softgate.evpn.bgp.capability.Capability;
import io.softgate.evpn.bgp.capability.ExtendedMessageCapability;
import io.softgate.evpn.bgp.capability.FourOctetAsCapability;
import io.softgate.evpn.bgp.capability.GracefulRestartCapability;
import io.softgate.evpn.bgp.capability.MultiprotocolCapability;
import io.softgate.evpn.bgp.capability.RouteRefreshCapability;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.StopMode;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.KeepaliveMessage;
import io.softgate.evpn.bgp.message.MessageDecodeResult;
import io.softgate.evpn.bgp.message.NotificationMessage;
import io.softgate.evpn.bgp.message.OpenMessage;
import io.softgate.evpn.bgp.message.RouteRefreshMessage;
import io.softgate.evpn.bgp.message.UpdateErrorCounters;
import io.softgate.evpn.bgp.message.UpdateMessage;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.rib.PeerIdentity;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One configured neighbour and its RFC 4271 §8 finite state machine: connect (unless
 * passive) with exponential connect-retry backoff, accept, OPEN exchange and capability
 * negotiation, collision resolution (§6.8, RFC 6286 §2.3), Established, and graceful restart
 * as the receiving speaker (RFC 4724 §4.2): a peer that vanishes without a NOTIFICATION keeps
 * its routes, marked stale, until it is back and sends End-of-RIB or the restart timer runs
 * out. When both OPENs set the RFC 8538 N bit, a NOTIFICATION sent or received (Hold Timer
 * Expired included) does the same, unless it is a Hard Reset, which flushes them.
 *
 * <p>Threading: confined to the speaker's event loop.
 */
final class BgpPeer {
    private static final System.Logger LOG = System.getLogger(BgpPeer.class.getName());

    private final BgpSpeaker speaker;
    private final NeighborSettings settings;
    private final EventLoop loop;
    private final List<BgpConnection> connections = new ArrayList<>(2);
    private final UpdateErrorCounters counters = new UpdateErrorCounters();
    private BgpConnection established;
    private long connectRetryDelayMillis;
    private ScheduledFuture<?> connectRetryTimer;
    private final Set<AddressFamily> staleFamilies = new HashSet<>();
    private ScheduledFuture<?> restartTimer;
    private ScheduledFuture<?> stalePathTimer;
    private boolean stopped;
    private volatile BgpState publishedState = BgpState.IDLE;
    private volatile int establishedTransitions;
    /** Wall-clock time the session last reached Established (0: never). */
    private volatile long establishedAtEpochMs;

    BgpPeer(BgpSpeaker speaker, NeighborSettings settings, EventLoop loop) {
        this.speaker = speaker;
        this.settings = settings;
        this.loop = loop;
        this.connectRetryDelayMillis = speaker.settings().connectRetryInitialMillis();
    }

    BgpSpeaker speaker() {
        return speaker;
    }

    NeighborSettings settings() {
        return settings;
    }

    UpdateErrorCounters counters() {
        return counters;
    }

    BgpState state() {
        return publishedState;
    }

    int establishedTransitions() {
        return establishedTransitions;
    }

    void log(System.Logger.Level level, String message) {
        LOG.log(level, "peer " + settings.address().getHostAddress() + ": " + message);
    }

    private void publishState() {
        BgpState best = BgpState.IDLE;
        for (BgpConnection connection : connections) {
            if (connection.state.ordinal() > best.ordinal()) {
                best = connection.state;
            }
        }
        if (best == BgpState.IDLE && !stopped) {
            best = settings.passive() || connectRetryTimer != null ? BgpState.ACTIVE : BgpState.IDLE;
        }
        publishedState = best;
    }

    // ---- start, stop, connect -------------------------------------------------------------

    void start() {
        if (!settings.passive()) {
            connect();
        }
        publishState();
    }

    /**
     * Stops the neighbour for good (no reconnect, accepted connections refused) and ends its
     * connections as {@code mode} says; returns how many established sessions ended without a
     * NOTIFICATION (a graceful restart for the peer).
     */
    int stop(StopMode mode) {
        if (stopped) {
            return 0; // shut down before: its connections got their Cease then
        }
        stopped = true;
        cancel(connectRetryTimer);
        cancel(restartTimer);
        cancel(stalePathTimer);
        int restarted = 0;
        for (BgpConnection connection : new ArrayList<>(connections)) {
            if (mode == StopMode.RESTART && connection.state == BgpState.ESTABLISHED
                    && connection.gracefulRestartNegotiated()) {
                // RFC 4724 §4: the peer keeps our routes (as stale, for our Restart Time) only when
                // the session ends without a NOTIFICATION: "the TCP connection is terminated"; any
                // NOTIFICATION makes an RFC 4724 peer delete them. RFC 8538 §4 would also keep them
                // after a Cease other than Hard Reset, but only where both set N: a plain close is
                // a graceful restart to every peer, so a planned restart closes the TCP connection
                // and sends nothing (RFC 4724 §4.1: we then come back with the R bit set).
                log(System.Logger.Level.INFO, "planned restart: closing the session without a NOTIFICATION, "
                        + "the peer keeps our routes for our restart time");
                connection.close();
                restarted++;
            } else {
                // RFC 8538 §5.1: Administrative Shutdown ends the session for good, so with the N bit
                // exchanged it goes out as a Hard Reset and the peer flushes our routes (notifyAndClose).
                connection.notifyAndClose(new NotificationMessage(NotificationMessage.CEASE,
                        NotificationMessage.ADMINISTRATIVE_SHUTDOWN));
            }
        }
        publishState();
        return restarted;
    }

    /** Whether the neighbour is stopped (the speaker stopped or was shut down). */
    boolean stopped() {
        return stopped;
    }

    private void connect() {
        connectRetryTimer = null;
        if (stopped || established != null || !connections.isEmpty()) {
            return;
        }
        BgpConnection connection = new BgpConnection(this, true, initialContext());
        connections.add(connection);
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new BgpFrameDecoder(), connection);
                    }
                });
        InetSocketAddress remote = new InetSocketAddress(settings.address(), settings.port());
        ChannelFuture future = settings.localAddress() == null ? bootstrap.connect(remote)
                : bootstrap.connect(remote, new InetSocketAddress(settings.localAddress(), 0));
        connection.channel = future.channel();
        future.addListener(f -> {
            if (!f.isSuccess()) {
                log(System.Logger.Level.DEBUG, "connect failed: " + f.cause());
                connections.remove(connection);
                scheduleConnectRetry();
            }
        });
        publishState();
    }

    private void scheduleConnectRetry() {
        if (stopped || settings.passive() || connectRetryTimer != null || established != null || !connections.isEmpty()) {
            publishState();
            return;
        }
        long delay = connectRetryDelayMillis;
        // RFC 4271 §8.1.1 ConnectRetryTimer, with exponential backoff (RFC 4271 §8.1.1 option
        // DampPeerOscillations in spirit) capped by the configured ceiling.
        connectRetryDelayMillis = Math.min(connectRetryDelayMillis * 2, speaker.settings().connectRetryMaxMillis());
        connectRetryTimer = loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        publishState();
    }

    /** An accepted connection from this neighbour's address. */
    void accept(Channel channel) {
        if (stopped) {
            channel.close();
            return;
        }
        BgpConnection connection = new BgpConnection(this, false, initialContext());
        connections.add(connection);
        channel.pipeline().addLast(new BgpFrameDecoder(), connection);
    }

    private CodecContext initialContext() {
        return speaker.baseContext().withCounters(counters).withExternalPeer(external());
    }

    /** An external (eBGP) neighbour: its AS is not ours. */
    private boolean external() {
        return settings.remoteAsn() != speaker.settings().asNumber();
    }

    // ---- FSM events -----------------------------------------------------------------------

    void connectionActive(BgpConnection connection) {
        connection.state = BgpState.OPEN_SENT;
        connection.send(localOpen());
        connection.restartHoldTimer(BgpConnection.OPEN_HOLD_TIME_SECONDS);
        publishState();
    }

    private OpenMessage localOpen() {
        BgpNodeSettings node = speaker.settings();
        List<Capability> capabilities = new ArrayList<>();
        for (AddressFamily family : settings.addressFamilies()) {
            capabilities.add(new MultiprotocolCapability(family));
        }
        capabilities.add(RouteRefreshCapability.INSTANCE);
        capabilities.add(ExtendedMessageCapability.INSTANCE);
        capabilities.add(new FourOctetAsCapability(node.asNumber()));
        GracefulRestartSettings restart = node.gracefulRestart();
        if (restart.enabled()) {
            List<GracefulRestartCapability.Family> families = new ArrayList<>();
            for (AddressFamily family : settings.addressFamilies()) {
                families.add(new GracefulRestartCapability.Family(family, restart.forwardingStatePreserved()));
            }
            // RFC 4724 §3 / §4.1: the Restart State bit only while this start is a restart in progress
            // (the speaker clears it when its selection deferral ends), never in a later session's OPEN.
            capabilities.add(new GracefulRestartCapability(speaker.restartInProgress(), restart.notification(),
                    restart.restartTimeSeconds(), families));
        }
        int myAs = node.asNumber() > 0xFFFF ? OpenMessage.AS_TRANS : (int) node.asNumber();
        return new OpenMessage(4, myAs, settings.holdTimeSeconds(), node.routerIdAsLong(), capabilities);
    }

    void messageReceived(BgpConnection connection, MessageDecodeResult result) {
        if (result.isFailure()) {
            log(System.Logger.Level.WARNING, "malformed message, sending " + result.error());
            connection.notifyAndClose(result.error());
            return;
        }
        BgpMessage message = result.message();
        if (message instanceof NotificationMessage) {
            log(System.Logger.Level.INFO, "received " + message);
            connection.notification = (NotificationMessage) message;
            connection.close();
            return;
        }
        switch (connection.state) {
            case OPEN_SENT:
                if (message instanceof OpenMessage) {
                    receiveOpen(connection, (OpenMessage) message);
                } else {
                    fsmError(connection, NotificationMessage.UNEXPECTED_MESSAGE_IN_OPEN_SENT);
                }
                break;
            case OPEN_CONFIRM:
                if (message instanceof KeepaliveMessage) {
                    // RFC 4271 §8.2.2: KeepAliveMsg in OpenConfirm restarts the HoldTimer.
                    connection.restartHoldTimer(connection.holdTimeSeconds);
                    becomeEstablished(connection);
                } else {
                    fsmError(connection, NotificationMessage.UNEXPECTED_MESSAGE_IN_OPEN_CONFIRM);
                }
                break;
            case ESTABLISHED:
                connection.restartHoldTimer(connection.holdTimeSeconds);
                if (message instanceof UpdateMessage) {
                    receiveUpdate(connection, (UpdateMessage) message);
                } else if (message instanceof RouteRefreshMessage) {
                    speaker.rib().refresh(connection, ((RouteRefreshMessage) message).addressFamily());
                } else if (!(message instanceof KeepaliveMessage)) {
                    fsmError(connection, NotificationMessage.UNEXPECTED_MESSAGE_IN_ESTABLISHED);
                }
                break;
            default:
                break;
        }
    }

    /** RFC 6608 §4: the subcode names the state the unexpected message arrived in. */
    private void fsmError(BgpConnection connection, int subcode) {
        connection.notifyAndClose(new NotificationMessage(NotificationMessage.FINITE_STATE_MACHINE_ERROR, subcode));
    }

    private void receiveOpen(BgpConnection connection, OpenMessage open) {
        BgpNodeSettings node = speaker.settings();
        if (open.autonomousSystem() != settings.remoteAsn()) {
            connection.notifyAndClose(new NotificationMessage(NotificationMessage.OPEN_MESSAGE_ERROR,
                    NotificationMessage.BAD_PEER_AS));
            return;
        }
        // RFC 6286 §2.2: our own BGP Identifier is refused only from an internal peer; it need
        // be unique within the AS alone, so an external peer may share it.
        if (!external() && open.bgpIdentifier() == node.routerIdAsLong()) {
            connection.notifyAndClose(new NotificationMessage(NotificationMessage.OPEN_MESSAGE_ERROR,
                    NotificationMessage.BAD_BGP_IDENTIFIER));
            return;
        }
        if (!resolveCollision(connection, open)) {
            return;
        }
        connection.receivedOpen = open;
        Set<AddressFamily> theirs = new HashSet<>(open.multiprotocolFamilies());
        if (theirs.isEmpty()) {
            theirs.add(AddressFamily.IPV4_UNICAST); // RFC 4760 §8: no MP capability means IPv4 unicast.
        }
        Set<AddressFamily> families = new HashSet<>(settings.addressFamilies());
        families.retainAll(theirs);
        connection.families = Set.copyOf(families);
        boolean fourOctet = open.has(FourOctetAsCapability.class);
        boolean extended = open.has(ExtendedMessageCapability.class);
        connection.context = connection.context.withFourOctetAs(fourOctet).withMaxMessageLength(
                extended ? CodecContext.EXTENDED_MAX_MESSAGE_LENGTH : CodecContext.STANDARD_MAX_MESSAGE_LENGTH);
        connection.identity = new PeerIdentity(settings.address(), open.bgpIdentifier(), open.autonomousSystem(),
                external());
        // RFC 4271 §4.2: the smaller of the two hold times; zero means no keepalives.
        connection.holdTimeSeconds = Math.min(open.holdTimeSeconds(), settings.holdTimeSeconds());
        connection.send(KeepaliveMessage.INSTANCE);
        connection.state = BgpState.OPEN_CONFIRM;
        // RFC 4271 §8.2.2 (OpenSent, BGPOpen received): start the KeepaliveTimer and set the
        // HoldTimer to the negotiated value.
        connection.startKeepalives();
        connection.restartHoldTimer(connection.holdTimeSeconds);
        publishState();
    }

    /** RFC 4271 §6.8; returns false when {@code connection} lost and was closed. */
    private boolean resolveCollision(BgpConnection connection, OpenMessage open) {
        for (BgpConnection other : new ArrayList<>(connections)) {
            if (other == connection) {
                continue;
            }
            if (other.state == BgpState.ESTABLISHED) {
                if (open.gracefulRestart() != null) {
                    // RFC 4724 §4.2: a new connection from a restarting peer replaces the old
                    // session, whose routes become stale.
                    log(System.Logger.Level.INFO, "peer reconnected while established: treating as restart");
                    other.close();
                    continue;
                }
                connection.notifyAndClose(new NotificationMessage(NotificationMessage.CEASE,
                        NotificationMessage.CONNECTION_COLLISION_RESOLUTION));
                return false;
            }
            if (other.state == BgpState.OPEN_CONFIRM) {
                boolean localWins = localWinsCollision(open);
                BgpConnection loser = (other.outgoing == localWins) ? connection : other;
                loser.notifyAndClose(new NotificationMessage(NotificationMessage.CEASE,
                        NotificationMessage.CONNECTION_COLLISION_RESOLUTION));
                if (loser == connection) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether the connection this speaker initiated survives a collision: RFC 4271 §6.8, the one
     * initiated by the speaker with the higher BGP Identifier (compared as unsigned 32-bit
     * numbers); RFC 6286 §2.3, when the identifiers are equal (only possible with an external
     * peer, §2.2), the one initiated by the speaker with the larger AS number.
     */
    private boolean localWinsCollision(OpenMessage open) {
        BgpNodeSettings node = speaker.settings();
        if (node.routerIdAsLong() != open.bgpIdentifier()) {
            return node.routerIdAsLong() > open.bgpIdentifier();
        }
        return node.asNumber() > open.autonomousSystem();
    }

    private void becomeEstablished(BgpConnection connection) {
        connection.state = BgpState.ESTABLISHED;
        established = connection;
        establishedTransitions++;
        establishedAtEpochMs = System.currentTimeMillis();
        connectRetryDelayMillis = speaker.settings().connectRetryInitialMillis();
        cancel(connectRetryTimer);
        connectRetryTimer = null;
        for (BgpConnection other : new ArrayList<>(connections)) {
            if (other != connection) {
                other.notifyAndClose(new NotificationMessage(NotificationMessage.CEASE,
                        NotificationMessage.CONNECTION_COLLISION_RESOLUTION));
            }
        }
        log(System.Logger.Level.INFO, "established, families " + connection.families + ", hold "
                + connection.holdTimeSeconds + " s");
        handleRestartedPeer(connection.receivedOpen);
        publishState();
        speaker.rib().peerEstablished(connection);
        speaker.peerSynchronised();
    }

    /**
     * RFC 4724 §4.1, for a restarting speaker's deferral: whether this neighbour no longer holds it
     * back — its session is Established and it sent End-of-RIB for every negotiated family, or it
     * is excluded from the wait (no Graceful Restart capability, or its own R bit set: it is
     * restarting too and waits for ours, RFC 4724 §3).
     */
    boolean synchronisedAfterOurRestart() {
        BgpConnection connection = established;
        if (connection == null) {
            return false;
        }
        GracefulRestartCapability theirs = connection.peerGracefulRestart();
        return theirs == null || theirs.restartState() || connection.endOfRibReceived.containsAll(connection.families);
    }

    private void handleRestartedPeer(OpenMessage open) {
        if (staleFamilies.isEmpty()) {
            return;
        }
        cancel(restartTimer);
        restartTimer = null;
        GracefulRestartCapability restart = open.gracefulRestart();
        for (AddressFamily family : new ArrayList<>(staleFamilies)) {
            GracefulRestartCapability.Family entry = restart == null ? null : restart.find(family);
            if (entry == null || !entry.forwardingStatePreserved()) {
                // RFC 4724 §4.2: forwarding state not preserved -> drop the stale routes now.
                staleFamilies.remove(family);
                speaker.rib().sweepStale(settings.address(), family);
            }
        }
        // RFC 4724 §4.2: one stale-path timer per restart; a flapping peer's earlier one must
        // not sweep the routes of this restart window early.
        cancel(stalePathTimer);
        stalePathTimer = null;
        if (!staleFamilies.isEmpty()) {
            long staleSeconds = Math.max(1, speaker.settings().gracefulRestart().stalePathTimeSeconds());
            stalePathTimer = loop.schedule(this::sweepAllStale, staleSeconds, TimeUnit.SECONDS);
        }
    }

    private void receiveUpdate(BgpConnection connection, UpdateMessage update) {
        AddressFamily endOfRib = update.endOfRibFamily();
        if (endOfRib != null) {
            connection.endOfRibReceived.add(endOfRib);
            speaker.peerSynchronised();
            if (staleFamilies.remove(endOfRib)) {
                // RFC 4724 §4.2: End-of-RIB from the restarted peer: whatever is still stale is gone.
                speaker.rib().sweepStale(settings.address(), endOfRib);
                if (staleFamilies.isEmpty()) {
                    cancel(stalePathTimer);
                    stalePathTimer = null;
                }
            }
            return;
        }
        speaker.rib().applyUpdate(connection, update);
    }

    void connectionClosed(BgpConnection connection, BgpState previous) {
        connections.remove(connection);
        if (connection == established) {
            established = null;
            Set<AddressFamily> retained = retainedFamilies(connection);
            log(System.Logger.Level.INFO, "session down" + (retained.isEmpty() ? "" : ", keeping stale " + retained));
            speaker.rib().peerClosed(connection, retained);
            // The stale-path timer belonged to the restart that this session completed: the
            // routes are now either dropped or stale again under a new restart timer.
            cancel(stalePathTimer);
            stalePathTimer = null;
            staleFamilies.clear();
            staleFamilies.addAll(retained);
            if (!retained.isEmpty()) {
                cancel(restartTimer);
                int restartSeconds = connection.receivedOpen.gracefulRestart().restartTimeSeconds();
                restartTimer = loop.schedule(this::sweepAllStale, Math.max(1, restartSeconds), TimeUnit.SECONDS);
            }
        }
        scheduleConnectRetry();
        publishState();
    }

    private Set<AddressFamily> retainedFamilies(BgpConnection connection) {
        if (stopped || !endedGracefully(connection) || !connection.gracefulRestartNegotiated()) {
            return Set.of();
        }
        Set<AddressFamily> retained = new HashSet<>();
        for (GracefulRestartCapability.Family family : connection.peerGracefulRestart().families()) {
            if (connection.families.contains(family.addressFamily())) {
                retained.add(family.addressFamily());
            }
        }
        return retained;
    }

    /**
     * Whether the session's end lets the peer's routes stay as stale: a TCP failure (RFC 4724
     * §4.2); a NOTIFICATION sent or received, Hold Timer Expired included, only when both OPENs
     * set the N bit (RFC 8538 §4: the sender of the NOTIFICATION follows the receiving speaker's
     * rules too) and it is no Hard Reset (RFC 8538 §3.2: a Hard Reset flushes, as RFC 4271 does).
     */
    private static boolean endedGracefully(BgpConnection connection) {
        NotificationMessage notification = connection.notification;
        return notification == null || (connection.notificationGracefulRestart() && !notification.isHardReset());
    }

    private void sweepAllStale() {
        cancel(restartTimer);
        restartTimer = null;
        cancel(stalePathTimer);
        stalePathTimer = null;
        for (AddressFamily family : staleFamilies) {
            speaker.rib().sweepStale(settings.address(), family);
        }
        staleFamilies.clear();
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    /** Wall-clock time the session last reached Established, 0 if it never did (state API). */
    long establishedAtEpochMs() {
        return establishedAtEpochMs;
    }
}
