package io.softgate.nat.stage;

import io.softgate.core.flow.FlowTable;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.nat.session.NatSessions;
import io.softgate.nat.session.SessionKeys;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * RFC 4787 REQ-14 across batches, for one NAT stage of one worker: the later IPv4 fragments that
 * came before their first fragment's record existed, held until it does (then the stage translates
 * them with the first fragment's rewrite and sends them on) or until their hold ends.
 *
 * <p>Why bytes and not frames: a stage must forward or drop every slot in the batch it came in,
 * and the worker frees a dropped slot's frame, so keeping the frame itself would need a frame swap
 * behind the pipeline's back and would take frames from the worker's receive pool. Instead the
 * packet's bytes (as its slot holds it, from {@code offset}) are copied here and its frame is
 * dropped as {@code fragment-held}; a release copies them into a fresh frame of the pool, as a new
 * slot at the end of the batch (the way the held-SYN answers are made). The copy costs one pass
 * over a fragment that is already off the fast path, and the memory is this class's own.
 *
 * <p>Bounded twice, both fixed at construction and never grown: a number of records and a byte
 * budget, cut into {@link #CHUNK_BYTES}-byte chunks that a record chains (so a small fragment does
 * not take a large fragment's room, and records released out of order leave no holes). When either
 * is spent a new fragment is refused (the caller drops and counts it); a held one is never evicted.
 * Every record is held equally long ({@link #HOLD_NS}), so arrival order is expiry order: the
 * records form one list in arrival order (doubly linked, so a release in the middle is O(1)) and
 * expiry looks only at its head.
 *
 * <p>Bounded per batch too, so a flood of later fragments whose first fragment never comes (which
 * keeps the hold full) cannot make every batch expensive: a first fragment this stage translates
 * finds its held fragments through a small index by record key and gives them its rewrite at once,
 * with no table lookup ({@link #firstFragmentTranslated}); the records another worker's first
 * fragments leave are looked for by {@link #resolve}, at most {@link #LOOKUPS_PER_BATCH} held
 * fragments per batch, taken round-robin from a cursor. Every step is O(1) per record it touches:
 * holding, releasing, expiring and the per-batch look.
 *
 * <p>Threading: one instance per stage instance (per worker), used only by that worker's thread.
 */
final class HeldFragments {
    /**
     * How long a fragment is held: the first fragment's record lifetime. A held fragment older than
     * that would, even were its first fragment to arrive now, be older than any fragment a record
     * is kept for (RFC 791 §3.2: a reassembling host gives up on a datagram after a bounded time
     * too, so a later fragment this old is of no use to the receiver either).
     */
    static final long HOLD_NS = NatSessions.FRAGMENT_RECORD_NS;
    /** Records one stage instance holds at most. */
    static final int DEFAULT_CAPACITY = 256;
    /** Bytes of packet data one stage instance holds at most (about 170 full 1,500-byte fragments). */
    static final int DEFAULT_BYTES = 256 * 1024;
    /** Unit of the byte budget: a held packet takes its length rounded up to whole chunks. */
    static final int CHUNK_BYTES = 128;
    /**
     * Held fragments {@link #resolve} looks at per batch at most, so fragment-table lookups per
     * batch: the cost one batch pays for the hold whatever the hold contains (a full hold of
     * orphans is looked through in {@code 256 / 32 = 8} batches, a cache miss each at most). With
     * {@code held} fragments held, each is looked at once every {@code ceil(held / 32)} batches
     * (every batch while 32 or fewer are held); see {@link #resolve} for the bound while new ones
     * are held meanwhile.
     */
    static final int LOOKUPS_PER_BATCH = 32;

    // Per record (index 0 .. capacity - 1), struct of arrays.
    private final long[] holdEndNs;
    private final long[] key0;
    private final long[] key1;
    private final long[] rewrite0;
    private final long[] rewrite1;
    private final int[] length;
    private final int[] l3Delta;
    private final int[] vrf;
    private final int[] flags;
    private final int[] ingressPort;
    private final int[] vni;
    private final int[] flowHash;
    private final int[] firstChunk;
    /** The {@link #batchSequence} of the batch the record was held in. */
    private final int[] heldInBatch;
    /** The record's first fragment's record was found; {@link #rewrite0} / {@link #rewrite1} hold its rewrite. */
    private final boolean[] found;
    /** The held records in arrival order (which is expiry order): head the oldest, tail the newest. */
    private final RecordLists arrival;
    private final int[] freeRecords;
    private int freeRecordCount;
    /**
     * The next record {@link #resolve} looks at; it walks from newer to older and, past the
     * oldest, starts again at the newest ({@code -1}: start at the newest).
     */
    private int cursor = -1;
    /** Fragment-table lookups {@link #resolve} made since start (for tests). */
    private long lookups;

    /** The found records, in the order they were found: what the stage releases, oldest found first. */
    private final RecordLists foundOrder;
    /**
     * Index by record key: one list a bucket, records in arrival order, so a first fragment finds
     * its held fragments without walking the hold.
     */
    private final RecordLists byKey;
    private final int bucketMask;

    private final UnsafeBuffer chunks;
    private final int[] nextChunk;
    private final int[] freeChunks;
    private int freeChunkCount;

    private int batchSequence;

    // Scratch of {@link #resolve}: the keys it looks up together ({@link #LOOKUPS_PER_BATCH} at most), and what it finds.
    private final long[] lookupKeys;
    private final long[] lookupValues;
    private final int[] lookupEntries;
    private final int[] lookupRecord;

    HeldFragments(int capacity, int bytes) {
        this.holdEndNs = new long[capacity];
        this.key0 = new long[capacity];
        this.key1 = new long[capacity];
        this.rewrite0 = new long[capacity];
        this.rewrite1 = new long[capacity];
        this.length = new int[capacity];
        this.l3Delta = new int[capacity];
        this.vrf = new int[capacity];
        this.flags = new int[capacity];
        this.ingressPort = new int[capacity];
        this.vni = new int[capacity];
        this.flowHash = new int[capacity];
        this.firstChunk = new int[capacity];
        this.heldInBatch = new int[capacity];
        this.found = new boolean[capacity];
        this.arrival = new RecordLists(capacity, 1);
        this.foundOrder = new RecordLists(capacity, 1);
        int buckets = Integer.highestOneBit(Math.max(1, capacity)) << 1; // at most half full
        this.byKey = new RecordLists(capacity, buckets);
        this.bucketMask = buckets - 1;
        this.freeRecords = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeRecords[i] = capacity - 1 - i;
        }
        this.freeRecordCount = capacity;
        int chunkCount = bytes / CHUNK_BYTES;
        this.chunks = new UnsafeBuffer(new byte[Math.max(1, chunkCount * CHUNK_BYTES)]);
        this.nextChunk = new int[chunkCount];
        this.freeChunks = new int[chunkCount];
        for (int i = 0; i < chunkCount; i++) {
            freeChunks[i] = chunkCount - 1 - i;
        }
        this.freeChunkCount = chunkCount;
        this.lookupKeys = new long[LOOKUPS_PER_BATCH * SessionKeys.KEY_WORDS];
        this.lookupValues = new long[LOOKUPS_PER_BATCH * SessionKeys.VALUE_WORDS];
        this.lookupEntries = new int[LOOKUPS_PER_BATCH];
        this.lookupRecord = new int[LOOKUPS_PER_BATCH];
    }

    /** Starts a batch: records held from now on are not looked for again in it. */
    void beginBatch() {
        batchSequence++;
    }

    /**
     * Holds the packet in {@code slot} (its bytes from {@code offset}, its metadata) until
     * {@code nowNs + HOLD_NS}, keyed by its datagram's fragment record key; the caller then drops
     * the slot. False, having held nothing, when no record or not enough of the byte budget is
     * free, or the packet would not fit a fresh frame of the batch's memory.
     */
    boolean hold(PacketBatch batch, int slot, long recordKey0, long recordKey1, long nowNs) {
        int bytes = batch.length[slot];
        int chunksNeeded = (bytes + CHUNK_BYTES - 1) / CHUNK_BYTES;
        FrameMemory memory = batch.memory();
        if (freeRecordCount == 0 || chunksNeeded > freeChunkCount || bytes <= 0
            || bytes > memory.frameSize() - memory.headroom()) {
            return false;
        }
        int record = freeRecords[--freeRecordCount];
        UnsafeBuffer buffer = batch.buffer();
        int from = batch.offset[slot];
        int chain = -1;
        // Chunks are chained back to front, so the first chunk is taken last and heads the chain.
        for (int c = chunksNeeded - 1; c >= 0; c--) {
            int chunk = freeChunks[--freeChunkCount];
            int at = c * CHUNK_BYTES;
            buffer.getBytes(from + at, chunks, chunk * CHUNK_BYTES, Math.min(CHUNK_BYTES, bytes - at));
            nextChunk[chunk] = chain;
            chain = chunk;
        }
        firstChunk[record] = chain;
        length[record] = bytes;
        l3Delta[record] = batch.l3Offset[slot] - from;
        vrf[record] = batch.vrf[slot];
        // A trace follows the packets its batch matched; a released fragment is a new packet.
        flags[record] = batch.flags[slot] & ~PacketFlags.TRACE;
        ingressPort[record] = batch.ingressPort[slot];
        vni[record] = batch.vni[slot];
        flowHash[record] = batch.flowHash[slot];
        key0[record] = recordKey0;
        key1[record] = recordKey1;
        found[record] = false;
        heldInBatch[record] = batchSequence;
        holdEndNs[record] = nowNs + HOLD_NS;
        arrival.append(0, record);
        byKey.append(bucket(recordKey0, recordKey1), record);
        return true;
    }

    private int bucket(long recordKey0, long recordKey1) {
        long hash = (recordKey0 ^ Long.rotateLeft(recordKey1, 29)) * 0x9E3779B97F4A7C15L;
        return (int) (hash >>> 40) & bucketMask;
    }

    /**
     * A first fragment this stage translated (or passed) just now left the record {@code recordKey0},
     * {@code recordKey1} with {@code rewrite0}, {@code rewrite1}: the held fragments of its datagram
     * take that rewrite now, without a table lookup, and await release (in the order they were held).
     * The common case, a later fragment overtaking its first by a batch on the same worker, so
     * leaves in the first fragment's batch whatever else the hold contains.
     */
    void firstFragmentTranslated(long recordKey0, long recordKey1, long rewrite0, long rewrite1) {
        if (arrival.head(0) < 0) {
            return;
        }
        for (int r = byKey.head(bucket(recordKey0, recordKey1)); r >= 0; r = byKey.next(r)) {
            if (!found[r] && key0[r] == recordKey0 && key1[r] == recordKey1) {
                markFound(r, rewrite0, rewrite1);
            }
        }
    }

    private void markFound(int record, long recordRewrite0, long recordRewrite1) {
        found[record] = true;
        rewrite0[record] = recordRewrite0;
        rewrite1[record] = recordRewrite1;
        foundOrder.append(0, record);
    }

    /** True when the oldest record's hold has ended at {@code nowNs}. */
    boolean oldestExpired(long nowNs) {
        int oldest = arrival.head(0);
        return oldest >= 0 && nowNs - holdEndNs[oldest] >= 0;
    }

    /** The oldest record, or -1 when none is held. */
    int oldest() {
        return arrival.head(0);
    }

    /**
     * Looks for the first-fragment records of the next {@link #LOOKUPS_PER_BATCH} held fragments
     * (or of all, when fewer are held) in round-robin order, all in one batch lookup so the misses
     * overlap, and notes the rewrite of those found. Skipped, but counted as looked at: a fragment
     * found already, and one held in this batch (that one was just looked for). The first-fragment
     * records another worker leaves are found this way only (this stage's own first fragments
     * release theirs through {@link #firstFragmentTranslated}).
     *
     * <p>The bound: the cursor walks from newer to older and starts again at the newest past the
     * oldest, so nothing held meanwhile (always the newest) comes between the cursor and an older
     * record. A record is looked at within {@code ceil(held / LOOKUPS_PER_BATCH)} batches of any
     * moment while no fragment is held meanwhile, {@code held} being those held at that moment, and
     * within {@code ceil((2 * capacity - 1) / LOOKUPS_PER_BATCH)} batches (16 for the defaults)
     * whatever is held meanwhile (the records older than the cursor, then at most
     * {@code capacity - 1} newer than it).
     *
     * @return true when held records have their first fragment's rewrite, awaiting release
     */
    boolean resolve(NatSessions sessions, long nowNs) {
        int steps = Math.min(LOOKUPS_PER_BATCH, size());
        int count = 0;
        int record = cursor;
        for (int step = 0; step < steps; step++) {
            if (record < 0) {
                record = arrival.tail(0);
            }
            if (!found[record] && heldInBatch[record] != batchSequence) {
                lookupKeys[count * SessionKeys.KEY_WORDS] = key0[record];
                lookupKeys[count * SessionKeys.KEY_WORDS + 1] = key1[record];
                lookupRecord[count++] = record;
            }
            record = arrival.previous(record);
        }
        cursor = record;
        lookups += count;
        if (count > 0 && sessions.findFragments(lookupKeys, count, nowNs, lookupValues, lookupEntries) > 0) {
            // Looked up newest first: noted oldest first, so a datagram's fragments leave in the order they came.
            for (int i = count - 1; i >= 0; i--) {
                if (lookupEntries[i] != FlowTable.MISSING) {
                    markFound(lookupRecord[i],
                        lookupValues[i * SessionKeys.VALUE_WORDS + SessionKeys.WORD_REWRITE0],
                        lookupValues[i * SessionKeys.VALUE_WORDS + SessionKeys.WORD_REWRITE1]);
                }
            }
        }
        return foundOrder.head(0) >= 0;
    }

    /** The held record found first among those awaiting release ({@link #resolve}, {@link #firstFragmentTranslated}), or -1. */
    int firstFound() {
        return foundOrder.head(0);
    }

    /** Fragment-table lookups {@link #resolve} made since start. */
    long lookups() {
        return lookups;
    }

    long rewrite0(int record) {
        return rewrite0[record];
    }

    long rewrite1(int record) {
        return rewrite1[record];
    }

    /** The VRF of the record's key: the VRF its first fragment was translated in. */
    int keyVrf(int record) {
        return SessionKeys.vrf(key0[record]);
    }

    /**
     * Copies the held packet into a fresh frame of {@code pool} and appends it to the batch as a
     * new slot with the metadata it arrived with; the record stays held (the caller removes it).
     *
     * @return the new slot, or -1 when the batch or the pool has no room (nothing changed)
     */
    int reinject(int record, PacketBatch batch, FramePool pool) {
        if (batch.size() >= batch.capacity()) {
            return -1;
        }
        int frame = pool.allocate();
        if (frame < 0) {
            return -1;
        }
        int start = pool.memory().packetStart(frame);
        int bytes = length[record];
        UnsafeBuffer buffer = batch.buffer();
        int at = 0;
        for (int chunk = firstChunk[record]; chunk >= 0; chunk = nextChunk[chunk]) {
            buffer.putBytes(start + at, chunks, chunk * CHUNK_BYTES, Math.min(CHUNK_BYTES, bytes - at));
            at += CHUNK_BYTES;
        }
        int slot = batch.add(frame, start, bytes, ingressPort[record]);
        batch.l3Offset[slot] = start + l3Delta[record];
        batch.l4Offset[slot] = PacketBatch.UNSET; // a later fragment carries no L4 header
        batch.vrf[slot] = vrf[record];
        batch.flags[slot] = flags[record];
        batch.vni[slot] = vni[record];
        batch.flowHash[slot] = flowHash[record];
        return slot;
    }

    /** True when the oldest record had found its first fragment's record (it waited for room). */
    boolean oldestFound() {
        return found[arrival.head(0)];
    }

    /** Forgets the oldest record. */
    void removeOldest() {
        remove(arrival.head(0));
    }

    /** Forgets {@code record}, giving its chunks and its index back. */
    void remove(int record) {
        for (int chunk = firstChunk[record]; chunk >= 0; chunk = nextChunk[chunk]) {
            freeChunks[freeChunkCount++] = chunk;
        }
        if (found[record]) {
            foundOrder.unlink(0, record);
            found[record] = false;
        }
        byKey.unlink(bucket(key0[record], key1[record]), record);
        if (cursor == record) {
            cursor = arrival.previous(record); // the record the walk would have looked at next
        }
        arrival.unlink(0, record);
        freeRecords[freeRecordCount++] = record;
    }

    /** Records held now. */
    int size() {
        return freeRecords.length - freeRecordCount;
    }
}
