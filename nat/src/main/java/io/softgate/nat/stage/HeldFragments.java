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

    private final int capacity;
    // Per record (index 0 .. capacity - 1), struct of arrays.
    private final long[] holdEndNs;
    private final long[] key0;
    private final long[] key1;
    private final long[] rewrite0;
    private final long[] rewrite1;
    private final int[] keyVrf;
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
    private final int[] previous;
    private final int[] next;
    private int oldest = -1;
    private int newest = -1;
    private final int[] freeRecords;
    private int freeRecordCount;
    private int foundCount;

    private final UnsafeBuffer chunks;
    private final int[] nextChunk;
    private final int[] freeChunks;
    private int freeChunkCount;

    private int batchSequence;

    // Scratch of {@link #resolve}: the keys it looks up together, and what it finds.
    private final long[] lookupKeys;
    private final long[] lookupValues;
    private final int[] lookupEntries;
    private final int[] lookupRecord;

    HeldFragments(int capacity, int bytes) {
        this.capacity = capacity;
        this.holdEndNs = new long[capacity];
        this.key0 = new long[capacity];
        this.key1 = new long[capacity];
        this.rewrite0 = new long[capacity];
        this.rewrite1 = new long[capacity];
        this.keyVrf = new int[capacity];
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
        this.previous = new int[capacity];
        this.next = new int[capacity];
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
        this.lookupKeys = new long[capacity * SessionKeys.KEY_WORDS];
        this.lookupValues = new long[capacity * SessionKeys.VALUE_WORDS];
        this.lookupEntries = new int[capacity];
        this.lookupRecord = new int[capacity];
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
    boolean hold(PacketBatch batch, int slot, long recordKey0, long recordKey1, int recordVrf, long nowNs) {
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
        keyVrf[record] = recordVrf;
        found[record] = false;
        heldInBatch[record] = batchSequence;
        holdEndNs[record] = nowNs + HOLD_NS;
        previous[record] = newest;
        next[record] = -1;
        if (newest >= 0) {
            next[newest] = record;
        } else {
            oldest = record;
        }
        newest = record;
        return true;
    }

    /** True when the oldest record's hold has ended at {@code nowNs}. */
    boolean oldestExpired(long nowNs) {
        return oldest >= 0 && nowNs - holdEndNs[oldest] >= 0;
    }

    /** The oldest record, or -1 when none is held. */
    int oldest() {
        return oldest;
    }

    /** The record held after {@code record}, or -1. */
    int next(int record) {
        return next[record];
    }

    /**
     * Looks for the first-fragment record of every held fragment not yet matched and not held in
     * this batch (that one was just looked for), all in one batch lookup so the misses overlap,
     * and notes the rewrite of those found.
     *
     * @return how many held records have their first fragment's rewrite, awaiting release
     */
    int resolve(NatSessions sessions, long nowNs) {
        int count = 0;
        for (int r = oldest; r >= 0; r = next[r]) {
            if (!found[r] && heldInBatch[r] != batchSequence) {
                lookupKeys[count * SessionKeys.KEY_WORDS] = key0[r];
                lookupKeys[count * SessionKeys.KEY_WORDS + 1] = key1[r];
                lookupRecord[count++] = r;
            }
        }
        if (count > 0 && sessions.findFragments(lookupKeys, count, nowNs, lookupValues, lookupEntries) > 0) {
            for (int i = 0; i < count; i++) {
                if (lookupEntries[i] != FlowTable.MISSING) {
                    int r = lookupRecord[i];
                    found[r] = true;
                    rewrite0[r] = lookupValues[i * SessionKeys.VALUE_WORDS + SessionKeys.WORD_REWRITE0];
                    rewrite1[r] = lookupValues[i * SessionKeys.VALUE_WORDS + SessionKeys.WORD_REWRITE1];
                    foundCount++;
                }
            }
        }
        return foundCount;
    }

    /** The record's first fragment's record was found ({@link #resolve}): it awaits release. */
    boolean found(int record) {
        return found[record];
    }

    long rewrite0(int record) {
        return rewrite0[record];
    }

    long rewrite1(int record) {
        return rewrite1[record];
    }

    /** The VRF of the record's key: the VRF its first fragment was translated in. */
    int keyVrf(int record) {
        return keyVrf[record];
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
        return found[oldest];
    }

    /** Forgets the oldest record. */
    void removeOldest() {
        remove(oldest);
    }

    /** Forgets {@code record}, giving its chunks and its index back. */
    void remove(int record) {
        for (int chunk = firstChunk[record]; chunk >= 0; chunk = nextChunk[chunk]) {
            freeChunks[freeChunkCount++] = chunk;
        }
        if (found[record]) {
            foundCount--;
        }
        int before = previous[record];
        int after = next[record];
        if (before >= 0) {
            next[before] = after;
        } else {
            oldest = after;
        }
        if (after >= 0) {
            previous[after] = before;
        } else {
            newest = before;
        }
        freeRecords[freeRecordCount++] = record;
    }

    /** Records held now. */
    int size() {
        return capacity - freeRecordCount;
    }

    /** Bytes of the budget held now (whole chunks). */
    int bytesHeld() {
        return (nextChunk.length - freeChunkCount) * CHUNK_BYTES;
    }
}
