package io.softgate.lb.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.flow.FlowTable;
import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import io.softgate.lb.compile.BackendState;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.maglev.MaglevHash;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code lb-vip}: traffic from the outside to a VIP. A packet of a tracked connection gets its
 * connection's precompiled rewrite (destination VIP:port -> backend:port, client source kept, or
 * replaced by the full-NAT address); a new connection picks its backend from the service's Maglev
 * table by {@link MaglevHash#flowHash} of its 5-tuple and is tracked in both directions. A
 * connection whose backend is down or gone is re-picked (moved); a draining backend keeps its
 * connections. ICMP errors about a tracked connection go to its backend with the embedded header
 * translated. Packets not addressed to a VIP (or not IPv4 in the public VRF) pass untouched.
 * Afterwards {@code vrf[slot]} is the backend's VPC VRF.
 *
 * <p>Threading: one instance per worker (scratch keys are per instance); the connection table is
 * shared and lock-free; allocation-free after construction.
 */
public final class VipStage extends ConnectionStage {
    public static final String NAME = "lb-vip";
    /** Event counter indices (see {@link #eventCounters()}). */
    public static final int EVENT_CONNECTIONS_CREATED = 0;
    public static final int EVENT_CONNECTIONS_MOVED = 1;
    public static final int EVENT_ICMP_ERRORS_TRANSLATED = 2;
    /** Expiry is pushed forward only when it would move by more than this, to spare a CAS per packet. */
    static final long REFRESH_GRANULARITY_NS = 1_000_000_000L;
    /** Full NAT tries this many source ports (from a flow-hash start) before giving up. */
    static final int FULL_NAT_PORT_ATTEMPTS = 16;
    static final int FULL_NAT_FIRST_PORT = 1024;
    static final int FULL_NAT_PORT_COUNT = 65_536 - FULL_NAT_FIRST_PORT;

    private static final VipDropReason[] DROP_REASONS = VipDropReason.values();

    private final long[] reverseKey = new long[ConnectionLayout.KEY_WORDS];
    private final long[] reverseValue = new long[ConnectionLayout.VALUE_WORDS];
    private final long[] scratchValue = new long[ConnectionLayout.VALUE_WORDS];

    /** @param nextStage where every forwarded packet goes (the NAT out2in stage, or the route lookup) */
    public VipStage(ConnectionTracker tracker, String nextStage) {
        super(tracker, nextStage, DROP_REASONS, List.of("connections-created", "connections-moved", "icmp-errors-translated"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void process(PacketBatch batch, StageVector input, StageContext context) {
        LoadBalancerTables tables = tablesOf(context);
        int size = input.size();
        if (tables == null) {
            for (int i = 0; i < size; i++) {
                context.forward(EDGE_NEXT, input.slot(i));
            }
            return;
        }
        long nowNs = context.nowNs();
        batchLookup.lookUp(batch, input, tables, null, nowNs);
        // An entry expiring before this is refreshed (by the full path); see REFRESH_GRANULARITY_NS.
        long tcpRefreshBeforeNs = nowNs + tables.idleTimeoutNs(PacketRewriter.PROTOCOL_TCP) - REFRESH_GRANULARITY_NS;
        long udpRefreshBeforeNs = nowNs + tables.idleTimeoutNs(PacketRewriter.PROTOCOL_UDP) - REFRESH_GRANULARITY_NS;
        for (int i = 0; i < size; i++) {
            int slot = input.slot(i);
            int k = batchLookup.keyOf(slot);
            if (k < 0 || !forwardEstablished(batch, slot, k, context, tables, tcpRefreshBeforeNs, udpRefreshBeforeNs)) {
                processSlot(batch, slot, context, tables);
            }
        }
    }

    /**
     * The fast path: a packet the batch lookup found a connection for, whose backend keeps its
     * connections and still belongs to the service of the packet's VIP:port (found by the first
     * pass with {@link LoadBalancerTables#findService}), and whose entry needs no refresh, gets the entry's rewrite straight from the batch lookup's
     * copy. Everything else returns false untouched and takes {@link #processSlot}, which decides
     * exactly as before (this path makes the same decision for the packets it takes).
     */
    private boolean forwardEstablished(PacketBatch batch, int slot, int k, StageContext context, LoadBalancerTables tables,
                                       long tcpRefreshBeforeNs, long udpRefreshBeforeNs) {
        ConnectionBatchLookup lookup = batchLookup;
        int entry = lookup.entries[k];
        if (entry < 0) {
            return false;
        }
        int at = k * ConnectionLayout.VALUE_WORDS;
        long target = lookup.values[at + ConnectionLayout.TARGET];
        int backend = ConnectionLayout.backendId(target);
        if (!BackendState.keepsConnections(tables.backendState(backend))) {
            return false;
        }
        int protocol = (int) (lookup.keys[k * ConnectionLayout.KEY_WORDS + 1] >>> 24) & 0xFF;
        if (tables.backendService(backend) != lookup.serviceOfKey[k]
            || connections.expiresAtNs(entry) < (protocol == PacketRewriter.PROTOCOL_TCP ? tcpRefreshBeforeNs : udpRefreshBeforeNs)) {
            return false;
        }
        context.decide(slot, backend); // packet trace: the tracked connection's backend
        if (!PacketRewriter.apply(batch.buffer(), batch.l3Offset[slot], lookup.l4OfKey[k], protocol,
            lookup.values[at + ConnectionLayout.NEW_SOURCE], lookup.values[at + ConnectionLayout.NEW_DESTINATION])) {
            context.drop(slot, VipDropReason.MALFORMED);
            return true;
        }
        batch.vrf[slot] = ConnectionLayout.vrf(target);
        context.forward(EDGE_NEXT, slot);
        return true;
    }

    private void processSlot(PacketBatch batch, int slot, StageContext context, LoadBalancerTables tables) {
        UnsafeBuffer buffer = batch.buffer();
        int ip = batch.l3Offset[slot];
        int flags = batch.flags[slot];
        int end = batch.offset[slot] + batch.length[slot];
        if (ip < batch.offset[slot] || ip >= end || (flags & PacketFlags.INNER_IPV6) != 0
            || batch.vrf[slot] != tables.publicVrf()) {
            context.forward(EDGE_NEXT, slot);
            return;
        }
        int headerLength = Ipv4Flyweight.validate(buffer, ip, end - ip);
        if (headerLength < 0 || !tables.isVipAddress(Ipv4Flyweight.destination(buffer, ip))) {
            context.forward(EDGE_NEXT, slot); // not a VIP: someone else's packet (bad headers are decap's to count)
            return;
        }
        if ((flags & (PacketFlags.FRAGMENT | PacketFlags.NON_FIRST_FRAGMENT)) != 0 || Ipv4Flyweight.isFragment(buffer, ip)) {
            context.drop(slot, VipDropReason.FRAGMENT_TO_VIP);
            return;
        }
        int ipEnd = ip + Ipv4Flyweight.totalLength(buffer, ip);
        int l4 = ip + headerLength;
        int protocol = Ipv4Flyweight.protocol(buffer, ip);
        if (protocol == Ipv4Flyweight.PROTOCOL_ICMP) {
            processIcmp(batch, slot, context, tables, buffer, ip, l4, ipEnd);
            return;
        }
        if (protocol != PacketRewriter.PROTOCOL_TCP && protocol != PacketRewriter.PROTOCOL_UDP) {
            context.drop(slot, VipDropReason.UNKNOWN_VIP_PORT);
            return;
        }
        if (l4 + (protocol == PacketRewriter.PROTOCOL_TCP ? 20 : 8) > ipEnd) {
            context.drop(slot, VipDropReason.MALFORMED);
            return;
        }
        int source = Ipv4Flyweight.source(buffer, ip);
        int destination = Ipv4Flyweight.destination(buffer, ip);
        int sourcePort = buffer.getShort(l4, BIG_ENDIAN) & 0xFFFF;
        int destinationPort = buffer.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF;
        int service = tables.findService(destination, protocol, destinationPort);
        if (service == LoadBalancerTables.NO_SERVICE) {
            context.drop(slot, VipDropReason.UNKNOWN_VIP_PORT);
            return;
        }
        long nowNs = context.nowNs();
        long expiresAtNs = nowNs + tables.idleTimeoutNs(protocol);
        key[0] = ConnectionLayout.addresses(source, destination);
        key[1] = ConnectionLayout.portsProtocolVrf(sourcePort, destinationPort, protocol, tables.publicVrf());
        int entry = batchLookup.lookupInto(slot, key, nowNs, value);
        boolean moving = false;
        if (entry >= 0) {
            int backend = ConnectionLayout.backendId(value[ConnectionLayout.TARGET]);
            if (BackendState.keepsConnections(tables.backendState(backend)) && tables.backendService(backend) == service) {
                context.decide(slot, backend); // packet trace: the tracked connection's backend
                if (connections.expiresAtNs(entry) < expiresAtNs - REFRESH_GRANULARITY_NS) {
                    // Refreshing, or re-creating the reverse entry, changes no forward key's
                    // answer (an insert takes only free or expired slots): the batch lookup stays valid.
                    connections.refresh(entry, expiresAtNs);
                    keepReverseAlive(tables, source, destination, sourcePort, destinationPort, protocol, nowNs, expiresAtNs);
                }
                apply(batch, slot, buffer, ip, l4, protocol, context);
                return;
            }
            // The backend is down or gone: forget the connection and pick again below (a dead
            // backend's connections move; a healthy or draining backend's never do).
            batchLookup.changed(key);
            connections.remove(entry, key);
            moving = true;
        }
        long flowHash = MaglevHash.flowHash(source, destination, sourcePort, destinationPort, protocol);
        int backend = tables.selectBackend(service, flowHash);
        context.decide(slot, backend); // packet trace: the Maglev pick (-1: none)
        if (backend < 0) {
            context.drop(slot, VipDropReason.NO_BACKEND);
            return;
        }
        batchLookup.changed(key);
        VipDropReason failure = track(tables, service, backend, source, destination, sourcePort, destinationPort,
            protocol, flowHash, nowNs, expiresAtNs, context);
        if (failure != null) {
            context.drop(slot, failure);
            return;
        }
        if (moving) {
            // Counted once the connection has a new backend: a re-pick that finds none is only its drop.
            context.countEvent(EVENT_CONNECTIONS_MOVED);
        }
        apply(batch, slot, buffer, ip, l4, protocol, context);
    }

    private void apply(PacketBatch batch, int slot, UnsafeBuffer buffer, int ip, int l4, int protocol, StageContext context) {
        if (!PacketRewriter.apply(buffer, ip, l4, protocol, value[ConnectionLayout.NEW_SOURCE],
            value[ConnectionLayout.NEW_DESTINATION])) {
            context.drop(slot, VipDropReason.MALFORMED);
            return;
        }
        batch.vrf[slot] = ConnectionLayout.vrf(value[ConnectionLayout.TARGET]);
        context.forward(EDGE_NEXT, slot);
    }

    /**
     * The two directions expire separately; a client that keeps talking to a silent backend must
     * not lose the reply translation (a late reply would leave with the backend's address). So
     * whenever the forward entry is refreshed (at most once per {@link #REFRESH_GRANULARITY_NS}),
     * the reverse entry is refreshed too, and re-created if it has expired. Uses {@link #value}.
     */
    private void keepReverseAlive(LoadBalancerTables tables, int client, int vip, int clientPort, int vipPort,
                                  int protocol, long nowNs, long expiresAtNs) {
        long target = value[ConnectionLayout.TARGET];
        long newSource = value[ConnectionLayout.NEW_SOURCE];
        long newDestination = value[ConnectionLayout.NEW_DESTINATION];
        fillReverse(tables, ConnectionLayout.backendId(target), ConnectionLayout.address(newDestination),
            ConnectionLayout.port(newDestination), ConnectionLayout.vrf(target), ConnectionLayout.address(newSource),
            ConnectionLayout.port(newSource), client, clientPort, vip, vipPort, protocol);
        int reverse = connections.lookup(reverseKey, nowNs);
        if (reverse >= 0) {
            connections.refresh(reverse, expiresAtNs);
        } else {
            connections.insert(reverseKey, reverseValue, expiresAtNs, nowNs);
        }
    }

    /** Fills {@link #reverseKey} and {@link #reverseValue}: backend -> (client or full-NAT address), rewritten back to VIP -> client. */
    private void fillReverse(LoadBalancerTables tables, int backend, int backendAddress, int backendPort, int backendVrf,
                             int newSource, int newSourcePort, int client, int clientPort, int vip, int vipPort, int protocol) {
        reverseKey[0] = ConnectionLayout.addresses(backendAddress, newSource);
        reverseKey[1] = ConnectionLayout.portsProtocolVrf(backendPort, newSourcePort, protocol, backendVrf);
        int reverseIp = Checksums.addDeltas(Checksums.delta32(backendAddress, vip), Checksums.delta32(newSource, client));
        int reverseL4 = Checksums.addDeltas(reverseIp,
            Checksums.addDeltas(Checksums.delta16(backendPort, vipPort), Checksums.delta16(newSourcePort, clientPort)));
        reverseValue[ConnectionLayout.TARGET] = ConnectionLayout.target(backend, tables.publicVrf());
        reverseValue[ConnectionLayout.NEW_SOURCE] = ConnectionLayout.endpoint(vip, vipPort, reverseIp);
        reverseValue[ConnectionLayout.NEW_DESTINATION] = ConnectionLayout.endpoint(client, clientPort, reverseL4);
    }

    /**
     * Creates both entries of a new connection (reverse first, so a reply can never arrive before
     * its translation exists) and leaves the forward value in {@link #value}; returns null, or why
     * it could not.
     */
    private VipDropReason track(LoadBalancerTables tables, int service, int backend, int client, int vip,
                                int clientPort, int vipPort, int protocol, long flowHash, long nowNs, long expiresAtNs,
                                StageContext context) {
        int backendAddress = tables.backendAddress(backend);
        int backendPort = tables.backendPort(backend);
        int backendVrf = tables.backendVrf(backend);
        int fullNatAddress = tables.serviceFullNatAddress(service);
        int newSource = fullNatAddress != 0 ? fullNatAddress : client;
        int newSourcePort = clientPort;
        int reverseEntry = -1;
        boolean reverseCreated = false;
        int attempts = fullNatAddress != 0 ? FULL_NAT_PORT_ATTEMPTS : 1;
        int firstPort = (int) Long.remainderUnsigned(flowHash >>> 16, FULL_NAT_PORT_COUNT);
        for (int attempt = 0; attempt < attempts && reverseEntry < 0; attempt++) {
            if (fullNatAddress != 0) {
                newSourcePort = FULL_NAT_FIRST_PORT + (firstPort + attempt) % FULL_NAT_PORT_COUNT;
            }
            fillReverse(tables, backend, backendAddress, backendPort, backendVrf, newSource, newSourcePort, client,
                clientPort, vip, vipPort, protocol);
            int result = connections.insert(reverseKey, reverseValue, expiresAtNs, nowNs);
            if (result < 0) {
                return VipDropReason.insertFailure(result);
            }
            if (FlowTable.isCreated(result)) {
                reverseEntry = FlowTable.entryIndex(result);
                reverseCreated = true;
            } else if (fullNatAddress == 0) {
                // Without full NAT the reverse key names this very client and backend: a racing
                // worker made it, or an earlier connection of the same tuple left it.
                // Shared with that other connection, so never removed on failure below.
                reverseEntry = adoptReverse(reverseKey, reverseValue, nowNs, expiresAtNs);
                if (reverseEntry < 0) {
                    return VipDropReason.insertFailure(reverseEntry);
                }
            }
            // With full NAT an existing reverse key is another connection's port: try the next port.
        }
        if (reverseEntry < 0) {
            return VipDropReason.FULL_NAT_PORTS_EXHAUSTED;
        }
        int forwardIp = Checksums.addDeltas(Checksums.delta32(client, newSource), Checksums.delta32(vip, backendAddress));
        int forwardL4 = Checksums.addDeltas(forwardIp,
            Checksums.addDeltas(Checksums.delta16(clientPort, newSourcePort), Checksums.delta16(vipPort, backendPort)));
        value[ConnectionLayout.TARGET] = ConnectionLayout.target(backend, backendVrf);
        value[ConnectionLayout.NEW_SOURCE] = ConnectionLayout.endpoint(newSource, newSourcePort, forwardIp);
        value[ConnectionLayout.NEW_DESTINATION] = ConnectionLayout.endpoint(backendAddress, backendPort, forwardL4);
        int result = connections.insert(key, value, expiresAtNs, nowNs);
        if (FlowTable.isCreated(result)) {
            context.countEvent(EVENT_CONNECTIONS_CREATED);
            return null;
        }
        if (result >= 0) {
            // A racing worker tracked this connection first: follow its choice. Our full-NAT port
            // is then unused (without full NAT the reverse entry is shared and must stay).
            if (fullNatAddress != 0) {
                connections.remove(reverseEntry, reverseKey);
            }
            // Gone again before we could follow it: the race, not a full table.
            return connections.lookupInto(key, nowNs, value) >= 0 ? null : VipDropReason.INSERT_CONTENDED;
        }
        if (reverseCreated) {
            connections.remove(reverseEntry, reverseKey);
        }
        return VipDropReason.insertFailure(result);
    }

    /**
     * Makes the existing reverse entry for {@code reverseKey} translate with {@code wanted}: kept
     * when it already does (refreshed), otherwise replaced (remove checks the key, so a slot reused
     * meanwhile is never touched). Returns the entry index, or the failed insert's code
     * ({@code FlowTable.FULL} or {@code CONTENDED}, both negative).
     */
    private int adoptReverse(long[] reverseKey, long[] wanted, long nowNs, long expiresAtNs) {
        int existing = connections.lookupInto(reverseKey, nowNs, scratchValue);
        if (existing >= 0 && scratchValue[0] == wanted[0] && scratchValue[1] == wanted[1] && scratchValue[2] == wanted[2]) {
            connections.refresh(existing, expiresAtNs);
            return existing;
        }
        if (existing >= 0) {
            connections.remove(existing, reverseKey);
        }
        int result = connections.insert(reverseKey, wanted, expiresAtNs, nowNs);
        return result < 0 ? result : FlowTable.entryIndex(result);
    }

    private void processIcmp(PacketBatch batch, int slot, StageContext context, LoadBalancerTables tables,
                             UnsafeBuffer buffer, int ip, int icmp, int ipEnd) {
        if (icmp + IcmpFlyweight.HEADER_LENGTH > ipEnd) {
            context.drop(slot, VipDropReason.MALFORMED);
            return;
        }
        if (!IcmpFlyweight.isV4Error(IcmpFlyweight.type(buffer, icmp))) {
            // Echo and other queries to a VIP: no service answers them.
            context.drop(slot, VipDropReason.UNKNOWN_VIP_PORT);
            return;
        }
        int inner = icmp + IcmpFlyweight.HEADER_LENGTH;
        int innerHeaderLength = PacketRewriter.embeddedHeaderLength(buffer, inner, ipEnd);
        if (innerHeaderLength < 0) {
            context.drop(slot, VipDropReason.MALFORMED);
            return;
        }
        int innerProtocol = Ipv4Flyweight.protocol(buffer, inner);
        if (innerProtocol != PacketRewriter.PROTOCOL_TCP && innerProtocol != PacketRewriter.PROTOCOL_UDP) {
            context.drop(slot, VipDropReason.ICMP_ERROR_WITHOUT_CONNECTION);
            return;
        }
        // RFC 792 / RFC 1191: the embedded packet is one the backend sent (VIP -> client, already
        // translated); its connection's forward key is that packet reversed.
        int innerL4 = inner + innerHeaderLength;
        int client = Ipv4Flyweight.destination(buffer, inner);
        key[0] = ConnectionLayout.addresses(client, Ipv4Flyweight.source(buffer, inner));
        key[1] = ConnectionLayout.portsProtocolVrf(buffer.getShort(innerL4 + 2, BIG_ENDIAN) & 0xFFFF,
            buffer.getShort(innerL4, BIG_ENDIAN) & 0xFFFF, innerProtocol, tables.publicVrf());
        if (connections.lookupInto(key, context.nowNs(), value) < 0) {
            context.drop(slot, VipDropReason.ICMP_ERROR_WITHOUT_CONNECTION);
            return;
        }
        PacketRewriter.translateIcmpError(buffer, ip, icmp, ipEnd, inner, innerHeaderLength, innerProtocol, client,
            value[ConnectionLayout.NEW_SOURCE], value[ConnectionLayout.NEW_DESTINATION]);
        batch.vrf[slot] = ConnectionLayout.vrf(value[ConnectionLayout.TARGET]);
        context.countEvent(EVENT_ICMP_ERRORS_TRANSLATED);
        context.forward(EDGE_NEXT, slot);
    }
}
