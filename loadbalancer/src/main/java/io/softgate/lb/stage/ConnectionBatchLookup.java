package io.softgate.lb.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.flow.FlowTable;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageVector;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A first pass over a vector that builds every packet's connection key and looks them all up in
 * one {@link FlowTable#lookupIntoBatch}, so the cache (and TLB) misses of a large connection
 * table overlap instead of being paid one after another in the main pass; the main pass then
 * takes each packet's result from here ({@link #lookupInto}).
 *
 * <p>Threading: one instance per stage instance (per worker); allocation-free after the first batch.
 */
final class ConnectionBatchLookup {
    private final FlowTable table;
    private long[] keys = new long[0];
    private long[] values = new long[0];
    private int[] entries = new int[0];
    /** Index of the slot's key in {@link #keys}, or -1 when the first pass built none. */
    private int[] keyOfSlot = new int[0];
    /** Set when this stage inserted or removed connections since the batch lookup. */
    private boolean tableChanged;

    ConnectionBatchLookup(FlowTable table) {
        this.table = table;
    }

    /**
     * Looks up the connection of each IPv4 TCP/UDP packet in {@code input}, keyed as a packet
     * travelling in VRF {@code fixedVrf} (or its own {@code vrf[slot]} when {@code fixedVrf < 0}).
     * Reads only bytes inside each packet; anything odd is skipped (the main pass judges it).
     */
    void lookUp(PacketBatch batch, StageVector input, int fixedVrf, long nowNs) {
        if (keyOfSlot.length < batch.capacity()) {
            // Once, on the first batch.
            keys = new long[batch.capacity() * ConnectionLayout.KEY_WORDS];
            values = new long[batch.capacity() * ConnectionLayout.VALUE_WORDS];
            entries = new int[batch.capacity()];
            keyOfSlot = new int[batch.capacity()];
        }
        tableChanged = false;
        UnsafeBuffer buffer = batch.buffer();
        int count = 0;
        for (int i = 0, size = input.size(); i < size; i++) {
            int slot = input.slot(i);
            keyOfSlot[slot] = -1;
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
            keys[count * ConnectionLayout.KEY_WORDS] = ConnectionLayout.addresses(Ipv4Flyweight.source(buffer, ip),
                Ipv4Flyweight.destination(buffer, ip));
            keys[count * ConnectionLayout.KEY_WORDS + 1] = ConnectionLayout.portsProtocolVrf(
                buffer.getShort(l4, BIG_ENDIAN) & 0xFFFF, buffer.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF, protocol,
                fixedVrf >= 0 ? fixedVrf : batch.vrf[slot]);
            keyOfSlot[slot] = count++;
        }
        table.lookupIntoBatch(keys, count, nowNs, values, entries);
    }

    /**
     * {@link FlowTable#lookupInto} of {@code key} for the packet in {@code slot}: the batch
     * lookup's answer when it looked up this very key, found it, and this stage has not changed
     * the table since (a later packet of a connection an earlier one moved must see the move);
     * otherwise a lookup now.
     */
    int lookupInto(int slot, long[] key, long nowNs, long[] valueOut) {
        int index = keyOfSlot[slot];
        if (index >= 0 && !tableChanged && keys[index * ConnectionLayout.KEY_WORDS] == key[0]
            && keys[index * ConnectionLayout.KEY_WORDS + 1] == key[1]) {
            int entry = entries[index];
            if (entry >= 0) {
                int at = index * ConnectionLayout.VALUE_WORDS;
                valueOut[0] = values[at];
                valueOut[1] = values[at + 1];
                valueOut[2] = values[at + 2];
                return entry;
            }
        }
        return table.lookupInto(key, nowNs, valueOut);
    }

    /** This stage inserted or removed connections: later packets of the batch look up afresh. */
    void tableChanged() {
        tableChanged = true;
    }
}
