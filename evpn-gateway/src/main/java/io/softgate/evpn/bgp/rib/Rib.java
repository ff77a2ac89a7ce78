package io.softgate.evpn.bgp.rib;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.attribute.AsPathAttribute;
import io.softgate.evpn.bgp.attribute.LocalPreferenceAttribute;
import io.softgate.evpn.bgp.attribute.MpReachNlriAttribute;
import io.softgate.evpn.bgp.attribute.MpUnreachNlriAttribute;
import io.softgate.evpn.bgp.attribute.NextHopAttribute;
import io.softgate.evpn.bgp.attribute.OriginAttribute;
import io.softgate.evpn.bgp.attribute.OriginatorIdAttribute;
import io.softgate.evpn.bgp.attribute.PathAttribute;
import io.softgate.evpn.bgp.message.UpdateErrorAction;
import io.softgate.evpn.bgp.message.UpdateMessage;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.nlri.Ipv4Prefix;
import io.softgate.evpn.bgp.nlri.Nlri;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The speaker's routing information bases: an Adj-RIB-In per peer, the {@link LocRib} with
 * best-path selection, and an Adj-RIB-Out per established peer whose changes are flushed as
 * packed UPDATEs. Only locally originated routes are exported (the softgate is a stub, not a
 * transit or reflector); learned routes feed the listeners.
 *
 * <p>Threading: confined to the speaker's event loop; {@code flushExecutor} must run tasks there.
 */
public final class Rib {
    private final long localRouterId;
    private final long localAsNumber;
    private final PeerIdentity localIdentity;
    private final UpdatePacker packer = new UpdatePacker();
    private final Executor flushExecutor;
    private final LocRib locRib = new LocRib();
    private final Map<InetAddress, Map<Nlri, Path>> adjRibsIn = new HashMap<>();
    private final Map<RibPeer, AdjRibOut> adjRibsOut = new LinkedHashMap<>();
    private final RibCounters counters = new RibCounters();
    private boolean flushScheduled;
    /** RFC 4724 §4.1: a restarting speaker holds its updates and End-of-RIB to graceful-restart peers. */
    private boolean selectionDeferred;

    public Rib(long localRouterId, long localAsNumber, Executor flushExecutor) {
        this.localRouterId = localRouterId;
        this.localAsNumber = localAsNumber;
        this.localIdentity = PeerIdentity.local(localRouterId, localAsNumber);
        this.flushExecutor = flushExecutor;
        locRib.addListener(this::exportBestPathChange);
    }

    public LocRib locRib() {
        return locRib;
    }

    public RibCounters counters() {
        return counters;
    }

    public PeerIdentity localIdentity() {
        return localIdentity;
    }

    /** The paths learned from the peer at {@code address} (a copy). */
    public List<Path> adjRibIn(InetAddress address) {
        Map<Nlri, Path> paths = adjRibsIn.get(address);
        return paths == null ? List.of() : List.copyOf(paths.values());
    }

    // ---- locally originated routes -------------------------------------------------------

    /** Originates (or replaces) a local path; it is advertised to every established peer. */
    public void originate(Nlri nlri, List<PathAttribute> attributes, InetAddress nextHop) {
        locRib.put(new Path(nlri, attributes, nextHop, localIdentity, false));
    }

    public void withdrawOriginated(Nlri nlri) {
        locRib.remove(nlri.routeKey(), localIdentity);
    }

    /** The paths we originate now (a copy). */
    public List<Path> originated() {
        return locRib.pathsOf(localIdentity);
    }

    // ---- restarting speaker (RFC 4724 §4.1) ---------------------------------------------

    /**
     * Holds back every UPDATE and End-of-RIB to peers that sent the Graceful Restart capability
     * ({@link RibPeer#wantsEndOfRib}) until {@link #endSelectionDeferral}: what changes meanwhile
     * collects in their Adj-RIB-Out and goes out packed, followed by End-of-RIB. Peers without the
     * capability are not held: they flushed our routes when we went down, and what we export (our
     * own originated routes, never learned ones) does not depend on the routes still to come.
     */
    public void deferSelection() {
        selectionDeferred = true;
    }

    /** Ends {@link #deferSelection}: sends what was held back, then End-of-RIB, to each peer. */
    public void endSelectionDeferral() {
        if (selectionDeferred) {
            selectionDeferred = false;
            scheduleFlush();
        }
    }

    // ---- sessions ------------------------------------------------------------------------

    /** A session reached Established: send it every exportable best path, then End-of-RIB. */
    public void peerEstablished(RibPeer peer) {
        AdjRibOut out = new AdjRibOut(peer);
        adjRibsOut.put(peer, out);
        for (Path best : locRib.bestPaths()) {
            if (exportable(best, peer)) {
                out.announce(best.nlri().routeKey(), best);
            }
        }
        out.endOfRibPending = peer.wantsEndOfRib();
        scheduleFlush();
    }

    /**
     * A session ended. Paths of {@code retainedFamilies} stay as stale (RFC 4724 §4.2: the peer
     * is restarting); all others are withdrawn now.
     */
    public void peerClosed(RibPeer peer, Set<AddressFamily> retainedFamilies) {
        adjRibsOut.remove(peer);
        InetAddress address = peer.identity().address();
        Map<Nlri, Path> paths = adjRibsIn.get(address);
        if (paths == null) {
            return;
        }
        for (Iterator<Map.Entry<Nlri, Path>> it = paths.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Nlri, Path> entry = it.next();
            Path path = entry.getValue();
            if (retainedFamilies.contains(path.nlri().addressFamily())) {
                Path stale = path.asStale();
                entry.setValue(stale);
                locRib.put(stale);
            } else {
                it.remove();
                locRib.remove(entry.getKey(), path.source());
            }
        }
        if (paths.isEmpty()) {
            adjRibsIn.remove(address);
        }
    }

    /** Removes the stale paths of a family learned from {@code address} (End-of-RIB or timer). */
    public void sweepStale(InetAddress address, AddressFamily family) {
        Map<Nlri, Path> paths = adjRibsIn.get(address);
        if (paths == null) {
            return;
        }
        for (Iterator<Map.Entry<Nlri, Path>> it = paths.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Nlri, Path> entry = it.next();
            Path path = entry.getValue();
            if (path.stale() && path.nlri().addressFamily().equals(family)) {
                it.remove();
                locRib.remove(entry.getKey(), path.source());
                counters.staleRoutesSwept.incrementAndGet();
            }
        }
    }

    /** ROUTE-REFRESH (RFC 2918 §4): re-advertise the family's Adj-RIB-Out. */
    public void refresh(RibPeer peer, AddressFamily family) {
        AdjRibOut out = adjRibsOut.get(peer);
        if (out == null) {
            return;
        }
        for (Map.Entry<Nlri, Path> entry : out.advertised.entrySet()) {
            if (entry.getKey().addressFamily().equals(family)) {
                out.announce(entry.getKey(), entry.getValue());
            }
        }
        scheduleFlush();
    }

    /** Applies a decoded UPDATE from {@code peer}, including its RFC 7606 outcome. */
    public void applyUpdate(RibPeer peer, UpdateMessage update) {
        PeerIdentity source = peer.identity();
        for (Ipv4Prefix prefix : update.withdrawnRoutes()) {
            withdrawLearned(source, prefix);
        }
        MpUnreachNlriAttribute unreach = update.mpUnreach();
        if (unreach != null) {
            for (Nlri nlri : unreach.withdrawnRoutes()) {
                withdrawLearned(source, nlri);
            }
        }
        MpReachNlriAttribute reach = update.mpReach();
        List<PathAttribute> attributes = new ArrayList<>(update.attributes().size());
        for (PathAttribute attribute : update.attributes()) {
            if (!(attribute instanceof MpReachNlriAttribute) && !(attribute instanceof MpUnreachNlriAttribute)
                    && !(attribute instanceof NextHopAttribute)) {
                attributes.add(attribute);
            }
        }
        boolean withdrawAll = update.errorAction() == UpdateErrorAction.TREAT_AS_WITHDRAW || isLoop(update, source);
        if (!update.nlri().isEmpty()) {
            NextHopAttribute nextHop = update.attribute(NextHopAttribute.class);
            for (Ipv4Prefix prefix : update.nlri()) {
                if (withdrawAll || nextHop == null || !peer.negotiatedFamilies().contains(AddressFamily.IPV4_UNICAST)) {
                    withdrawLearned(source, prefix);
                } else {
                    announceLearned(source, new Path(prefix, attributes,
                            InetAddresses.ipv4((int) nextHop.address()), source, false));
                }
            }
        }
        if (reach != null && reach.nextHop() != null) {
            boolean negotiated = peer.negotiatedFamilies().contains(reach.addressFamily());
            for (Nlri nlri : reach.nlri()) {
                if (withdrawAll || !negotiated) {
                    withdrawLearned(source, nlri);
                } else {
                    announceLearned(source, new Path(nlri, attributes, reach.nextHop(), source, false));
                }
            }
        }
    }

    private boolean isLoop(UpdateMessage update, PeerIdentity source) {
        OriginatorIdAttribute originator = update.attribute(OriginatorIdAttribute.class);
        if (originator != null && originator.routerId() == localRouterId) {
            // RFC 4456 §8: a reflector sent us our own route back: ignore it.
            counters.originatorIdLoopsDiscarded.incrementAndGet();
            return true;
        }
        AsPathAttribute asPath = update.attribute(AsPathAttribute.class);
        if (source.external() && asPath != null && asPath.contains(localAsNumber)) {
            // RFC 4271 §9.1.2: our own AS in the path is a loop.
            counters.asPathLoopsDiscarded.incrementAndGet();
            return true;
        }
        return false;
    }

    private void announceLearned(PeerIdentity source, Path path) {
        Nlri key = path.nlri().routeKey();
        adjRibsIn.computeIfAbsent(source.address(), a -> new HashMap<>()).put(key, path);
        counters.pathsAnnounced.incrementAndGet();
        locRib.put(path);
    }

    private void withdrawLearned(PeerIdentity source, Nlri nlri) {
        Nlri key = nlri.routeKey();
        Map<Nlri, Path> paths = adjRibsIn.get(source.address());
        if (paths == null) {
            return;
        }
        Path removed = paths.remove(key);
        if (removed != null) {
            counters.pathsWithdrawn.incrementAndGet();
            locRib.remove(key, removed.source());
        }
    }

    // ---- export --------------------------------------------------------------------------

    private boolean exportable(Path path, RibPeer peer) {
        return path.source().isLocal() && peer.negotiatedFamilies().contains(path.nlri().addressFamily());
    }

    private void exportBestPathChange(Nlri key, Path previous, Path current) {
        if (adjRibsOut.isEmpty()) {
            return;
        }
        for (AdjRibOut out : adjRibsOut.values()) {
            if (current != null && exportable(current, out.peer)) {
                out.announce(key, current);
            } else {
                out.withdraw(key);
            }
        }
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            flushExecutor.execute(this::flush);
        }
    }

    /** Packs and sends every pending change (normally run by the scheduled flush task). */
    public void flush() {
        flushScheduled = false;
        for (AdjRibOut out : adjRibsOut.values()) {
            flush(out);
        }
    }

    /** Attributes as sent to this peer: AS_PATH per peer type, LOCAL_PREF to internal peers. */
    private List<PathAttribute> exportAttributes(Path path, RibPeer peer) {
        List<PathAttribute> result = new ArrayList<>(path.attributes().size() + 2);
        AsPathAttribute asPath = path.attribute(AsPathAttribute.class);
        if (asPath == null) {
            asPath = AsPathAttribute.EMPTY;
        }
        boolean external = peer.identity().external();
        OriginAttribute origin = path.attribute(OriginAttribute.class);
        result.add(origin != null ? origin : OriginAttribute.ORIGIN_IGP);
        // RFC 4271 §5.1.2: prepend our AS towards external peers only.
        result.add(external ? asPath.prepend(localAsNumber) : asPath);
        if (!external) {
            LocalPreferenceAttribute preference = path.attribute(LocalPreferenceAttribute.class);
            result.add(preference != null ? preference : new LocalPreferenceAttribute(LocalPreferenceAttribute.DEFAULT_VALUE));
        }
        for (PathAttribute attribute : path.attributes()) {
            if (!(attribute instanceof OriginAttribute) && !(attribute instanceof AsPathAttribute)
                    && !(attribute instanceof LocalPreferenceAttribute)) {
                result.add(attribute);
            }
        }
        return result;
    }

    /** Groups announcements by (family, attributes, next hop) so each group packs densely. */
    private record Group(AddressFamily family, List<PathAttribute> attributes, InetAddress nextHop) {
    }

    private void flush(AdjRibOut out) {
        if (out.pending.isEmpty() && !out.endOfRibPending) {
            return;
        }
        if (selectionDeferred && out.peer.wantsEndOfRib()) {
            return; // RFC 4724 §4.1: after the deferral, in one go with End-of-RIB
        }
        RibPeer peer = out.peer;
        Map<AddressFamily, List<Nlri>> withdrawals = new LinkedHashMap<>();
        Map<Group, List<Nlri>> announcements = new LinkedHashMap<>();
        for (Map.Entry<Nlri, Path> entry : out.pending.entrySet()) {
            Nlri key = entry.getKey();
            Path path = entry.getValue();
            if (path == null) {
                Path advertised = out.advertised.remove(key);
                if (advertised != null) {
                    withdrawals.computeIfAbsent(key.addressFamily(), f -> new ArrayList<>()).add(advertised.nlri());
                }
            } else {
                out.advertised.put(key, path);
                Group group = new Group(key.addressFamily(), exportAttributes(path, peer), path.nextHop());
                announcements.computeIfAbsent(group, g -> new ArrayList<>()).add(path.nlri());
            }
        }
        out.pending.clear();
        List<ByteBuf> messages = new ArrayList<>();
        for (Map.Entry<AddressFamily, List<Nlri>> entry : withdrawals.entrySet()) {
            packer.packWithdrawals(entry.getKey(), entry.getValue(), peer.codecContext(), peer.allocator(), messages);
        }
        Map<List<PathAttribute>, byte[]> encoded = new HashMap<>();
        for (Map.Entry<Group, List<Nlri>> entry : announcements.entrySet()) {
            Group group = entry.getKey();
            byte[] attributes = encoded.computeIfAbsent(group.attributes(),
                    list -> packer.encodeAttributes(list, peer.codecContext()));
            packer.packAnnouncements(group.family(), attributes, group.nextHop(), entry.getValue(), peer.codecContext(),
                    peer.allocator(), messages);
        }
        if (out.endOfRibPending) {
            out.endOfRibPending = false;
            for (AddressFamily family : peer.negotiatedFamilies()) {
                packer.packEndOfRib(family, peer.allocator(), messages);
            }
        }
        counters.updatesSent.addAndGet(messages.size());
        peer.send(messages);
    }
}
