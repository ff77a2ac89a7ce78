package io.softgate.evpn.bgp.session;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.softgate.evpn.bgp.EvpnRouteListener;
import io.softgate.evpn.bgp.attribute.ExtendedCommunitiesAttribute;
import io.softgate.evpn.bgp.attribute.OriginAttribute;
import io.softgate.evpn.bgp.attribute.PathAttribute;
import io.softgate.evpn.bgp.community.EncapsulationExtendedCommunity;
import io.softgate.evpn.bgp.community.ExtendedCommunity;
import io.softgate.evpn.bgp.community.RoutersMacExtendedCommunity;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.StopMode;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.evpn.EthernetSegmentIdentifier;
import io.softgate.evpn.bgp.evpn.IpPrefixRoute;
import io.softgate.evpn.bgp.evpn.RouteDistinguisher;
import io.softgate.evpn.bgp.message.BgpMessageDecoder;
import io.softgate.evpn.bgp.message.BgpMessageEncoder;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorCounters;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.rib.EvpnRouteEvents;
import io.softgate.evpn.bgp.rib.Path;
import io.softgate.evpn.bgp.rib.Rib;
import io.softgate.evpn.bgp.rib.RibCounters;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The softgate's BGP EVPN speaker: its neighbours' sessions, the RIB, the learned-route
 * listeners and the advertisement API.
 *
 * <pre>{@code
 * BgpSpeaker speaker = new BgpSpeaker(settings);
 * speaker.addListener(listener);            // learned type-2/type-5 best-path changes
 * speaker.start();                          // listens (if configured) and connects
 * speaker.advertiseType5(5001, prefix, 32); // RD router-id:n, RT ASN:VNI, ET:8, Router's MAC
 * speaker.withdrawType5(5001, prefix, 32);
 * speaker.addVrf(VrfSettings.of("vpc-7", 7007, 7007)); // at run time: imports learned routes now
 * speaker.removeVrf(7007);                  // withdraws what we originated in it
 * speaker.shutdownSessions();               // drain: Cease to every peer, which withdraws our routes
 * speaker.close();                          // as GracefulRestartSettings.onStop says (stop() tells which)
 * }</pre>
 *
 * <p>Graceful restart as the restarting speaker (RFC 4724 §4.1): with
 * {@link GracefulRestartSettings#restarting()} the OPENs set the Restart State bit and our routes
 * and End-of-RIB are held back from graceful-restart peers until each neighbour sent its
 * End-of-RIB (or is excluded from the wait) or the selection deferral timer ran out; from then on
 * the restart is over and later OPENs clear the bit. A stop with {@link StopMode#RESTART} closes
 * the sessions that negotiated graceful restart without a NOTIFICATION, so the peers keep our
 * routes while we restart.
 *
 * <p>Threading: every session, timer and the RIB run on one Netty event loop thread owned by
 * the speaker; the public methods may be called from any thread and hand their work to it.
 */
public final class BgpSpeaker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BgpSpeaker.class.getName());
    /** Swapped (never mutated) on the event loop when the VRFs change; read from any thread. */
    private volatile BgpNodeSettings settings;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Rib rib;
    private final BgpMessageDecoder decoder = new BgpMessageDecoder();
    private final BgpMessageEncoder encoder = new BgpMessageEncoder();
    private final CodecContext baseContext = CodecContext.standard();
    private final Map<InetAddress, BgpPeer> peers = new LinkedHashMap<>();
    private final List<EvpnRouteListener> listeners = new CopyOnWriteArrayList<>();
    private final EvpnRouteEvents events = new EvpnRouteEvents(listeners);
    private volatile Consumer<byte[]> receivedMessageRecorder;
    private Channel serverChannel;
    private boolean started;
    private boolean closed;
    /** RFC 4724 §4.1: this start is a restart still in progress (R bit set, selection deferred); written on the loop. */
    private volatile boolean restartInProgress;
    private ScheduledFuture<?> selectionDeferralTimer;
    /** {@link #shutdownSessions} ran: every session got a Cease and none comes back until the process restarts. */
    private volatile boolean shutDown;

    public BgpSpeaker(BgpNodeSettings settings) {
        this.settings = settings;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.loop = group.next();
        this.rib = new Rib(settings.routerIdAsLong(), settings.asNumber(), loop);
        rib.locRib().addListener(events);
        restartInProgress = settings.gracefulRestart().restartingSpeaker();
        if (restartInProgress) {
            rib.deferSelection();
        }
        for (NeighborSettings neighbor : settings.neighbors()) {
            peers.put(neighbor.address(), new BgpPeer(this, neighbor, loop));
        }
    }

    /**
     * The settings now: the VRFs are those of the last completed {@link #updateVrfs},
     * {@link #addVrf} or {@link #removeVrf}. On the event loop (listeners) this is exactly the
     * VRF set the RIB works with; read it again rather than keep it.
     */
    public BgpNodeSettings settings() {
        return settings;
    }

    /** Adds a listener for learned EVPN routes; add before {@link #start()} to see every route. */
    public void addListener(EvpnRouteListener listener) {
        listeners.add(listener);
    }

    /** Test and capture hook: receives a copy of every message received from any peer. */
    public void recordReceivedMessages(Consumer<byte[]> recorder) {
        receivedMessageRecorder = recorder;
    }

    /** Binds the listening socket (if configured) and starts every neighbour. */
    public synchronized void start() throws InterruptedException {
        if (started) {
            return;
        }
        started = true;
        if (settings.listenAddress() != null) {
            ServerBootstrap bootstrap = new ServerBootstrap().group(group, group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            InetAddress remote = ((InetSocketAddress) channel.remoteAddress()).getAddress();
                            BgpPeer peer = peers.get(remote);
                            if (peer == null) {
                                channel.close();
                            } else {
                                peer.accept(channel);
                            }
                        }
                    });
            serverChannel = bootstrap.bind(settings.listenAddress(), settings.listenPort()).sync().channel();
        }
        call(() -> {
            if (restartInProgress) {
                int deferralSeconds = settings.gracefulRestart().selectionDeferralTimeSeconds();
                LOG.log(System.Logger.Level.INFO, "graceful restart: restarting speaker, Restart State bit set; our "
                        + "routes and End-of-RIB wait for every neighbour''s End-of-RIB, at most {0} s",
                        Integer.toString(deferralSeconds));
                selectionDeferralTimer = loop.schedule(() -> endRestart("selection deferral timer expired"),
                        deferralSeconds, TimeUnit.SECONDS);
            }
            for (BgpPeer peer : peers.values()) {
                peer.start();
            }
            peerSynchronised(); // no neighbour at all: nothing to wait for
            return null;
        });
    }

    /** Whether this start is a graceful restart still in progress (R bit in our OPENs, updates deferred). */
    public boolean restartInProgress() {
        return restartInProgress;
    }

    /** Whether {@link #shutdownSessions} ran. */
    public boolean isShutDown() {
        return shutDown;
    }

    /**
     * On the event loop, after a neighbour's Established or End-of-RIB: ends the restart once every
     * neighbour is synchronised (RFC 4724 §4.1 (a)).
     */
    void peerSynchronised() {
        if (!restartInProgress) {
            return;
        }
        for (BgpPeer peer : peers.values()) {
            if (!peer.stopped() && !peer.synchronisedAfterOurRestart()) {
                return;
            }
        }
        endRestart("End-of-RIB from every neighbour");
    }

    /**
     * RFC 4724 §4.1: route selection is no longer deferred; the held-back routes and End-of-RIB go
     * out to each established peer, and OPENs from now on clear the Restart State bit.
     */
    private void endRestart(String why) {
        if (!restartInProgress) {
            return;
        }
        restartInProgress = false;
        if (selectionDeferralTimer != null) {
            selectionDeferralTimer.cancel(false);
            selectionDeferralTimer = null;
        }
        LOG.log(System.Logger.Level.INFO, "graceful restart complete ({0}): sending our routes and End-of-RIB", why);
        rib.endSelectionDeferral();
    }

    /** The port the speaker listens on (useful when configured as 0), or -1. */
    public int listenPort() {
        return serverChannel == null ? -1 : ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * Drains the node: sends every neighbour a Cease / Administrative Shutdown (a Hard Reset where
     * both set the N bit, RFC 8538 §5.1), so the peers withdraw our routes at once, and keeps every
     * neighbour down (no reconnect, connections refused) until the speaker is closed; a later
     * {@link #stop} is then a {@link StopMode#SHUTDOWN}. Completes with the number of sessions that
     * were Established.
     */
    public CompletableFuture<Integer> shutdownSessions() {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        loop.execute(() -> {
            shutDown = true;
            int established = 0;
            for (BgpPeer peer : peers.values()) {
                if (peer.state() == BgpState.ESTABLISHED) {
                    established++;
                }
                peer.stop(StopMode.SHUTDOWN);
            }
            LOG.log(System.Logger.Level.INFO, "BGP shut down: Cease sent to {0} established session(s); "
                    + "neighbours stay down until the service restarts", Integer.toString(established));
            done.complete(established);
        });
        return done;
    }

    /**
     * Stops the speaker: ends every session as {@link GracefulRestartSettings#effectiveOnStop()}
     * says (a {@link StopMode#SHUTDOWN} after {@link #shutdownSessions}), closes the listening
     * socket and the event loop. Returns the mode the sessions ended with, so the caller can
     * remember whether the next start is a graceful restart; null when already closed.
     */
    public synchronized StopMode stop() {
        if (closed) {
            return null;
        }
        closed = true;
        StopMode mode = shutDown ? StopMode.SHUTDOWN : settings.gracefulRestart().effectiveOnStop();
        try {
            int restarted = call(() -> {
                int count = 0;
                for (BgpPeer peer : peers.values()) {
                    count += peer.stop(mode);
                }
                return count;
            });
            LOG.log(System.Logger.Level.INFO, "BGP speaker stopping ({0}): {1} session(s) closed for a graceful restart",
                    mode, Integer.toString(restarted));
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        return mode;
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    // ---- advertisements -------------------------------------------------------------------

    /**
     * Advertises a type-5 route for {@code prefix/prefixLength} in the VRF with this L3VNI:
     * RD type 1 {@code router-id:n}, the VRF's export targets ({@code ASN:L3VNI} by default),
     * Encapsulation VXLAN, the Router's MAC of (our VTEP, L3VNI), next hop our VTEP, label
     * the L3VNI. Re-advertising the same prefix replaces the route. The VRF is looked up on the
     * event loop, so a VRF added just before is found; without one the result fails with
     * {@link IllegalArgumentException}.
     */
    public CompletableFuture<Void> advertiseType5(int l3Vni, InetAddress prefix, int prefixLength) {
        return run(() -> {
            BgpNodeSettings node = settings;
            VrfSettings vrf = vrf(node, l3Vni);
            IpPrefixRoute route = type5Route(node, vrf, prefix, prefixLength);
            List<ExtendedCommunity> communities = new ArrayList<>(vrf.effectiveExportRouteTargets(node.asNumber()));
            communities.add(EncapsulationExtendedCommunity.VXLAN);
            // LAB.md / RFC 9135 §8.1: exactly one Router's MAC per (VTEP, L3VNI), on every route.
            communities.add(new RoutersMacExtendedCommunity(node.routerMacFor(vrf)));
            List<PathAttribute> attributes = List.of(OriginAttribute.ORIGIN_IGP,
                    new ExtendedCommunitiesAttribute(communities));
            rib.originate(route, attributes, node.vtepAddress());
        });
    }

    /**
     * Withdraws the type-5 route {@link #advertiseType5} made for this prefix, if any. In a VRF
     * that no longer exists there is nothing to withdraw (removing it withdrew its routes).
     */
    public CompletableFuture<Void> withdrawType5(int l3Vni, InetAddress prefix, int prefixLength) {
        return run(() -> {
            BgpNodeSettings node = settings;
            VrfSettings vrf = node.vrfByL3Vni(l3Vni);
            if (vrf != null) {
                rib.withdrawOriginated(type5Route(node, vrf, prefix, prefixLength));
            }
        });
    }

    private static VrfSettings vrf(BgpNodeSettings node, int l3Vni) {
        VrfSettings vrf = node.vrfByL3Vni(l3Vni);
        if (vrf == null) {
            throw new IllegalArgumentException("no VRF with L3VNI " + l3Vni);
        }
        return vrf;
    }

    // ---- VRFs at run time -----------------------------------------------------------------

    /**
     * Adds a VRF (e.g. a VPC the controller created): routes already learned whose route targets
     * it imports are reported to the listeners at once, and {@link #advertiseType5} accepts its
     * L3VNI from then on. Fails (nothing changed) with {@link IllegalArgumentException} when its
     * name, L3VNI or route distinguisher number is taken.
     */
    public CompletableFuture<Void> addVrf(VrfSettings vrf) {
        return run(() -> {
            List<VrfSettings> next = new ArrayList<>(settings.vrfs());
            next.add(vrf);
            apply(next);
        });
    }

    /**
     * Removes the VRF with this L3VNI: every route we originated in it is withdrawn from every
     * peer, and the learned routes it imported are reported to the listeners as withdrawn. Fails
     * with {@link IllegalArgumentException} when no VRF has this L3VNI.
     */
    public CompletableFuture<Void> removeVrf(int l3Vni) {
        return run(() -> {
            VrfSettings vrf = vrf(settings, l3Vni);
            List<VrfSettings> next = new ArrayList<>(settings.vrfs());
            next.remove(vrf);
            apply(next);
        });
    }

    /**
     * Makes the VRF set equal to {@code vrfs}: a VRF that left or whose settings changed is
     * removed ({@link #removeVrf}), then every new or changed one is added ({@link #addVrf}), a
     * learned path either touches reported to the listeners once (withdrawn, then announced if a
     * VRF still imports it); an unchanged VRF is left alone (its routes are not re-sent). A set with two VRFs of one name,
     * L3VNI or route distinguisher number fails with {@link IllegalArgumentException} and
     * changes nothing.
     */
    public CompletableFuture<Void> updateVrfs(List<VrfSettings> vrfs) {
        List<VrfSettings> next = List.copyOf(vrfs);
        return run(() -> apply(next));
    }

    /**
     * On the event loop: validates, swaps the settings, withdraws what we originated in every VRF
     * that left or changed, then reports the learned paths the change touches to the listeners
     * (each once: a VRF whose route targets changed re-announces its imports once).
     */
    private void apply(List<VrfSettings> next) {
        RuntimeVrfs.check(next);
        BgpNodeSettings before = settings;
        BgpNodeSettings after = before.withVrfs(next);
        settings = after;
        List<VrfSettings> removed = new ArrayList<>();
        for (VrfSettings vrf : before.vrfs()) {
            if (!next.contains(vrf)) {
                removed.add(vrf);
            }
        }
        List<VrfSettings> added = new ArrayList<>();
        for (VrfSettings vrf : next) {
            if (!before.vrfs().contains(vrf)) {
                added.add(vrf);
            }
        }
        for (VrfSettings vrf : removed) {
            int withdrawn = RuntimeVrfs.withdrawOriginated(rib, before, vrf);
            LOG.log(System.Logger.Level.INFO, "VRF {0} (L3VNI {1}) removed: {2} originated route(s) withdrawn",
                    vrf.name(), Integer.toString(vrf.l3Vni()), Integer.toString(withdrawn));
        }
        RuntimeVrfs.reportImports(rib, events, before, after, removed, added);
        for (VrfSettings vrf : added) {
            LOG.log(System.Logger.Level.INFO, "VRF {0} (L3VNI {1}, RD {2}:{3}) added: {4} learned route(s) imported",
                    vrf.name(), Integer.toString(vrf.l3Vni()), after.routerId().getHostAddress(),
                    Integer.toString(vrf.routeDistinguisherNumber()),
                    Integer.toString(RuntimeVrfs.importedCount(rib, after, vrf)));
        }
    }

    private static IpPrefixRoute type5Route(BgpNodeSettings node, VrfSettings vrf, InetAddress prefix,
                                            int prefixLength) {
        RouteDistinguisher routeDistinguisher = RouteDistinguisher.ofIpv4Address(
                InetAddresses.toInt(node.routerId()), vrf.routeDistinguisherNumber());
        boolean ipv4 = prefix.getAddress().length == 4;
        return new IpPrefixRoute(routeDistinguisher, EthernetSegmentIdentifier.ZERO, 0, maskPrefix(prefix, prefixLength),
                prefixLength, IpPrefixRoute.zeroGateway(ipv4), vrf.l3Vni());
    }

    private static InetAddress maskPrefix(InetAddress prefix, int prefixLength) {
        byte[] bytes = prefix.getAddress();
        for (int bit = prefixLength; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return InetAddresses.fromBytes(bytes);
    }

    // ---- state ----------------------------------------------------------------------------

    /** Each neighbour's session state. */
    public Map<InetAddress, BgpState> peerStates() {
        Map<InetAddress, BgpState> states = new LinkedHashMap<>();
        for (Map.Entry<InetAddress, BgpPeer> entry : peers.entrySet()) {
            states.put(entry.getKey(), entry.getValue().state());
        }
        return states;
    }

    /** How many times the neighbour's session reached Established. */
    public int establishedTransitions(InetAddress neighbor) {
        return peers.get(neighbor).establishedTransitions();
    }

    /** RFC 7606 outcomes of UPDATEs received from this neighbour. */
    public UpdateErrorCounters updateErrorCounters(InetAddress neighbor) {
        return peers.get(neighbor).counters();
    }

    public RibCounters ribCounters() {
        return rib.counters();
    }

    /** The best paths of the Loc-RIB (a snapshot taken on the event loop). */
    public List<Path> bestPaths() {
        return call(() -> rib.locRib().bestPaths());
    }

    /** Counters by name, for metrics. */
    public Map<String, Long> counters() {
        Map<String, Long> all = new LinkedHashMap<>(rib.counters().snapshot());
        for (Map.Entry<InetAddress, BgpPeer> entry : peers.entrySet()) {
            for (Map.Entry<String, Long> counter : entry.getValue().counters().snapshot().entrySet()) {
                all.put("peer." + entry.getKey().getHostAddress() + "." + counter.getKey(), counter.getValue());
            }
        }
        return all;
    }

    // ---- for the session classes ----------------------------------------------------------

    Rib rib() {
        return rib;
    }

    BgpMessageDecoder decoder() {
        return decoder;
    }

    BgpMessageEncoder encoder() {
        return encoder;
    }

    CodecContext baseContext() {
        return baseContext;
    }

    void recordReceived(ByteBuf frame) {
        Consumer<byte[]> recorder = receivedMessageRecorder;
        if (recorder != null) {
            byte[] copy = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), copy);
            recorder.accept(copy);
        }
    }

    private CompletableFuture<Void> run(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private <T> T call(Supplier<T> task) {
        if (loop.inEventLoop()) {
            return task.get();
        }
        try {
            return loop.submit(task::get).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("speaker task failed", e);
        }
    }

    // ---- state API (read-only, any thread) ------------------------------------------------

    /** Wall-clock time the neighbour's session last reached Established, 0 if it never did. */
    public long establishedAtEpochMs(InetAddress neighbor) {
        return peers.get(neighbor).establishedAtEpochMs();
    }

    /** Paths in each neighbour's Adj-RIB-In (what it sent us and we kept; a snapshot taken on the event loop). */
    public Map<InetAddress, Integer> receivedPathCounts() {
        return call(this::adjRibInSizes);
    }

    /** The paths we originate now (type-5 routes of our VRFs; a snapshot taken on the event loop). */
    public List<Path> originatedPaths() {
        return call(rib::originated);
    }

    /**
     * The settings, best paths, originated paths and Adj-RIB-In sizes of one moment, taken by one
     * task on the event loop (a state page's one round trip instead of one per part).
     */
    public RibSnapshot ribSnapshot() {
        return call(() -> new RibSnapshot(settings, rib.locRib().bestPaths(), rib.originated(), adjRibInSizes()));
    }

    /** On the event loop: paths in each neighbour's Adj-RIB-In. */
    private Map<InetAddress, Integer> adjRibInSizes() {
        Map<InetAddress, Integer> counts = new LinkedHashMap<>();
        for (InetAddress neighbor : peers.keySet()) {
            counts.put(neighbor, rib.adjRibIn(neighbor).size());
        }
        return counts;
    }
}
