package io.softgate.nat.session;

import static io.softgate.nat.session.SessionKeys.WORD_LINK;
import static io.softgate.nat.session.SessionKeys.WORD_REWRITE0;
import static io.softgate.nat.session.SessionKeys.WORD_REWRITE1;

import io.softgate.core.flow.FlowTable;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.rewrite.Rewrite;

/**
 * Expires NAT state off the packet path: removes sessions idle past their deadline (both
 * entries), drops their mapping references, deletes mappings no session uses (port on hold for
 * the reuse time, deletion logged), and clears expired permits and fragment records. The service
 * runs it from a housekeeping thread, e.g. a slice every 100 ms.
 *
 * <p>Threading: one sweeper thread; lock-free against the workers.
 */
public final class NatSweeper {
    private final NatSessions sessions;
    private final MappingAllocator allocator;
    private final FlowTable sessionTable;
    private final FlowTable mappingTable;
    private final long[] key = new long[SessionKeys.KEY_WORDS];
    private final long[] outsideKey = new long[SessionKeys.KEY_WORDS];
    private final long[] scratchKey = new long[SessionKeys.KEY_WORDS];
    private int sessionCursor;
    private int mappingCursor;

    public NatSweeper(NatSessions sessions) {
        this.sessions = sessions;
        this.sessionTable = sessions.sessionTable();
        this.mappingTable = sessions.mappingTable();
        this.allocator = new MappingAllocator(mappingTable, sessions.eventLog(), sessions.counterStamps());
    }

    /** The sweeper's own allocator (tests: its hooks). */
    MappingAllocator allocator() {
        return allocator;
    }

    /** Sweeps every table once; returns the number of sessions removed. */
    public int sweepAll(NatTables tables, long nowNs) {
        sessionCursor = 0;
        mappingCursor = 0;
        int removed = sweepSessions(tables, nowNs, sessionTable.capacity());
        sweepMappings(tables, nowNs, mappingTable.capacity());
        sessions.expireFragments(nowNs);
        return removed;
    }

    /** Sweeps the next {@code entries} slots of each table (wrapping); returns the sessions removed. */
    public int sweepSlice(NatTables tables, long nowNs, int entries) {
        int removed = sweepSessions(tables, nowNs, entries);
        sweepMappings(tables, nowNs, entries);
        if (sessionCursor == 0) {
            sessions.expireFragments(nowNs);
        }
        return removed;
    }

    private int sweepSessions(NatTables tables, long nowNs, int entries) {
        int removed = 0;
        int capacity = sessionTable.capacity();
        for (int i = 0; i < entries && i < capacity; i++) {
            int entry = sessionCursor;
            sessionCursor = (sessionCursor + 1) & (capacity - 1);
            if (!sessionTable.isLive(entry) || !sessionTable.copyKey(entry, key)
                || SessionKeys.tag(key[0]) != SessionKeys.TAG_INSIDE) {
                continue;
            }
            long link = sessionTable.value(entry, WORD_LINK);
            if (!SessionKeys.expired(SessionKeys.expiryTick(link), nowNs)) {
                continue;
            }
            long rewrite0 = sessionTable.value(entry, WORD_REWRITE0);
            long rewrite1 = sessionTable.value(entry, WORD_REWRITE1);
            if (!sessionTable.remove(entry, key)) {
                continue;
            }
            sessions.releaseSession();
            int protocol = SessionKeys.protocol(key[0]);
            SessionKeys.outsideKey(outsideKey, protocol, Rewrite.targetVrf(rewrite1),
                SessionKeys.destinationAddress(key[1]), SessionKeys.destinationPort(key[0]),
                Rewrite.newAddress(rewrite0), Rewrite.newPort(rewrite0));
            int outsideEntry = sessionTable.lookup(outsideKey, nowNs);
            if (outsideEntry >= 0) {
                sessionTable.remove(outsideEntry, outsideKey);
            }
            sessions.currentJournal().sessionDeleted(key[0], key[1]);
            if ((rewrite1 & SessionKeys.FLAG_DYNAMIC) != 0) {
                // The session's unit in its subscriber's counter first: the mapping reference
                // released next is what keeps that counter alive (MappingAllocator#countSubscriberSession).
                allocator.releaseSubscriberSession(ProtocolClass.of(protocol), SessionKeys.vrf(key[0]),
                    SessionKeys.sourceAddress(key[1]), nowNs, scratchKey);
                allocator.releaseReference(ProtocolClass.of(protocol), SessionKeys.vrf(key[0]),
                    SessionKeys.sourceAddress(key[1]), SessionKeys.sourcePort(key[0]), nowNs, scratchKey);
            }
            removed++;
        }
        return removed;
    }

    private void sweepMappings(NatTables tables, long nowNs, int entries) {
        int capacity = mappingTable.capacity();
        for (int i = 0; i < entries && i < capacity; i++) {
            int entry = mappingTable.isLive(mappingCursor) ? mappingCursor : -1;
            mappingCursor = (mappingCursor + 1) & (capacity - 1);
            if (entry < 0 || !mappingTable.copyKey(entry, key)) {
                continue;
            }
            long tag = SessionKeys.tag(key[0]);
            if (tag == SessionKeys.TAG_MAPPING_INSIDE) {
                allocator.deleteIfUnused(entry, key, tables.settings(), sessions.registry(), nowNs, scratchKey);
            } else if (tag == SessionKeys.TAG_SUBSCRIBER) {
                // A counter a worker's refused creation brought back to zero (a mapping's deletion
                // removes its subscriber's counter at once when it was the last port). The key was
                // copied from this very counter: only this thread removes counters.
                allocator.removeCounterIfUnused(entry, key,
                    mappingTable.value(entry, MappingAllocator.MAPPING_WORD_REFERENCES));
            } else if (tag == SessionKeys.TAG_PERMIT && mappingTable.expiresAtNs(entry) < nowNs) {
                mappingTable.remove(entry, key);
            }
        }
    }
}
