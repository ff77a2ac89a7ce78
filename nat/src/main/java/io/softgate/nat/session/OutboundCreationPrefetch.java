package io.softgate.nat.session;

import io.softgate.core.flow.FlowTable;
import io.softgate.nat.compile.CompiledRule;
import io.softgate.nat.compile.ExternalAddress;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.compile.RuleKind;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.PortAllocationMode;

/**
 * The in2out batch pre-pass for new flows: for every packet of a batch whose session the batch
 * lookup did not find, starts loading what its outbound session creation will read first, so
 * the cache misses of the whole batch overlap instead of each creation paying them in turn.
 *
 * <p>For every such packet: its inside session slot (the batch lookup read only the slot its
 * fingerprints pointed to), its endpoint's EIM mapping slot and its subscriber's port-count slot.
 * And when a dynamic source rule with random port allocation will map it, its port's random value
 * is drawn now ("pre-drawn port"): the pre-pass computes the pool address and the first port
 * {@link PortSpace#claimRandom} will try exactly as the creation will, and loads that port's state
 * word and the slots of the two keys the port decides (the mapping's outside key and the
 * session's outside key). Without this the creation pays a serial chain: the port word's miss,
 * then those slots' misses. The stage hands the value to the packet's creation through
 * {@link NatScratch#offerPredrawnRandom}; RFC 6056 §3.3.1 still holds, since it is the same
 * generator's next output, only drawn a moment earlier, and used by that packet alone. When the
 * packet then finds an existing mapping (EIM), the value is unused; when its first port is taken,
 * the claim moves on and the port's two slots were loaded in vain. Port blocks, 1:1 and exclusion
 * rules draw nothing here.
 *
 * <p>Threading: one instance per worker (in2out stage), never shared; allocation-free after the
 * first {@link #beginBatch}.
 */
public final class OutboundCreationPrefetch {
    private final FlowTable mappings;
    private final FlowTable sessionTable;
    private final long[] key = new long[SessionKeys.KEY_WORDS];
    /** Per batch index: the pre-drawn random value, valid where {@link #hasPredrawn} is set. */
    private int[] predrawn = new int[0];
    private boolean[] hasPredrawn = new boolean[0];
    /**
     * Per batch index, from the first loop to the second: home slots of the inside session key,
     * inside mapping key, subscriber key, outside mapping key and outside session key
     * ({@value #HOMES} each), and the pre-drawn port's state-word row (null when none) and port.
     */
    private int[] homes = new int[0];
    private int[][] portRow = new int[0][];
    private int[] port = new int[0];
    private static final int HOMES = 5;
    /** Batch indices {@link #prefetch} planned (those below it are valid). */
    private int planned;

    public OutboundCreationPrefetch(NatSessions sessions) {
        this.mappings = sessions.mappingTable();
        this.sessionTable = sessions.sessionTable();
    }

    /**
     * Forgets the previous batch's pre-drawn values: a batch of up to {@code capacity} keys begins.
     * The per-key arrays are sized to the batch capacity here, once (the worker's batch capacity
     * does not change), not to a batch's key count, so batches of growing size never allocate.
     */
    public void beginBatch(int capacity) {
        if (predrawn.length < capacity) {
            predrawn = new int[capacity];
            hasPredrawn = new boolean[capacity];
            homes = new int[capacity * HOMES];
            portRow = new int[capacity][];
            port = new int[capacity];
        }
        planned = 0;
    }

    /**
     * Starts loading the first reads of the outbound creations of the batch's {@code count} keys
     * (inside session key {@code i} at {@code keys[2i..2i+2)}) whose {@code entries[i]} is
     * missing, and pre-draws their port values from {@code scratch}. Returns a value only so the
     * loads are kept.
     *
     * <p>Two loops: the first only computes (rules, random values, keys, home slots), the second
     * only loads, a few instructions per load. A load that misses holds its place in the CPU's
     * reorder window until its line arrives; interleaved with a key's hashing and rule matching
     * (hundreds of instructions), only the loads of about one key would fit in that window, and
     * the batch would pay about one memory latency per key. Back to back, the whole batch's loads
     * are in flight together.
     */
    public long prefetch(NatTables tables, long[] keys, int[] entries, int count, NatScratch scratch) {
        if (predrawn.length < count) {
            beginBatch(count); // only for a caller that skipped beginBatch: the stage never does
        }
        NatSettings settings = tables.settings();
        boolean randomPorts = settings.portAllocation() != PortAllocationMode.PORT_BLOCKS;
        int first = settings.portRangeFirst();
        int last = settings.portRangeLast();
        int publicVrf = tables.publicVrf();
        for (int i = 0; i < count; i++) {
            hasPredrawn[i] = false;
            portRow[i] = null;
            if (entries[i] >= 0) {
                continue;
            }
            long key0 = keys[i * SessionKeys.KEY_WORDS];
            long key1 = keys[i * SessionKeys.KEY_WORDS + 1];
            int protocol = SessionKeys.protocol(key0);
            int protocolClass = ProtocolClass.of(protocol);
            int vrf = SessionKeys.vrf(key0);
            int source = SessionKeys.sourceAddress(key1);
            int sourcePort = SessionKeys.sourcePort(key0);
            int at = i * HOMES;
            // What every outbound creation reads first: its inside session slot (the batch lookup
            // read only the one its fingerprints pointed to), the endpoint's EIM mapping and the
            // subscriber's port count.
            homes[at] = sessionTable.homeSlot(keys, i * SessionKeys.KEY_WORDS);
            MappingAllocator.insideMappingKey(key, protocolClass, vrf, source, sourcePort);
            homes[at + 1] = mappings.homeSlot(key, 0);
            MappingAllocator.subscriberKey(key, protocolClass, vrf, source);
            homes[at + 2] = mappings.homeSlot(key, 0);
            if (!randomPorts || protocolClass == ProtocolClass.NONE) {
                continue;
            }
            int destination = SessionKeys.destinationAddress(key1);
            int destinationPort = SessionKeys.destinationPort(key0);
            CompiledRule rule = NatSessions.outboundRule(tables, vrf, protocol, source, sourcePort, destination,
                destinationPort);
            if (rule == null || rule.kind != RuleKind.DYNAMIC_SOURCE) {
                continue;
            }
            int random = scratch.nextRandom();
            predrawn[i] = random;
            hasPredrawn[i] = true;
            // As MappingAllocator.create: RFC 4787 REQ-2 paired pooling, then the first port
            // PortSpace.claimRandom tries, and the two keys that port decides.
            ExternalAddress address = rule.pool[MappingAllocator.pairedIndex(vrf, source, rule.pool.length)];
            int startPort = PortSpace.randomStart(first, last, random);
            portRow[i] = address.ports.words(protocolClass);
            port[i] = startPort;
            MappingAllocator.outsideMappingKey(key, protocolClass, address.address, startPort);
            homes[at + 3] = mappings.homeSlot(key, 0);
            SessionKeys.outsideKey(key, protocol, publicVrf, destination, destinationPort, address.address, startPort);
            homes[at + 4] = sessionTable.homeSlot(key, 0);
        }
        long touched = 0;
        for (int i = 0; i < count; i++) {
            if (entries[i] >= 0) {
                continue;
            }
            int at = i * HOMES;
            touched += sessionTable.prefetchHomeForInsert(homes[at]) + mappings.prefetchHomeForInsert(homes[at + 1])
                + mappings.prefetchHome(homes[at + 2]);
            int[] row = portRow[i];
            if (row != null) {
                portRow[i] = null;
                touched += row[port[i]] + mappings.prefetchHomeForInsert(homes[at + 3])
                    + sessionTable.prefetchHomeForInsert(homes[at + 4]);
            }
        }
        planned = count;
        return touched;
    }

    /**
     * Takes the value pre-drawn for batch index {@code index} into {@code scratch}
     * ({@link NatScratch#offerPredrawnRandom}); once taken, or when none was drawn, nothing.
     */
    public void offer(int index, NatScratch scratch) {
        if (index >= 0 && index < planned && hasPredrawn[index]) {
            hasPredrawn[index] = false;
            scratch.offerPredrawnRandom(predrawn[index]);
        }
    }
}
