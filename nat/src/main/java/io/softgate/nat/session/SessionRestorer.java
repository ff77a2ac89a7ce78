package io.softgate.nat.session;

import static io.softgate.nat.session.MappingAllocator.MAPPING_WORD_ADDRESS;
import static io.softgate.nat.session.MappingAllocator.MAPPING_WORD_INSIDE_VRF;
import static io.softgate.nat.session.MappingAllocator.MAPPING_WORD_PARTNER;
import static io.softgate.nat.session.MappingAllocator.MAPPING_WORD_REFERENCES;
import static io.softgate.nat.session.SessionKeys.KEY_WORDS;
import static io.softgate.nat.session.SessionKeys.VALUE_WORDS;
import static io.softgate.nat.session.SessionKeys.WORD_LINK;
import static io.softgate.nat.session.SessionKeys.WORD_REWRITE0;
import static io.softgate.nat.session.SessionKeys.WORD_REWRITE1;

import io.softgate.core.flow.FlowTable;
import io.softgate.nat.compile.ExternalAddress;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.PortAllocationMode;
import io.softgate.nat.rewrite.Rewrite;

/**
 * Puts sessions persisted by a previous process (DESIGN §4, hitless restart) back into the
 * tables before traffic is accepted: both session entries with their precompiled rewrites, TCP
 * state and deadline, and for dynamic SNAT the EIM mapping (reference-counted), its port claimed
 * in the address's port space (or its port block) and the subscriber's port count, so a restored
 * port is never handed out again while it is in use. Nothing is logged to the NAT event log: the
 * mappings were logged when the previous process created them.
 *
 * <p>A persisted session is refused when the current configuration no longer matches it (its
 * public address is not ours, its VRFs changed) or its outside port is held by something else.
 *
 * <p>Threading: control thread only, before the workers run (it allocates its scratch once).
 */
public final class SessionRestorer {
    /** {@link #restore} results. */
    public static final int RESTORED = 0;
    public static final int ALREADY_PRESENT = 1;
    public static final int STALE_CONFIG = 2;
    public static final int TABLE_FULL = 3;
    public static final int PORT_TAKEN = 4;
    public static final int MALFORMED = 5;
    /** Number of result codes. */
    public static final int RESULTS = 6;
    /** Lookups of a mapping found condemned before the restore gives up on it. */
    private static final int RESTORE_ATTEMPTS = 8;

    private final NatSessions natSessions;
    private final FlowTable sessions;
    private final FlowTable mappings;
    private final long[] key = new long[KEY_WORDS];
    private final long[] key2 = new long[KEY_WORDS];
    private final long[] key3 = new long[KEY_WORDS];
    private final long[] values = new long[VALUE_WORDS];
    private final NatScratch scratch = new NatScratch(1);

    SessionRestorer(NatSessions natSessions) {
        this.natSessions = natSessions;
        this.sessions = natSessions.sessionTable();
        this.mappings = natSessions.mappingTable();
    }

    /** Name of a {@link #restore} result, for logs. */
    public static String resultName(int result) {
        switch (result) {
            case RESTORED: return "restored";
            case ALREADY_PRESENT: return "already-present";
            case STALE_CONFIG: return "stale-config";
            case TABLE_FULL: return "table-full";
            case PORT_TAKEN: return "port-taken";
            default: return "malformed";
        }
    }

    /**
     * Restores one session as {@link NatSessionJournal#sessionCreated} described it (TCP state
     * inside the rewrite words) with idle deadline {@code expiresAtNs} on the new process's clock.
     */
    public int restore(NatTables tables, long inside0, long inside1, long outside0, long outside1,
                       long insideRewrite0, long insideRewrite1, long outsideRewrite0, long outsideRewrite1,
                       long expiresAtNs, long nowNs) {
        if (SessionKeys.tag(inside0) != SessionKeys.TAG_INSIDE || SessionKeys.tag(outside0) != SessionKeys.TAG_OUTSIDE
            || (insideRewrite1 & Rewrite.FLAG_OUTSIDE) != 0 || (outsideRewrite1 & Rewrite.FLAG_OUTSIDE) == 0) {
            return MALFORMED;
        }
        int protocol = SessionKeys.protocol(inside0);
        int vpcVrf = SessionKeys.vrf(inside0);
        int outsideAddress = SessionKeys.destinationAddress(outside1);
        int outsidePort = SessionKeys.destinationPort(outside0);
        ExternalAddress external = tables.external(outsideAddress);
        // The rewrites and keys carry VRF indexes and our public address: they must still mean the same.
        if (external == null || SessionKeys.vrf(outside0) != tables.publicVrf() || !tables.isVpc(vpcVrf)
            || Rewrite.targetVrf(outsideRewrite1) != vpcVrf
            || Rewrite.newAddress(insideRewrite0) != outsideAddress) {
            return STALE_CONFIG;
        }
        key[0] = inside0;
        key[1] = inside1;
        if (sessions.lookup(key, nowNs) >= 0) {
            return ALREADY_PRESENT;
        }
        boolean dynamic = (insideRewrite1 & SessionKeys.FLAG_DYNAMIC) != 0;
        int protocolClass = ProtocolClass.of(protocol);
        int insideAddress = SessionKeys.sourceAddress(inside1);
        int insidePort = SessionKeys.sourcePort(inside0);
        int mapping = -1;
        int counter = MappingAllocator.NO_COUNTER;
        if (dynamic) {
            mapping = restoreMapping(tables.settings(), external, protocolClass, vpcVrf, insideAddress, insidePort,
                outsidePort, nowNs);
            if (mapping < 0) {
                return -mapping;
            }
            // RFC 6888 REQ-5: the subscriber's session count (no limit applies to what already exists).
            scratch.subscriberCounter = -1;
            counter = natSessions.allocator().countSubscriberSession(protocolClass, vpcVrf, insideAddress,
                Integer.MAX_VALUE, nowNs, scratch);
        }
        if (!natSessions.reserveSession()) {
            releaseMapping(counter, mapping);
            return TABLE_FULL; // nat.maxSessions is a hard limit for restored sessions too
        }
        int tick = SessionKeys.tick(expiresAtNs);
        values[WORD_REWRITE0] = insideRewrite0;
        values[WORD_REWRITE1] = insideRewrite1;
        values[WORD_LINK] = SessionKeys.link(-1, tick);
        int insideResult = sessions.insert(key, values, Long.MAX_VALUE, nowNs);
        if (!FlowTable.isCreated(insideResult)) {
            natSessions.releaseSession();
            releaseMapping(counter, mapping);
            return insideResult == FlowTable.FULL ? TABLE_FULL : ALREADY_PRESENT;
        }
        int insideEntry = FlowTable.entryIndex(insideResult);
        key2[0] = outside0;
        key2[1] = outside1;
        values[WORD_REWRITE0] = outsideRewrite0;
        values[WORD_REWRITE1] = outsideRewrite1;
        values[WORD_LINK] = SessionKeys.link(insideEntry, tick);
        int outsideResult = sessions.insert(key2, values, Long.MAX_VALUE, nowNs);
        if (!FlowTable.isCreated(outsideResult)) {
            sessions.remove(insideEntry, key);
            natSessions.releaseSession();
            releaseMapping(counter, mapping);
            return outsideResult == FlowTable.FULL ? TABLE_FULL : ALREADY_PRESENT;
        }
        sessions.value(insideEntry, WORD_LINK, SessionKeys.link(FlowTable.entryIndex(outsideResult), tick));
        return RESTORED;
    }

    /**
     * Gives back the session unit and drops the mapping reference a failed restore took (in that
     * order: the reference keeps the counter); the sweeper deletes the mapping if unused.
     */
    private void releaseMapping(int counter, int mapping) {
        natSessions.allocator().giveBackSubscriberSession(counter);
        if (mapping >= 0) {
            natSessions.allocator().releaseReference(mapping); // the reference it holds pins the entry
        }
    }

    /**
     * Finds or rebuilds the EIM mapping inside endpoint -> outside port and takes a reference;
     * returns its inside entry, or a negated result code.
     */
    private int restoreMapping(NatSettings settings, ExternalAddress external, int protocolClass, int vrf,
                               int address, int port, int outsidePort, long nowNs) {
        MappingAllocator allocator = natSessions.allocator();
        MappingAllocator.insideMappingKey(key2, protocolClass, vrf, address, port);
        for (int attempt = 0; ; attempt++) {
            int existing = mappings.lookupInto(key2, nowNs, values);
            if (existing < 0) {
                break;
            }
            long outside = values[MAPPING_WORD_ADDRESS];
            if ((int) (outside >>> 32) != external.address || ((int) outside & 0xFFFF) != outsidePort) {
                return -PORT_TAKEN; // EIM: this endpoint already maps elsewhere
            }
            // By the validated snapshot, never a raw add by index (MappingAllocator#takeReference).
            if (allocator.takeReference(existing, values[MAPPING_WORD_REFERENCES])) {
                return existing;
            }
            if (attempt == RESTORE_ATTEMPTS) {
                return -PORT_TAKEN; // condemned by a sweeper descheduled before removing it: its port is still held
            }
            Thread.onSpinWait(); // being deleted by the sweeper: look again, then rebuild it
        }
        // RFC 6888: the port counts for the subscriber (no limit applies to what already exists),
        // first, as for a new mapping, so that every mapping holds its unit in the counter.
        int counter = allocator.countSubscriberPort(protocolClass, vrf, address, MappingAllocator.COUNTER_MAX_PORTS,
            nowNs, scratch.key2, scratch.values2);
        if (counter < 0) {
            return -TABLE_FULL;
        }
        PortSpace ports = external.ports;
        boolean claimed;
        if (settings.portAllocation() == PortAllocationMode.PORT_BLOCKS) {
            int block = (outsidePort - settings.portRangeFirst()) / settings.portBlockSize();
            long owner = PortSpace.subscriberKey(vrf, address);
            if (!ports.claimExactBlock(protocolClass, block, owner)) {
                allocator.giveBackSubscriberPort(counter);
                return -PORT_TAKEN;
            }
            // Validated against the block word, as a worker's claim (PortSpace#releaseBlockIfIdle).
            claimed = ports.claimPortInOwnedBlock(protocolClass, block, owner, outsidePort, nowNs);
        } else {
            claimed = ports.tryClaim(protocolClass, outsidePort, nowNs);
        }
        if (!claimed) {
            allocator.giveBackSubscriberPort(counter);
            return -PORT_TAKEN;
        }
        MappingAllocator.outsideMappingKey(key2, protocolClass, external.address, outsidePort);
        values[MAPPING_WORD_ADDRESS] = MappingAllocator.outsideMappingValue(address, port);
        values[MAPPING_WORD_INSIDE_VRF] = vrf;
        values[MAPPING_WORD_PARTNER] = -1;
        int outsideResult = mappings.insert(key2, values, Long.MAX_VALUE, nowNs);
        if (!FlowTable.isCreated(outsideResult)) {
            ports.release(protocolClass, outsidePort, nowNs - 1_000_000_000L);
            allocator.giveBackSubscriberPort(counter);
            return outsideResult == FlowTable.FULL ? -TABLE_FULL : -PORT_TAKEN;
        }
        int outsideEntry = FlowTable.entryIndex(outsideResult);
        long[] insideKey = key3;
        MappingAllocator.insideMappingKey(insideKey, protocolClass, vrf, address, port);
        values[MAPPING_WORD_ADDRESS] = ((long) external.address << 32) | outsidePort;
        values[MAPPING_WORD_REFERENCES] = allocator.newMappingWord(scratch);
        values[MAPPING_WORD_PARTNER] = outsideEntry;
        int insideResult = mappings.insert(insideKey, values, Long.MAX_VALUE, nowNs);
        if (!FlowTable.isCreated(insideResult)) {
            mappings.remove(outsideEntry, key2);
            ports.release(protocolClass, outsidePort, nowNs - 1_000_000_000L);
            allocator.giveBackSubscriberPort(counter);
            return insideResult == FlowTable.FULL ? -TABLE_FULL : -PORT_TAKEN;
        }
        int insideEntry = FlowTable.entryIndex(insideResult);
        mappings.value(outsideEntry, MAPPING_WORD_PARTNER, insideEntry);
        return insideEntry;
    }
}
