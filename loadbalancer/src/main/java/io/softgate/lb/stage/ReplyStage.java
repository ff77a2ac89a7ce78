package io.softgate.lb.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import io.softgate.lb.compile.LoadBalancerTables;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code lb-reply}: traffic leaving a VPC. A packet from a backend that matches a tracked
 * connection's reverse entry gets the reverse rewrite (source backend:port -> VIP:port; with full
 * NAT also destination back to the client) and {@code vrf[slot]} becomes the public VRF; ICMP
 * errors from a backend about a load-balanced connection are translated the same way. Everything
 * else passes untouched, so this stage never drops. A packet whose source (or, for an ICMP error,
 * whose quoted destination) is no backend endpoint of {@link LoadBalancerTables#backendSources}
 * cannot match a reverse entry and passes without a connection-table lookup.
 *
 * <p>Threading: one instance per worker; the connection table is shared and lock-free;
 * allocation-free after construction.
 */
public final class ReplyStage extends ConnectionStage {
    public static final String NAME = "lb-reply";
    public static final int EVENT_REPLIES_TRANSLATED = 0;
    public static final int EVENT_ICMP_ERRORS_TRANSLATED = 1;
    /**
     * Packets passed without a connection-table lookup because their source is no backend's
     * endpoint ({@link LoadBalancerTables#backendSources}): the VMs' own outbound traffic.
     */
    public static final int EVENT_NOT_FROM_BACKEND = 2;

    private final long[] forwardKey = new long[ConnectionLayout.KEY_WORDS];

    /** @param nextStage where every packet goes next (the NAT in2out stage, or the route lookup) */
    public ReplyStage(ConnectionTracker tracker, String nextStage) {
        super(tracker, nextStage, ReplyDropReason.values(),
            List.of("replies-translated", "icmp-errors-translated", "not-from-backend"));
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
        ConnectionBatchLookup lookup = batchLookup;
        lookup.lookUp(batch, input, null, tables.backendSources(), nowNs);
        // An entry expiring before this is refreshed (by the full path); see VipStage.REFRESH_GRANULARITY_NS.
        long tcpRefreshBeforeNs = nowNs + tables.idleTimeoutNs(PacketRewriter.PROTOCOL_TCP) - VipStage.REFRESH_GRANULARITY_NS;
        long udpRefreshBeforeNs = nowNs + tables.idleTimeoutNs(PacketRewriter.PROTOCOL_UDP) - VipStage.REFRESH_GRANULARITY_NS;
        UnsafeBuffer buffer = batch.buffer();
        int translated = 0;
        for (int i = 0; i < size; i++) {
            int slot = input.slot(i);
            int k = lookup.keyOf(slot);
            if (k == ConnectionBatchLookup.NO_KEY) {
                if (!translate(batch, slot, context, tables)) { // not plain TCP/UDP: ICMP errors and the odd packet
                    continue;
                }
            } else if (k >= 0) {
                // The fast path: the batch lookup's answer is final here (this stage changes no
                // reverse entry). Missing: not a load-balanced connection, passes untouched.
                int entry = lookup.entries[k];
                if (entry >= 0) {
                    int protocol = (int) (lookup.keys[k * ConnectionLayout.KEY_WORDS + 1] >>> 24) & 0xFF;
                    if (connections.expiresAtNs(entry)
                        < (protocol == PacketRewriter.PROTOCOL_TCP ? tcpRefreshBeforeNs : udpRefreshBeforeNs)) {
                        if (!translate(batch, slot, context, tables)) { // refreshes both directions
                            continue;
                        }
                    } else {
                        int at = k * ConnectionLayout.VALUE_WORDS;
                        if (!PacketRewriter.apply(buffer, batch.l3Offset[slot], lookup.l4OfKey[k], protocol,
                            lookup.values[at + ConnectionLayout.NEW_SOURCE], lookup.values[at + ConnectionLayout.NEW_DESTINATION])) {
                            context.drop(slot, ReplyDropReason.MALFORMED);
                            continue;
                        }
                        batch.vrf[slot] = ConnectionLayout.vrf(lookup.values[at + ConnectionLayout.TARGET]);
                        translated++;
                    }
                }
            }
            context.forward(EDGE_NEXT, slot);
        }
        if (translated != 0) {
            context.addEvent(EVENT_REPLIES_TRANSLATED, translated);
        }
        if (lookup.notFromBackend != 0) {
            context.addEvent(EVENT_NOT_FROM_BACKEND, lookup.notFromBackend);
        }
    }

    /** The full path of one packet; false when it dropped the packet, true when the caller forwards it. */
    private boolean translate(PacketBatch batch, int slot, StageContext context, LoadBalancerTables tables) {
        UnsafeBuffer buffer = batch.buffer();
        int ip = batch.l3Offset[slot];
        int flags = batch.flags[slot];
        int end = batch.offset[slot] + batch.length[slot];
        // A non-first fragment carries no ports, so it cannot be matched (documented in README).
        if (ip < batch.offset[slot] || ip >= end
            || (flags & (PacketFlags.INNER_IPV6 | PacketFlags.NON_FIRST_FRAGMENT)) != 0) {
            return true;
        }
        int headerLength = Ipv4Flyweight.validate(buffer, ip, end - ip);
        if (headerLength < 0 || Ipv4Flyweight.fragmentOffsetBytes(buffer, ip) != 0) {
            return true;
        }
        int ipEnd = ip + Ipv4Flyweight.totalLength(buffer, ip);
        int l4 = ip + headerLength;
        int protocol = Ipv4Flyweight.protocol(buffer, ip);
        int vrf = batch.vrf[slot];
        if (protocol == Ipv4Flyweight.PROTOCOL_ICMP) {
            translateIcmpError(batch, slot, context, tables, buffer, ip, l4, ipEnd, vrf);
            return true;
        }
        if (protocol != PacketRewriter.PROTOCOL_TCP && protocol != PacketRewriter.PROTOCOL_UDP
            || l4 + (protocol == PacketRewriter.PROTOCOL_TCP ? 20 : 8) > ipEnd) {
            return true;
        }
        int source = Ipv4Flyweight.source(buffer, ip);
        int sourcePort = buffer.getShort(l4, BIG_ENDIAN) & 0xFFFF;
        if (!tables.backendSources().mayContain(vrf, source, sourcePort, protocol)) {
            context.countEvent(EVENT_NOT_FROM_BACKEND);
            return true;
        }
        key[0] = ConnectionLayout.addresses(source, Ipv4Flyweight.destination(buffer, ip));
        key[1] = ConnectionLayout.portsProtocolVrf(sourcePort, buffer.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF, protocol, vrf);
        long nowNs = context.nowNs();
        int entry = batchLookup.lookupInto(slot, key, nowNs, value);
        if (entry < 0) {
            return true;
        }
        long expiresAtNs = nowNs + tables.idleTimeoutNs(protocol);
        if (connections.expiresAtNs(entry) < expiresAtNs - VipStage.REFRESH_GRANULARITY_NS) {
            connections.refresh(entry, expiresAtNs);
            keepForwardAlive(tables, protocol, nowNs, expiresAtNs);
        }
        if (!PacketRewriter.apply(buffer, ip, l4, protocol, value[ConnectionLayout.NEW_SOURCE],
            value[ConnectionLayout.NEW_DESTINATION])) {
            context.drop(slot, ReplyDropReason.MALFORMED);
            return false;
        }
        batch.vrf[slot] = ConnectionLayout.vrf(value[ConnectionLayout.TARGET]);
        context.countEvent(EVENT_REPLIES_TRANSLATED);
        return true;
    }

    /**
     * A backend that keeps sending to a silent client keeps the forward entry too (at most once
     * per refresh granularity), so the client's next packet still finds its backend. The forward
     * key is the reverse rewrite's result (client -> VIP) in the public VRF. Uses {@link #value}.
     */
    private void keepForwardAlive(LoadBalancerTables tables, int protocol, long nowNs, long expiresAtNs) {
        long vip = value[ConnectionLayout.NEW_SOURCE];
        long client = value[ConnectionLayout.NEW_DESTINATION];
        forwardKey[0] = ConnectionLayout.addresses(ConnectionLayout.address(client), ConnectionLayout.address(vip));
        forwardKey[1] = ConnectionLayout.portsProtocolVrf(ConnectionLayout.port(client), ConnectionLayout.port(vip), protocol,
            tables.publicVrf());
        int forward = connections.lookup(forwardKey, nowNs);
        if (forward >= 0) {
            connections.refresh(forward, expiresAtNs);
        }
    }

    private void translateIcmpError(PacketBatch batch, int slot, StageContext context, LoadBalancerTables tables,
                                    UnsafeBuffer buffer, int ip, int icmp, int ipEnd, int vrf) {
        if (icmp + IcmpFlyweight.HEADER_LENGTH > ipEnd || !IcmpFlyweight.isV4Error(IcmpFlyweight.type(buffer, icmp))) {
            return;
        }
        int inner = icmp + IcmpFlyweight.HEADER_LENGTH;
        int innerHeaderLength = PacketRewriter.embeddedHeaderLength(buffer, inner, ipEnd);
        if (innerHeaderLength < 0) {
            return;
        }
        int innerProtocol = Ipv4Flyweight.protocol(buffer, inner);
        if (innerProtocol != PacketRewriter.PROTOCOL_TCP && innerProtocol != PacketRewriter.PROTOCOL_UDP) {
            return;
        }
        // The embedded packet went client -> backend (as translated); the reverse entry's key is it reversed.
        int innerL4 = inner + innerHeaderLength;
        int backend = Ipv4Flyweight.destination(buffer, inner);
        int backendPort = buffer.getShort(innerL4 + 2, BIG_ENDIAN) & 0xFFFF;
        if (!tables.backendSources().mayContain(vrf, backend, backendPort, innerProtocol)) {
            context.countEvent(EVENT_NOT_FROM_BACKEND);
            return;
        }
        key[0] = ConnectionLayout.addresses(backend, Ipv4Flyweight.source(buffer, inner));
        key[1] = ConnectionLayout.portsProtocolVrf(backendPort, buffer.getShort(innerL4, BIG_ENDIAN) & 0xFFFF,
            innerProtocol, vrf);
        if (connections.lookupInto(key, context.nowNs(), value) < 0) {
            return;
        }
        PacketRewriter.translateIcmpError(buffer, ip, icmp, ipEnd, inner, innerHeaderLength, innerProtocol, backend,
            value[ConnectionLayout.NEW_SOURCE], value[ConnectionLayout.NEW_DESTINATION]);
        batch.vrf[slot] = ConnectionLayout.vrf(value[ConnectionLayout.TARGET]);
        context.countEvent(EVENT_ICMP_ERRORS_TRANSLATED);
    }
}
