package io.softgate.lb.stage;

import io.softgate.core.flow.FlowTable;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.PacketWords;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageVector;
import io.softgate.lb.compile.BackendSourceFilter;
import io.softgate.lb.compile.LoadBalancerTables;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The first pass over a vector: it picks the packets a stage's fast path can serve (plain IPv4
 * TCP/UDP, not fragmented, headers inside the packet), builds their connection keys and looks
 * them all up in one {@link FlowTable#lookupIntoBatch}, so the cache (and TLB) misses of a large
 * connection table overlap instead of being paid one after another. The stage then serves a
 * packet straight from {@link #entries}/{@link #values} ({@link #keyOf}), or falls back to its
 * full per-packet path, which takes this pass's answer through {@link #lookupInto}.
 *
 * <p>Threading: one instance per stage instance (per worker); allocation-free after the first batch.
 */
final class ConnectionBatchLookup {
    /** Marks a key in {@link #entries} whose connection this stage changed since the batch lookup. */
    static final int STALE = Integer.MIN_VALUE;
    /** {@link #keyOf}: the packet does not qualify for the fast path; the stage's full path judges it. */
    static final int NO_KEY = -1;
    /** {@link #keyOf} in {@code lb-reply}: a plain TCP/UDP packet whose source is no backend's; it passes untouched. */
    static final int NOT_FROM_BACKEND = -2;

    private static final int VIP_EXCLUDED_FLAGS = PacketFlags.INNER_IPV6 | PacketFlags.FRAGMENT | PacketFlags.NON_FIRST_FRAGMENT;
    private static final int REPLY_EXCLUDED_FLAGS = PacketFlags.INNER_IPV6 | PacketFlags.NON_FIRST_FRAGMENT;
    /**
     * RFC 791 §3.1: flags (reserved, DF, MF) and fragment offset share one 16-bit word; a VIP
     * refuses MF or an offset, a reply only an offset (a first fragment carries the ports).
     */
    private static final int VIP_FRAGMENT_MASK = Ipv4Flyweight.FLAG_MORE_FRAGMENTS | Ipv4Flyweight.FRAGMENT_OFFSET_MASK;

    private final FlowTable table;
    /** Key {@code k} is {@code keys[2k .. 2k + 2)} ({@link ConnectionLayout}). */
    long[] keys = new long[0];
    /** Value of key {@code k} ({@code values[3k .. 3k + 3)}), valid when {@code entries[k] >= 0}. */
    long[] values = new long[0];
    /** Entry of key {@code k}: the table's index, {@link FlowTable#MISSING}, or {@link #STALE}. */
    int[] entries = new int[0];
    /** {@code lb-vip}: the service of key {@code k}'s VIP, port and protocol ({@link LoadBalancerTables#findService}). */
    int[] serviceOfKey = new int[0];
    /** Absolute offset of key {@code k}'s packet's L4 header. */
    int[] l4OfKey = new int[0];
    /** Index of the slot's key, or {@link #NO_KEY} or {@link #NOT_FROM_BACKEND}. */
    private int[] keyOfSlot = new int[0];
    private int count;
    /** Packets of the last {@link #lookUp} marked {@link #NOT_FROM_BACKEND}. */
    int notFromBackend;

    ConnectionBatchLookup(FlowTable table) {
        this.table = table;
    }

    /**
     * Looks up the connection of every packet of {@code input} that the fast path can serve:
     * the inner header at {@code l3Offset} is a valid IPv4 header (what {@link Ipv4Flyweight#validate}
     * checks: version 4, header length at least 20 and within the total length, total length within
     * the packet), the protocol is TCP
     * or UDP with its whole header (20 or 8 bytes) inside the total length, and the packet is no
     * fragment. With {@code vipTables} (for {@code lb-vip}): no fragment at all (a VIP drops
     * them), only packets in the public VRF, and only packets to a service's VIP, port and
     * protocol ({@link #serviceOfKey}), so inbound traffic that is no load balancer's (NAT replies,
     * routed traffic) costs no connection-table access; the key is the 5-tuple in the public VRF.
     * Without ({@code lb-reply}): no non-first fragment (a first one carries the ports); the key
     * is the 5-tuple in the packet's own {@code vrf[slot]}, and a packet whose source (VRF,
     * address, port, protocol) {@code replySources} rules out ({@link BackendSourceFilter#mayContain}) gets no key but
     * {@link #NOT_FROM_BACKEND}: it can match no reverse entry, so it costs no table access
     * either. Reads only bytes inside each packet; anything else gets {@link #NO_KEY} (the
     * stage's full path judges it).
     */
    void lookUp(PacketBatch batch, StageVector input, LoadBalancerTables vipTables, BackendSourceFilter replySources,
                long nowNs) {
        if (keyOfSlot.length < batch.capacity()) {
            // Once, on the first batch.
            keys = new long[batch.capacity() * ConnectionLayout.KEY_WORDS];
            values = new long[batch.capacity() * ConnectionLayout.VALUE_WORDS];
            entries = new int[batch.capacity()];
            l4OfKey = new int[batch.capacity()];
            serviceOfKey = new int[batch.capacity()];
            keyOfSlot = new int[batch.capacity()];
        }
        UnsafeBuffer buffer = batch.buffer();
        // One loop per stage rather than one with "if VIP" inside: each stays small enough for C2
        // to keep its values in registers.
        count = vipTables != null ? keyVipPackets(batch, input, vipTables, buffer)
            : keyReplyPackets(batch, input, replySources, buffer);
        table.lookupIntoBatch(keys, count, nowNs, values, entries);
    }

    /** {@code lb-vip}'s keys: plain TCP/UDP in the public VRF to a service's VIP:port; returns how many. */
    private int keyVipPackets(PacketBatch batch, StageVector input, LoadBalancerTables vipTables, UnsafeBuffer buffer) {
        int publicVrf = vipTables.publicVrf();
        int found = 0;
        for (int i = 0, size = input.size(); i < size; i++) {
            int slot = input.slot(i);
            keyOfSlot[slot] = NO_KEY;
            if (batch.vrf[slot] != publicVrf || (batch.flags[slot] & VIP_EXCLUDED_FLAGS) != 0) {
                continue;
            }
            int l4 = parseFastPath(buffer, batch.offset[slot], batch.l3Offset[slot], batch.length[slot],
                VIP_FRAGMENT_MASK);
            if (l4 < 0) {
                continue;
            }
            int protocol = parsedProtocol;
            long addresses = parsedAddresses;
            int ports = parsedPorts;
            int service = vipTables.findService((int) addresses, protocol, ports & 0xFFFF);
            if (service == LoadBalancerTables.NO_SERVICE) {
                continue;
            }
            serviceOfKey[found] = service;
            addKey(slot, found++, addresses, ports, protocol, publicVrf, l4);
        }
        return found;
    }

    /** {@code lb-reply}'s keys: plain TCP/UDP whose source {@code replySources} does not rule out; returns how many. */
    private int keyReplyPackets(PacketBatch batch, StageVector input, BackendSourceFilter replySources, UnsafeBuffer buffer) {
        int found = 0;
        int skipped = 0;
        for (int i = 0, size = input.size(); i < size; i++) {
            int slot = input.slot(i);
            keyOfSlot[slot] = NO_KEY;
            if ((batch.flags[slot] & REPLY_EXCLUDED_FLAGS) != 0) {
                continue;
            }
            int l4 = parseFastPath(buffer, batch.offset[slot], batch.l3Offset[slot], batch.length[slot],
                Ipv4Flyweight.FRAGMENT_OFFSET_MASK);
            if (l4 < 0) {
                continue;
            }
            int protocol = parsedProtocol;
            long addresses = parsedAddresses;
            int ports = parsedPorts;
            int vrf = batch.vrf[slot];
            if (!replySources.mayContain(BackendSourceFilter.pack((int) (addresses >>> 32), ports >>> 16, protocol), vrf)) {
                keyOfSlot[slot] = NOT_FROM_BACKEND;
                skipped++;
                continue;
            }
            addKey(slot, found++, addresses, ports, protocol, vrf, l4);
        }
        notFromBackend = skipped;
        return found;
    }

    private void addKey(int slot, int k, long addresses, int ports, int protocol, int vrf, int l4) {
        int at = k * ConnectionLayout.KEY_WORDS;
        keys[at] = addresses;
        keys[at + 1] = ConnectionLayout.portsWordProtocolVrf(ports, protocol, vrf);
        l4OfKey[k] = l4;
        keyOfSlot[slot] = k;
    }

    /** Set by {@link #parseFastPath} when it returns an L4 offset: the IPv4 protocol. */
    private int parsedProtocol;
    /** Set by {@link #parseFastPath}: source address << 32 | destination address, as {@code key[0]} takes them. */
    private long parsedAddresses;
    /** Set by {@link #parseFastPath}: source port << 16 | destination port. */
    private int parsedPorts;

    /**
     * The L4 offset of a packet the fast path can serve, or -1: the IPv4 header at {@code ip}
     * lies inside the packet ({@code start}, {@code length}) and the buffer and passes what
     * {@link Ipv4Flyweight#validate} checks, no bit of {@code fragmentMask} is set in its
     * flags/fragment-offset word, and it carries TCP or UDP with the whole L4 header (20 or 8
     * bytes) inside the total length. For such a packet it leaves {@link #parsedProtocol},
     * {@link #parsedAddresses} and {@link #parsedPorts}, read after one range check per header
     * without a bounds check per field.
     */
    private int parseFastPath(UnsafeBuffer buffer, int start, int ip, int length, int fragmentMask) {
        int end = start + length;
        if (ip < start || ip + Ipv4Flyweight.MIN_HEADER_LENGTH > end
            || !PacketWords.inside(buffer, ip, Ipv4Flyweight.MIN_HEADER_LENGTH)) {
            return -1;
        }
        // The checks of Ipv4Flyweight.validate, from whole words (RFC 791 §3.1: version, IHL in
        // 32-bit words, TOS, total length, identification, flags and fragment offset; then TTL,
        // protocol, checksum, source; then destination) instead of its checked loads: calling
        // validate here measured 2-4 ns a packet slower on lb-vip/lb-reply (benchmarks/README.md).
        byte[] base = PacketWords.base(buffer);
        long header = PacketWords.address(buffer, ip);
        long word0 = PacketWords.getLong(base, header);
        long word1 = PacketWords.getLong(base, header + 8);
        int first = (int) (word0 >>> 32);
        int headerLength = (first >>> 22) & 0x3C;
        int totalLength = first & 0xFFFF;
        int protocol = (int) (word1 >>> 48) & 0xFF;
        if ((first >>> 28) != 4 || headerLength < Ipv4Flyweight.MIN_HEADER_LENGTH || headerLength > totalLength
            || totalLength > end - ip
            || ((int) word0 & fragmentMask) != 0
            || (protocol != Ipv4Flyweight.PROTOCOL_TCP && protocol != Ipv4Flyweight.PROTOCOL_UDP)) {
            return -1;
        }
        int l4 = ip + headerLength;
        if (l4 + (protocol == Ipv4Flyweight.PROTOCOL_TCP ? 20 : 8) > ip + totalLength
            || !PacketWords.inside(buffer, l4, Integer.BYTES)) {
            return -1;
        }
        parsedProtocol = protocol;
        parsedAddresses = ((long) (int) word1 << 32) | (PacketWords.getInt(base, header + 16) & 0xFFFF_FFFFL);
        // RFC 793 §3.1, RFC 768: the two ports are the L4 header's first 4 bytes.
        parsedPorts = PacketWords.getInt(base, PacketWords.address(buffer, l4));
        return l4;
    }

    /** Index of the key the first pass built for {@code slot}, or {@link #NO_KEY} or {@link #NOT_FROM_BACKEND}. */
    int keyOf(int slot) {
        return keyOfSlot[slot];
    }

    /**
     * {@link FlowTable#lookupInto} of {@code key} for the packet in {@code slot}: the batch
     * lookup's answer (found or missing) when it looked up this very key and this stage has not
     * changed that connection since ({@link #changed}); otherwise a lookup now. (Another worker
     * may change the table at any time; an answer from the start of the batch is one a lookup
     * could have returned then.)
     */
    int lookupInto(int slot, long[] key, long nowNs, long[] valueOut) {
        int index = keyOfSlot[slot];
        if (index >= 0 && keys[index * ConnectionLayout.KEY_WORDS] == key[0]
            && keys[index * ConnectionLayout.KEY_WORDS + 1] == key[1]) {
            int entry = entries[index];
            if (entry >= 0) {
                int at = index * ConnectionLayout.VALUE_WORDS;
                valueOut[0] = values[at];
                valueOut[1] = values[at + 1];
                valueOut[2] = values[at + 2];
                return entry;
            }
            if (entry != STALE) {
                return entry;
            }
        }
        return table.lookupInto(key, nowNs, valueOut);
    }

    /**
     * This stage inserted or removed the connection {@code key} (a new one tracked, a dead
     * backend's moved): later packets of it in this batch must look it up afresh, so they see the
     * change. Other keys' answers stay valid: an insert takes only free or expired slots and a
     * remove touches only its own key's entry.
     */
    void changed(long[] key) {
        long key0 = key[0];
        long key1 = key[1];
        for (int k = 0; k < count; k++) {
            if (keys[k * ConnectionLayout.KEY_WORDS] == key0 && keys[k * ConnectionLayout.KEY_WORDS + 1] == key1) {
                entries[k] = STALE;
            }
        }
    }
}
