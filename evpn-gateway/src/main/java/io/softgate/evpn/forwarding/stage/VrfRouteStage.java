package io.softgate.evpn.forwarding.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.Ipv6Flyweight;
import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import io.softgate.core.packet.PacketWords;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.evpn.forwarding.table.RouteResult;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code vrf-route}: longest-prefix match of the inner destination in the packet's VRF, then the
 * forwarding checks of RFC 1812 §5.3.1 / RFC 8200 §3, in this order:
 * <ol>
 *   <li>no route: ICMP destination unreachable, net unreachable (v4 type 3 code 0; v6 type 1
 *       code 0); a blackhole route drops silently; a local route (addressed to us) drops;</li>
 *   <li>TTL / hop limit <= 1: ICMP time exceeded (v4 type 11 code 0, RFC 792; v6 type 3);</li>
 *   <li>larger than the inner MTU (underlay MTU - 50): with DF, ICMP fragmentation needed with
 *       the next-hop MTU (type 3 code 4, RFC 1191); IPv6 always gets Packet Too Big (RFC 8201,
 *       RFC 8200 §5: routers never fragment IPv6); IPv4 without DF is dropped (in-path
 *       fragmentation is not implemented);</li>
 *   <li>otherwise the TTL / hop limit is decremented (IPv4 checksum by RFC 1624), an adjacency
 *       is chosen from the route's next-hop group by the flow hash, and the packet goes on.</li>
 * </ol>
 * An ICMP error replaces the packet in its own frame (see {@link IcmpErrorWriter}), from the
 * VRF's gateway address, rate-limited per worker, and is routed back in the same VRF like any
 * packet. When no error may be sent the packet is dropped under the original reason and an event
 * counter says why no error went out.
 *
 * <p>Threading: one instance per worker; {@link #process} runs on that worker's thread only.
 */
public final class VrfRouteStage implements Stage {
    public static final String NAME = "vrf-route";

    /** Event counters ({@code vrf-route.<name>}). */
    public static final List<String> EVENTS = List.of("icmp-unreachable-sent", "icmp-time-exceeded-sent",
        "icmp-too-big-sent", "icmp-rate-limited", "icmp-not-permitted", "icmp-no-source-address",
        "icmp-no-route-back", "icmp-no-room");
    static final int EVENT_UNREACHABLE_SENT = 0;
    static final int EVENT_TIME_EXCEEDED_SENT = 1;
    static final int EVENT_TOO_BIG_SENT = 2;
    static final int EVENT_RATE_LIMITED = 3;
    static final int EVENT_NOT_PERMITTED = 4;
    static final int EVENT_NO_SOURCE_ADDRESS = 5;
    static final int EVENT_NO_ROUTE_BACK = 6;
    /** No error sent: the error would not fit in front of the packet, or the packet is not whole in its frame. */
    static final int EVENT_NO_ROOM = 7;

    private final List<String> nextStages;
    private final IcmpRateLimiter icmpLimiter = new IcmpRateLimiter();

    /** Routed packets go to {@link VxlanEncapStage#NAME}. */
    public VrfRouteStage() {
        this(VxlanEncapStage.NAME);
    }

    public VrfRouteStage(String nextStage) {
        this.nextStages = List.of(nextStage);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> nextStages() {
        return nextStages;
    }

    @Override
    public DropReason[] dropReasons() {
        return RouteDropReason.values();
    }

    @Override
    public List<String> eventCounters() {
        return EVENTS;
    }

    @Override
    public void process(PacketBatch batch, StageVector input, StageContext context) {
        ForwardingTables tables = context.snapshot().get(ForwardingTables.SLOT);
        int size = input.size();
        if (tables == null) {
            for (int i = 0; i < size; i++) {
                context.drop(input.slot(i), RouteDropReason.NOT_CONFIGURED);
            }
            return;
        }
        UnsafeBuffer buffer = batch.buffer();
        int vrfCount = tables.vrfCount();
        int mtu = tables.innerMtuBytes();
        byte[] base = PacketWords.base(buffer);
        long bufferAddress = PacketWords.address(buffer, 0);
        int[] vrfs = batch.vrf;
        int[] l3Offsets = batch.l3Offset;
        int[] flags = batch.flags;
        int[] flowHashes = batch.flowHash;
        int[] adjacencies = batch.adjacency;
        // The two loops differ only in where the slot comes from (see SlotOrder).
        if (SlotOrder.isInOrder(input, size)) {
            for (int slot = 0; slot < size; slot++) {
                int vrf = vrfs[slot];
                int ip = l3Offsets[slot];
                // The common case in the loop itself: IPv4, a route to a next-hop group, TTL > 1,
                // fits the MTU. Anything else goes to route(), which looks again and decides as before.
                if (vrf >= 0 && vrf < vrfCount && ip >= 0 && (flags[slot] & PacketFlags.INNER_IPV6) == 0
                    && PacketWords.inside(buffer, ip, Ipv4Flyweight.MIN_HEADER_LENGTH)) {
                    long address = bufferAddress + ip;
                    int totalLength = PacketWords.getInt(base, address) & 0xFFFF;
                    int ttlWord = PacketWords.getInt(base, address + Ipv4Flyweight.TTL_OFFSET);
                    int result = tables.ipv4Routes(vrf).lookup(
                        PacketWords.getInt(base, address + Ipv4Flyweight.DESTINATION_OFFSET));
                    if (RouteResult.isGroup(result) && (ttlWord >>> 24) > 1 && totalLength <= mtu) {
                        PacketWords.putInt(base, address + Ipv4Flyweight.TTL_OFFSET, decrementTtl(ttlWord));
                        adjacencies[slot] = tables.adjacencyOf(result, flowHashes[slot]);
                        context.forward(0, slot);
                        continue;
                    }
                }
                route(batch, buffer, slot, tables, context);
            }
        } else {
            for (int i = 0; i < size; i++) {
                int slot = input.slot(i);
                int vrf = vrfs[slot];
                int ip = l3Offsets[slot];
                // The same common case as in the loop above.
                if (vrf >= 0 && vrf < vrfCount && ip >= 0 && (flags[slot] & PacketFlags.INNER_IPV6) == 0
                    && PacketWords.inside(buffer, ip, Ipv4Flyweight.MIN_HEADER_LENGTH)) {
                    long address = bufferAddress + ip;
                    int totalLength = PacketWords.getInt(base, address) & 0xFFFF;
                    int ttlWord = PacketWords.getInt(base, address + Ipv4Flyweight.TTL_OFFSET);
                    int result = tables.ipv4Routes(vrf).lookup(
                        PacketWords.getInt(base, address + Ipv4Flyweight.DESTINATION_OFFSET));
                    if (RouteResult.isGroup(result) && (ttlWord >>> 24) > 1 && totalLength <= mtu) {
                        PacketWords.putInt(base, address + Ipv4Flyweight.TTL_OFFSET, decrementTtl(ttlWord));
                        adjacencies[slot] = tables.adjacencyOf(result, flowHashes[slot]);
                        context.forward(0, slot);
                        continue;
                    }
                }
                route(batch, buffer, slot, tables, context);
            }
        }
    }

    /** The general path: every packet the loop's common case does not take, with its exact verdict. */
    private void route(PacketBatch batch, UnsafeBuffer buffer, int slot, ForwardingTables tables,
                       StageContext context) {
        int vrf = batch.vrf[slot];
        int ip = batch.l3Offset[slot];
        if (vrf < 0 || vrf >= tables.vrfCount() || ip < 0) {
            context.drop(slot, RouteDropReason.NOT_DECAPSULATED);
        } else if ((batch.flags[slot] & PacketFlags.INNER_IPV6) == 0) {
            routeIpv4(batch, buffer, slot, vrf, tables, context);
        } else {
            routeIpv6(batch, buffer, slot, vrf, tables, context);
        }
    }

    private void routeIpv4(PacketBatch batch, UnsafeBuffer buffer, int slot, int vrf, ForwardingTables tables,
                           StageContext context) {
        int ip = batch.l3Offset[slot];
        int result = tables.ipv4Routes(vrf).lookup(Ipv4Flyweight.destination(buffer, ip));
        if (!RouteResult.isGroup(result)) {
            if (result == RouteResult.NO_ROUTE) {
                sendIpv4Error(batch, buffer, slot, vrf, tables, context, IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                    IcmpFlyweight.V4_CODE_NET_UNREACHABLE, 0, RouteDropReason.NO_ROUTE, EVENT_UNREACHABLE_SENT);
            } else {
                context.drop(slot, result == RouteResult.BLACKHOLE ? RouteDropReason.BLACKHOLE
                    : RouteDropReason.LOCAL_DESTINATION);
            }
            return;
        }
        int ttlWord = buffer.getInt(ip + Ipv4Flyweight.TTL_OFFSET, BIG_ENDIAN);
        if ((ttlWord >>> 24) <= 1) {
            sendIpv4Error(batch, buffer, slot, vrf, tables, context, IcmpFlyweight.V4_TIME_EXCEEDED,
                IcmpFlyweight.V4_CODE_TTL_EXCEEDED, 0, RouteDropReason.TTL_EXPIRED, EVENT_TIME_EXCEEDED_SENT);
            return;
        }
        int mtu = tables.innerMtuBytes();
        if (Ipv4Flyweight.totalLength(buffer, ip) > mtu) {
            if (Ipv4Flyweight.dontFragment(buffer, ip)) {
                // RFC 1191 §4: the next-hop MTU goes in the low 16 bits of the rest-of-header word.
                sendIpv4Error(batch, buffer, slot, vrf, tables, context, IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                    IcmpFlyweight.V4_CODE_FRAGMENTATION_NEEDED, mtu & 0xFFFF, RouteDropReason.PACKET_TOO_BIG,
                    EVENT_TOO_BIG_SENT);
            } else {
                context.drop(slot, RouteDropReason.FRAGMENTATION_NOT_SUPPORTED);
            }
            return;
        }
        buffer.putInt(ip + Ipv4Flyweight.TTL_OFFSET, decrementTtl(ttlWord), BIG_ENDIAN);
        batch.adjacency[slot] = tables.adjacencyOf(result, batch.flowHash[slot]);
        context.forward(0, slot);
    }

    /**
     * The TTL/protocol/checksum word with the TTL one lower and the checksum patched by RFC 1624
     * eqn. 3 (HC' = ~(~HC + ~m + m'), m = the TTL/protocol word).
     */
    static int decrementTtl(int ttlWord) {
        int oldWord = ttlWord >>> 16;
        int newWord = oldWord - 0x0100;
        int sum = (~ttlWord & 0xFFFF) + (~oldWord & 0xFFFF) + newWord;
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return (newWord << 16) | (~sum & 0xFFFF);
    }

    private void routeIpv6(PacketBatch batch, UnsafeBuffer buffer, int slot, int vrf, ForwardingTables tables,
                           StageContext context) {
        int ip = batch.l3Offset[slot];
        int result = tables.ipv6Routes(vrf).lookup(Ipv6Flyweight.destinationHigh(buffer, ip),
            Ipv6Flyweight.destinationLow(buffer, ip));
        if (!RouteResult.isGroup(result)) {
            if (result == RouteResult.NO_ROUTE) {
                // RFC 4443 §3.1: code 0, no route to destination.
                sendIpv6Error(batch, buffer, slot, vrf, tables, context, IcmpFlyweight.V6_DESTINATION_UNREACHABLE,
                    0, 0, RouteDropReason.NO_ROUTE, EVENT_UNREACHABLE_SENT);
            } else {
                context.drop(slot, result == RouteResult.BLACKHOLE ? RouteDropReason.BLACKHOLE
                    : RouteDropReason.LOCAL_DESTINATION);
            }
            return;
        }
        int hopLimit = Ipv6Flyweight.hopLimit(buffer, ip);
        if (hopLimit <= 1) {
            // RFC 4443 §3.3: code 0, hop limit exceeded in transit.
            sendIpv6Error(batch, buffer, slot, vrf, tables, context, IcmpFlyweight.V6_TIME_EXCEEDED, 0, 0,
                RouteDropReason.TTL_EXPIRED, EVENT_TIME_EXCEEDED_SENT);
            return;
        }
        int mtu = tables.innerMtuBytes();
        if (Ipv6Flyweight.HEADER_LENGTH + Ipv6Flyweight.payloadLength(buffer, ip) > mtu) {
            // RFC 4443 §3.2: the MTU field is the whole 32-bit rest-of-header word.
            sendIpv6Error(batch, buffer, slot, vrf, tables, context, IcmpFlyweight.V6_PACKET_TOO_BIG, 0, mtu,
                RouteDropReason.PACKET_TOO_BIG, EVENT_TOO_BIG_SENT);
            return;
        }
        Ipv6Flyweight.hopLimit(buffer, ip, hopLimit - 1);
        batch.adjacency[slot] = tables.adjacencyOf(result, batch.flowHash[slot]);
        context.forward(0, slot);
    }

    private void sendIpv4Error(PacketBatch batch, UnsafeBuffer buffer, int slot, int vrf, ForwardingTables tables,
                               StageContext context, int type, int code, int restOfHeader, RouteDropReason reason,
                               int sentEvent) {
        int ip = batch.l3Offset[slot];
        if (!tables.hasGatewayIpv4(vrf)) {
            dropWithoutError(slot, context, reason, EVENT_NO_SOURCE_ADDRESS);
            return;
        }
        int errorIp = ip - IcmpErrorWriter.IPV4_PREFIX_LENGTH;
        // The error is written in front of the packet and quotes its start: both must lie in the frame.
        if (errorIp - VxlanEncapStage.HEADER_LENGTH < batch.frameStart(slot)
            || ip + Ipv4Flyweight.totalLength(buffer, ip) > batch.frameEnd(slot)) {
            dropWithoutError(slot, context, reason, EVENT_NO_ROOM);
            return;
        }
        if (!IcmpErrorWriter.mayReportIpv4(buffer, ip)) {
            dropWithoutError(slot, context, reason, EVENT_NOT_PERMITTED);
            return;
        }
        int result = tables.ipv4Routes(vrf).lookup(Ipv4Flyweight.source(buffer, ip));
        if (!RouteResult.isGroup(result)) {
            dropWithoutError(slot, context, reason, EVENT_NO_ROUTE_BACK);
            return;
        }
        if (!icmpLimiter.tryAcquire(context.nowNs(), tables.icmpErrorsPerSecond(), tables.icmpErrorBurst())) {
            dropWithoutError(slot, context, reason, EVENT_RATE_LIMITED);
            return;
        }
        int ipLength = Ipv4Flyweight.totalLength(buffer, ip);
        int errorLength = IcmpErrorWriter.writeIpv4(buffer, ip, ipLength, type, code, restOfHeader,
            tables.gatewayIpv4(vrf));
        becomeLocalPacket(batch, slot, errorIp, errorLength, Ipv4Flyweight.MIN_HEADER_LENGTH, 0);
        batch.adjacency[slot] = tables.adjacencyOf(result, batch.flowHash[slot]);
        context.countEvent(sentEvent);
        context.forward(0, slot);
    }

    private void sendIpv6Error(PacketBatch batch, UnsafeBuffer buffer, int slot, int vrf, ForwardingTables tables,
                               StageContext context, int type, int code, int restOfHeader, RouteDropReason reason,
                               int sentEvent) {
        int ip = batch.l3Offset[slot];
        if (!tables.hasGatewayIpv6(vrf)) {
            dropWithoutError(slot, context, reason, EVENT_NO_SOURCE_ADDRESS);
            return;
        }
        int errorIp = ip - IcmpErrorWriter.IPV6_PREFIX_LENGTH;
        if (errorIp - VxlanEncapStage.HEADER_LENGTH < batch.frameStart(slot)
            || ip + Ipv6Flyweight.HEADER_LENGTH + Ipv6Flyweight.payloadLength(buffer, ip) > batch.frameEnd(slot)) {
            dropWithoutError(slot, context, reason, EVENT_NO_ROOM);
            return;
        }
        int l4 = batch.l4Offset[slot];
        int protocol = l4 >= 0 ? protocolOfIpv6(buffer, ip) : -1;
        if (!IcmpErrorWriter.mayReportIpv6(buffer, ip, l4, protocol, type == IcmpFlyweight.V6_PACKET_TOO_BIG)) {
            dropWithoutError(slot, context, reason, EVENT_NOT_PERMITTED);
            return;
        }
        int result = tables.ipv6Routes(vrf).lookup(Ipv6Flyweight.sourceHigh(buffer, ip),
            Ipv6Flyweight.sourceLow(buffer, ip));
        if (!RouteResult.isGroup(result)) {
            dropWithoutError(slot, context, reason, EVENT_NO_ROUTE_BACK);
            return;
        }
        if (!icmpLimiter.tryAcquire(context.nowNs(), tables.icmpErrorsPerSecond(), tables.icmpErrorBurst())) {
            dropWithoutError(slot, context, reason, EVENT_RATE_LIMITED);
            return;
        }
        int ipLength = Ipv6Flyweight.HEADER_LENGTH + Ipv6Flyweight.payloadLength(buffer, ip);
        int errorLength = IcmpErrorWriter.writeIpv6(buffer, ip, ipLength, type, code, restOfHeader,
            tables.gatewayIpv6High(vrf), tables.gatewayIpv6Low(vrf));
        becomeLocalPacket(batch, slot, errorIp, errorLength, Ipv6Flyweight.HEADER_LENGTH, PacketFlags.INNER_IPV6);
        batch.adjacency[slot] = tables.adjacencyOf(result, batch.flowHash[slot]);
        context.countEvent(sentEvent);
        context.forward(0, slot);
    }

    /** The upper-layer protocol of an IPv6 packet whose extension headers decap already walked. */
    private static int protocolOfIpv6(UnsafeBuffer buffer, int ip) {
        long walk = Ipv6Flyweight.walkExtensionHeaders(buffer, ip,
            Ipv6Flyweight.HEADER_LENGTH + Ipv6Flyweight.payloadLength(buffer, ip));
        return walk < 0 ? -1 : Ipv6Flyweight.walkProtocol(walk);
    }

    private static void becomeLocalPacket(PacketBatch batch, int slot, int ip, int length, int ipHeaderLength,
                                          int familyFlag) {
        batch.offset[slot] = ip;
        batch.length[slot] = length;
        batch.l3Offset[slot] = ip;
        batch.l4Offset[slot] = ip + ipHeaderLength;
        batch.flags[slot] = (batch.flags[slot] & ~(PacketFlags.INNER_IPV6 | PacketFlags.FRAGMENT
            | PacketFlags.NON_FIRST_FRAGMENT)) | PacketFlags.LOCALLY_GENERATED | familyFlag;
    }

    private static void dropWithoutError(int slot, StageContext context, RouteDropReason reason, int event) {
        context.countEvent(event);
        context.drop(slot, reason);
    }
}
