package io.softgate.lb.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.flow.FlowTable;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageVector;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A cheap first pass over a vector that touches the home slot of every packet's connection key,
 * so the cache (and TLB) misses of a large connection table overlap instead of being paid one
 * after another in the main pass (Java has no prefetch instruction; independent loads in a tight
 * loop are the portable equivalent, as VPP's dual loops do with explicit prefetches).
 *
 * <p>Threading: one instance per stage instance (per worker); allocation-free.
 */
final class ConnectionPrefetch {
    private final FlowTable table;
    private final int mask;
    private final long[] key = new long[ConnectionLayout.KEY_WORDS];
    /** Sink for the touched words, so the loads are not optimised away. */
    private long sink;

    ConnectionPrefetch(FlowTable table) {
        this.table = table;
        this.mask = table.capacity() - 1;
    }

    /**
     * Touches the home slot for each IPv4 TCP/UDP packet in {@code input}, keyed as a packet
     * travelling in VRF {@code fixedVrf} (or its own {@code vrf[slot]} when {@code fixedVrf < 0}).
     * Reads only bytes inside each packet; anything odd is skipped (the main pass judges it).
     */
    void touch(PacketBatch batch, StageVector input, int fixedVrf) {
        UnsafeBuffer buffer = batch.buffer();
        long touched = 0;
        for (int i = 0, size = input.size(); i < size; i++) {
            int slot = input.slot(i);
            int ip = batch.l3Offset[slot];
            int end = batch.offset[slot] + batch.length[slot];
            if (ip < batch.offset[slot] || ip + Ipv4Flyweight.MIN_HEADER_LENGTH > end
                || (batch.flags[slot] & PacketFlags.INNER_IPV6) != 0) {
                continue;
            }
            int l4 = ip + Ipv4Flyweight.headerLength(buffer, ip);
            int protocol = Ipv4Flyweight.protocol(buffer, ip);
            if (l4 + 4 > end || (protocol != Ipv4Flyweight.PROTOCOL_TCP && protocol != Ipv4Flyweight.PROTOCOL_UDP)) {
                continue;
            }
            key[0] = ConnectionLayout.addresses(Ipv4Flyweight.source(buffer, ip), Ipv4Flyweight.destination(buffer, ip));
            key[1] = ConnectionLayout.portsProtocolVrf(buffer.getShort(l4, BIG_ENDIAN) & 0xFFFF,
                buffer.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF, protocol, fixedVrf >= 0 ? fixedVrf : batch.vrf[slot]);
            touched += table.expiresAtNs((int) table.keyHash(key) & mask);
        }
        sink += touched;
    }

    long sink() {
        return sink;
    }
}
