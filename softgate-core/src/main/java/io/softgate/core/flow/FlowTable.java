package io.softgate.core.flow;

import static io.softgate.core.flow.SlotState.DELETED;
import static io.softgate.core.flow.SlotState.EMPTY;
import static io.softgate.core.flow.SlotState.LIVE;
import static io.softgate.core.flow.SlotState.PENDING;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.agrona.BufferUtil;
import org.agrona.UnsafeAccess;
import sun.misc.Unsafe;

/**
 * A bounded, off-heap, lock-free hash table from a fixed-size key ({@code keyWords} longs) to a
 * fixed-size value ({@code valueWords} longs) with a per-entry expiry time in nanoseconds.
 * Sized once at construction, never resized; an insert that finds no room fails with
 * {@link #FULL} and never evicts a live entry.
 *
 * <h2>Memory layout</h2>
 * One direct {@link ByteBuffer} of {@code capacity * bytesPerEntry()} bytes (at most
 * {@link #MAX_MEMORY_BYTES}), aligned to 64 bytes, accessed at absolute addresses with
 * {@code sun.misc.Unsafe} (through Agrona) in explicit modes: plain, volatile, ordered (release)
 * and CAS. The buffer is freed by the garbage collector, never explicitly, so a slow reader can
 * never touch freed memory.
 * Capacity is the requested size rounded up to a power of two. Entry {@code i} starts at
 * {@code i * bytesPerEntry()}:
 * <pre>
 *   +0   state word     incarnation (61 bits) | tag (3 bits), see below
 *   +8   expiresAtNs    entry is absent for a lookup whose nowNs is greater than this
 *   +16  key[0..keyWords)
 *   +16+8*keyWords      value[0..valueWords)
 *   last word of the first line, when the entry leaves it free: the slot's home hint ({@link HomeHints})
 * </pre>
 * {@code bytesPerEntry()} is {@code 8 * (2 + keyWords + valueWords)} rounded up to a power of
 * two when at most 64, otherwise to a multiple of 64, so an entry never straddles more cache
 * lines than it must and the state, expiry and key of an entry with {@code keyWords <= 6} share
 * its first line: a lookup hit costs one cache miss.
 * A second, small direct buffer holds one fingerprint byte per slot (8 bits of the key's hash,
 * never 0; 0 until the slot's first claim), written by the inserter that claims the slot; the
 * batch lookups read it to go straight to the one slot of a key's window worth loading.
 *
 * <h2>Probing</h2>
 * A key's home slot is {@code keyHash(key) & (capacity - 1)}; its probe window is the next
 * {@code probeWindow()} slots (linear, wrapping). A key only ever lives inside its window.
 * Inserts take the <em>first</em> free slot of the window, and a slot never goes back to
 * {@code EMPTY}, so every probe may stop at the first {@code EMPTY} slot: nothing of this key
 * can lie beyond it (the inserter that put it there saw that slot non-free, and it stays so).
 *
 * <h2>Slot state machine</h2>
 * <pre>
 *   EMPTY ──claim(CAS)──► CLAIMED ──write key,value,expiry; volatile store──► PENDING
 *   DELETED ──claim(CAS)─┘                                                       │
 *   LIVE and expired ──claim(CAS)┘          ┌──publish(CAS)── no duplicate found ◄┘
 *                                           ▼
 *                     LIVE ──remove(CAS)──► DELETED ◄──abort/kill(CAS)── PENDING
 * </pre>
 * Every claim increments the incarnation, so a state word value occurs at most once in a slot's
 * life. Key, value and expiry are written only by the owner of a {@code CLAIMED} slot. Only
 * {@code LIVE} entries are visible to lookups, {@link #remove} and {@link #refresh}.
 *
 * <h2>Memory ordering</h2>
 * <ul>
 *   <li>Publication: the inserter writes key, value and expiry with plain stores and then moves
 *       the state to {@code PENDING} (volatile store) and {@code LIVE} (CAS); a reader that reads
 *       {@code LIVE} with acquire semantics therefore sees the complete entry.</li>
 *   <li>Validation (seqlock style): a reader reads the state (volatile, so at least acquire),
 *       the key words (plain) and expiry (volatile), issues a load fence and reads the state
 *       again. If both reads are equal the
 *       slot did not change in between (incarnations never repeat), so the key it compared and
 *       the expiry it read belong together: a reader never acts on a torn key.
 *       {@link #lookupInto} copies the value words inside the same window, so the copied value
 *       belongs to that key.</li>
 *   <li>Claims, removals, kills and publication are CASes on the state word, so exactly one
 *       thread wins each transition; two inserters never own one slot.</li>
 *   <li>Why the hit path keeps acquire/opaque reads rather than plain ones: on x86-64 (and
 *       through {@code sun.misc.Unsafe}) both compile to ordinary loads, so they cost no fence;
 *       they only stop the JIT from moving or merging the reads around the validation, which
 *       the seqlock argument above needs, and the opaque value reads stay single-copy atomic
 *       for words written in place ({@link #value(int, int, long)}, {@link #addToValue}),
 *       which the state word does not cover. The batch lookups read slots exactly as
 *       {@link #lookup} does.</li>
 * </ul>
 *
 * <h2>No duplicate live keys</h2>
 * After writing its entry, an inserter makes it {@code PENDING} with a volatile store and then
 * re-scans the window with volatile loads. For each other slot holding the same key:
 * {@code LIVE} and unexpired: it aborts its own slot and returns that entry; {@code LIVE} and
 * expired: it deletes that stale copy (CAS); {@code PENDING} at a <em>smaller</em> probe offset:
 * it aborts and retries (that one has priority); {@code PENDING} at a larger offset: it kills it
 * (CAS to {@code DELETED}). Then it publishes with a CAS {@code PENDING -> LIVE}, which fails if it
 * was killed (it then retries). Argument: take two inserters A and B of one key whose
 * {@code PENDING} stores are ordered A before B in the total order of volatile accesses. B's
 * re-scan of A's slot comes after B's store, hence sees A's {@code PENDING} or a later state:
 * if {@code LIVE}, B aborts; if deleted or reused, A can no longer publish; if {@code PENDING}, B
 * either yields (A has priority) or kills A, and the kill CAS and A's publish CAS cannot both
 * succeed (if the kill fails, B looks again and finds A {@code LIVE} and aborts). So at most one
 * of them becomes {@code LIVE}. Progress: the lowest-offset pending inserter is never killed or
 * made to yield by another pending one, so some inserter always completes (lock-free). An
 * inserter that keeps meeting a pending copy of its own key gives up after a bounded number of
 * attempts and returns {@link #CONTENDED}.
 *
 * <h2>Expiry</h2>
 * Lazy: a lookup treats an entry with {@code expiresAtNs < nowNs} as absent; an insert may
 * reclaim it (CAS from that exact {@code LIVE} state, so two inserters never both reclaim it);
 * {@link #removeExpired} sweeps on demand. Expiry is judged by each caller's clock: give all
 * threads clocks within a batch of one another and timeouts far above that skew.
 * {@link #refresh} only moves expiry later, by a CAS loop that re-validates the slot's state
 * before each attempt. Residual race (documented, benign): if the slot is removed and reused
 * between that validation and the CAS, and the new entry's expiry equals the old value to the
 * nanosecond, the refresh lengthens the new entry's expiry; it never shortens one and never
 * touches a key or value.
 *
 * <h2>Results</h2>
 * {@link #lookup} returns the entry index or {@link #MISSING}. {@link #insert} returns a
 * non-negative code when the key is in the table afterwards: {@link #entryIndex(int)} gives the
 * entry and {@link #isCreated(int)} says whether this call created it (its value and expiry were
 * stored) or found it already there (untouched). Negative codes are failures: {@link #FULL} (no
 * free slot in the window) and {@link #CONTENDED} (gave up after bounded retries while another
 * thread inserted the same key). Entry indexes are not stable handles: once an entry is removed
 * or expires, its index may be reused by another key ({@link #remove} checks the key for this
 * reason; use {@link #lookupInto} for a value that is guaranteed to belong to the key).
 *
 * <h2>Worst cases</h2>
 * Lookup and remove touch at most {@code probeWindow} slots (more only while other threads keep
 * changing the slot being read: each retry means another thread made progress). Insert scans
 * the window at most twice per attempt and makes at most {@value #MAX_INSERT_ATTEMPTS}
 * attempts; in a table with home hints it also updates one or two hint words, each by a CAS
 * loop (lock-free: a failed CAS means another inserter changed the word). Deleted slots are
 * tombstones: a lookup miss walks past them up to the first {@code EMPTY} slot or the window's
 * end; inserts reuse them. Sizing: linear probing clusters, so keep the load at or below one
 * half; measured at load 0.48 with the default 32-slot window, about one insert in a million
 * finds its window full ({@link #FULL}), and the longest probe distance was 30 slots. Hash flooding: the hash is seeded per table (random by default) and
 * the seed enters every key word before its multiply ({@link #keyHash}), so keys cannot be
 * crafted offline to pile into one window: a pair that collides under one table's seed is
 * placed apart by another's. (Not a cryptographic PRF: an attacker who can observe placement,
 * e.g. through timing, is outside this defence.)
 *
 * <p>Threading: every method is lock-free and safe to call from any number of threads at once;
 * the data-path methods ({@code lookup*} including the batch forms, {@code prefetch},
 * {@code prefetchForInsert}, {@code insert}, {@code remove}, {@code refresh}, {@code expireAt},
 * value accessors, {@code keyHash}) allocate nothing.
 */
public final class FlowTable implements AutoCloseable {
    /** {@link #lookup} result: the key is absent (or expired). */
    public static final int MISSING = -1;
    /** {@link #insert} result: no free slot in the key's probe window; nothing was evicted. */
    public static final int FULL = -2;
    /** {@link #insert} result: gave up after bounded retries racing another insert of the same key. */
    public static final int CONTENDED = -3;
    /** Bit set in a non-negative {@link #insert} result when the key was already present. */
    public static final int EXISTING_FLAG = 1 << 30;
    public static final int MAX_CAPACITY = 1 << 30;
    private static final int CACHE_LINE_BYTES = 64;
    public static final int MAX_KEY_WORDS = 6;
    public static final int MAX_VALUE_WORDS = 16;
    public static final int DEFAULT_PROBE_WINDOW = 32;
    /** Largest region one direct buffer (int-indexed) can hold, less alignment slack. */
    public static final long MAX_MEMORY_BYTES = Integer.MAX_VALUE - 2 * CACHE_LINE_BYTES;
    /** Bound on insert retries (claim lost, killed, yielded, or waiting for a pending copy). */
    public static final int MAX_INSERT_ATTEMPTS = 64;

    private static final int STATE_OFFSET = 0;
    private static final int EXPIRY_OFFSET = 8;
    private static final int KEY_OFFSET = 16;
    private static final int CACHE_LINE = CACHE_LINE_BYTES;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** Agrona's handle on {@code sun.misc.Unsafe}: plain, volatile and ordered 64-bit access to the region. */
    private static final Unsafe UNSAFE = UnsafeAccess.UNSAFE;

    /** Held so the garbage collector keeps the region until the table itself is unreachable. */
    private final ByteBuffer memory;
    private final long baseAddress;
    private final long memoryBytes;
    private final int capacity;
    private final int mask;
    private final int keyWords;
    private final int valueWords;
    private final int bytesPerEntry;
    private final int valueOffset;
    private final int probeWindow;
    private final long hashSeed;
    /** Per-word salts of {@link #keyHash}, derived from {@link #hashSeed} (fields, not an array: see keyHash). */
    private final long salt0;
    private final long salt1;
    private final long salt2;
    private final long salt3;
    private final long salt4;
    private final long salt5;
    private final StripedLiveCounter liveCount = new StripedLiveCounter();
    /**
     * One fingerprint byte per slot ({@link #fingerprint}), plus {@value #FINGERPRINT_SPAN} bytes
     * of padding so a batch lookup may read the span after any slot; see {@link #lookupGroupByFingerprint}.
     */
    private final ByteBuffer fingerprints;
    private final long fingerprintBase;
    /** Whether {@link #lookupBatch} goes through the fingerprints (see {@link #usesFingerprints}). */
    private final boolean fingerprinted;
    /** Whether {@link #lookupBatch} loads home slots before fingerprints ({@link #lookupGroupHomeFirst}). */
    private final boolean homeFirst;
    /**
     * Whether each slot keeps a home hint ({@link HomeHints}) in the spare word of its first line,
     * at {@link #hintOffset}: tables whose batch lookups read home slots first (only they read the
     * hints), with a free word there and windows of at most {@value HomeHints#MAX_WINDOW} slots,
     * unless {@code -Dsoftgate.flow.homeHints=false}.
     */
    private final boolean hinted;
    private final int hintOffset;
    /** Salts by key word, for {@link #storedKeyHash} (the hot {@link #keyHash} reads the fields). */
    private final long[] salts;
    /**
     * Tables of more slots than this read home slots first ({@link #lookupGroupHomeFirst}): their
     * fingerprint array (one byte a slot) would outgrow the last-level cache one core gets. The
     * default, 4M slots (4 MiB of fingerprints: the NAT's 1M sessions, the LB's 1M connections),
     * is for a server whose core keeps that much of the last-level cache: there, reading the
     * fingerprints first beat reading home slots first by 2.7-3.5 ns a lookup at 4M slots
     * (benchmarks/README.md, FlowTableBenchmark, session 12). On a host that leaves a core only
     * 2-4 MiB (a crowded VM, session 6) home first was the faster at 4M slots; lower it there:
     * {@code -Dsoftgate.flow.homeFirstMinCapacity=<slots>} ({@code MemoryProbe}'s dependent walk at
     * 4 and 8 MiB tells which host this is).
     */
    public static final int HOME_FIRST_MIN_CAPACITY = Integer.getInteger("softgate.flow.homeFirstMinCapacity", 1 << 22);

    public FlowTable(int capacity, int keyWords, int valueWords) {
        this(capacity, keyWords, valueWords, DEFAULT_PROBE_WINDOW);
    }

    public FlowTable(int capacity, int keyWords, int valueWords, int probeWindow) {
        this(capacity, keyWords, valueWords, probeWindow, new SplittableRandom().nextLong());
    }

    /**
     * @param hashSeed seed of {@link #keyHash}; pass a fixed value only where reproducible slot
     *     placement matters more than resistance to keys crafted to collide (tests, benchmarks)
     */
    public FlowTable(int capacity, int keyWords, int valueWords, int probeWindow, long hashSeed) {
        this(capacity, keyWords, valueWords, probeWindow, hashSeed, HOME_FIRST_MIN_CAPACITY, HomeHints.ENABLED);
    }

    /**
     * @param homeFirstMinCapacity batch lookups read home slots first above this many slots (tests force either way)
     * @param homeHints            keep home hints where the entry has room (tests turn them off)
     */
    FlowTable(int capacity, int keyWords, int valueWords, int probeWindow, long hashSeed, int homeFirstMinCapacity,
              boolean homeHints) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [1, " + MAX_CAPACITY + "]: " + capacity);
        }
        if (keyWords < 1 || keyWords > MAX_KEY_WORDS) {
            throw new IllegalArgumentException("keyWords must be in [1, " + MAX_KEY_WORDS + "]: " + keyWords);
        }
        if (valueWords < 0 || valueWords > MAX_VALUE_WORDS) {
            throw new IllegalArgumentException("valueWords must be in [0, " + MAX_VALUE_WORDS + "]: " + valueWords);
        }
        this.capacity = capacity == 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
        if (probeWindow < 1) {
            throw new IllegalArgumentException("probeWindow must be >= 1: " + probeWindow);
        }
        this.probeWindow = Math.min(probeWindow, this.capacity);
        this.hashSeed = hashSeed;
        this.salt0 = salt(hashSeed, 0);
        this.salt1 = salt(hashSeed, 1);
        this.salt2 = salt(hashSeed, 2);
        this.salt3 = salt(hashSeed, 3);
        this.salt4 = salt(hashSeed, 4);
        this.salt5 = salt(hashSeed, 5);
        this.salts = new long[] {salt0, salt1, salt2, salt3, salt4, salt5};
        this.mask = this.capacity - 1;
        this.keyWords = keyWords;
        this.valueWords = valueWords;
        this.valueOffset = KEY_OFFSET + 8 * keyWords;
        this.bytesPerEntry = entryStride(8 * (2 + keyWords + valueWords));
        this.memoryBytes = (long) this.capacity * bytesPerEntry;
        if (memoryBytes > MAX_MEMORY_BYTES) {
            throw new IllegalArgumentException("table needs " + memoryBytes + " bytes, more than the "
                + MAX_MEMORY_BYTES + " one direct buffer can hold: lower capacity or entry size");
        }
        // Direct memory is zeroed: every slot starts EMPTY with incarnation 0. Sliced to a
        // 64-byte boundary so entries sit on cache lines and 8-byte atomics are aligned.
        this.memory = ByteBuffer.allocateDirect((int) memoryBytes + CACHE_LINE).alignedSlice(CACHE_LINE);
        this.baseAddress = BufferUtil.address(memory);
        this.fingerprints = ByteBuffer.allocateDirect(this.capacity + FINGERPRINT_SPAN + CACHE_LINE)
            .alignedSlice(CACHE_LINE);
        this.fingerprintBase = BufferUtil.address(fingerprints);
        this.fingerprinted = usesFingerprints(this.capacity, this.probeWindow);
        this.homeFirst = fingerprinted && this.capacity > homeFirstMinCapacity;
        int usedBytes = 8 * (2 + keyWords + valueWords);
        this.hinted = homeHints && homeFirst && this.probeWindow <= HomeHints.MAX_WINDOW
            && usedBytes + 8 <= Math.min(bytesPerEntry, CACHE_LINE);
        this.hintOffset = hinted ? Math.min(bytesPerEntry, CACHE_LINE) - 8 : -1;
    }

    /** Whether slots keep home hints (tests). */
    boolean keepsHomeHints() {
        return hinted;
    }

    /**
     * Checks the {@link HomeHints} invariant on a quiescent table (tests): returns how many
     * {@code LIVE} or {@code PENDING} keys off their home lack their bit in the home's hint.
     */
    int homeHintViolations() {
        int violations = 0;
        for (int slot = 0; slot < capacity; slot++) {
            long at = slotAddress(slot);
            int tag = SlotState.tag(getAcquire(at));
            if (hinted && (tag == LIVE || tag == PENDING)) {
                int home = (int) storedKeyHash(at) & mask;
                int probe = (slot - home) & mask;
                violations += probe != 0 && (HomeHints.read(slotAddress(home) + hintOffset) >>> probe & 1) == 0 ? 1 : 0;
            }
        }
        return violations;
    }

    /** Whether batch lookups read home slots before fingerprints (tests). */
    boolean readsHomeFirst() {
        return homeFirst;
    }

    /**
     * The batch lookup reads fingerprints when the slot index fits the 24 bits it packs beside a
     * fingerprint, the table is larger than one fingerprint span and the window covers a span, on
     * a little-endian machine (the scan reads eight fingerprints as one native long and takes the
     * lowest byte as the first slot).
     */
    private static boolean usesFingerprints(int capacity, int probeWindow) {
        return capacity >= 4 * FINGERPRINT_SPAN && capacity <= 1 << 24 && probeWindow >= FINGERPRINT_SPAN
            && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    }

    // ---------------------------------------------------------------- data path

    /**
     * Finds the live, unexpired entry for {@code key}.
     *
     * @return the entry index, or {@link #MISSING}
     */
    public int lookup(long[] key, long nowNs) {
        int entry = find(key, 0, (int) keyHash(key, 0) & mask, probeWindow, nowNs, null, 0);
        return entry == UNRESOLVED ? MISSING : entry;
    }

    /**
     * Starts loading {@code key}'s home slot into the cache and returns its state word (ignore
     * it; it is returned only so the load cannot be optimised away). A stage with a batch of
     * packets calls this for every packet first and then {@link #lookup} for each: the batch's
     * cache misses then overlap instead of being paid one after another, the way VPP's
     * quad loops prefetch. Costs one key hash; harmless if the slot changes meanwhile.
     * {@link #lookupBatch} / {@link #lookupIntoBatch} do both passes and hash each key once.
     */
    public long prefetch(long[] key) {
        return prefetchHome(homeSlot(key, 0));
    }

    /**
     * Starts loading what an {@link #insert} of {@code key} reads and writes first (its home slot
     * and the home's fingerprint line), for a caller that knows it is about to insert a key the
     * table most likely lacks: the misses then overlap other work instead of each stalling the
     * insert in turn. Returns a value only so the loads cannot be optimised away.
     */
    public long prefetchForInsert(long[] key) {
        int home = homeSlot(key, 0);
        return prefetchHome(home) + UNSAFE.getByteVolatile(null, fingerprintBase + home);
    }

    /**
     * The home slot of the key at {@code keys[offset .. offset + keyWords)}: where its lookup and
     * insert start. Computation only, nothing is loaded: a caller with many keys computes every
     * home first and then loads them in a loop of a few instructions per key
     * ({@link #prefetchHome}, {@link #prefetchHomeForInsert}), so that far more of the loads are
     * in flight at once than when each load follows its key's hashing.
     */
    public int homeSlot(long[] keys, int offset) {
        return (int) keyHash(keys, offset) & mask;
    }

    /** {@link #prefetch} of a key whose {@link #homeSlot} is {@code home}. */
    public long prefetchHome(int home) {
        return getAcquire(slotAddress(home & mask));
    }

    /**
     * Starts loading everything an {@link #insert} of a key whose {@link #homeSlot} is {@code home}
     * reads before it claims a slot when the home slot is free: the home slot, the slot after it
     * (the insert's scan reads each slot's state one step ahead) and the home's fingerprint line.
     * ({@link #prefetchForInsert} loads only the first and last, for callers that issue it amid
     * other work, where each extra miss may stall; this one is for a tight loop of loads.)
     */
    public long prefetchHomeForInsert(int home) {
        int slot = home & mask;
        return prefetchHome(slot) + prefetchHome(slot + 1) + UNSAFE.getByteVolatile(null, fingerprintBase + slot);
    }

    /**
     * Like {@link #lookup}, and also copies the entry's value words into {@code valueOut}
     * (length >= valueWords) in the same validated window, so the copy belongs to {@code key}
     * even if the entry is removed and its slot reused right after. Each word is as of some
     * instant during the call (words written separately by {@link #value(int, int, long)} are
     * not a group snapshot).
     *
     * @return the entry index, or {@link #MISSING} (then {@code valueOut} is unspecified)
     */
    public int lookupInto(long[] key, long nowNs, long[] valueOut) {
        int entry = find(key, 0, (int) keyHash(key, 0) & mask, probeWindow, nowNs, valueOut, 0);
        return entry == UNRESOLVED ? MISSING : entry;
    }

    /**
     * Looks up {@code count} keys at once, with the cache misses of the whole batch overlapped
     * ("group prefetching"). At a table far larger than the caches every probed slot is a cache
     * (and often TLB) miss, and {@link #lookup} pays them one after another; here the batch goes
     * through in rounds. Each round loads, for every key still unresolved, the one slot it needs
     * next, in a loop of a few instructions per key, so all those loads are in flight together
     * (a load waiting for memory holds its place in the CPU's reorder window: interleaved with
     * hashing and comparing, only a handful would fit), then judges every such key on that slot,
     * now in cache: found, missing ({@code EMPTY}, see Probing) or on to the next slot. Linear
     * probing at load 0.5 leaves about three keys in four at their home slot, so the first
     * round resolves most of the batch. Keys go in groups of {@value #GROUP}; a bit mask of the
     * group's unresolved keys drives every round, so later rounds cost only their few keys (no
     * pass over resolved ones, no unpredictable branch per key) and the stragglers of a crowded
     * window still overlap their misses with one another instead of probing one by one. A lookup
     * thus costs about one cache miss per slot it must read, and the misses of a group overlap.
     * (Measured and rejected on this table: a software-pipelined single pass, touching key
     * {@code i + D} while judging key {@code i}, for D = 8 to 24, was slower: the judging fills
     * the reorder window and fewer misses overlap.)
     *
     * <p>Key {@code i} is {@code keys[i * keyWords() .. (i + 1) * keyWords())}; its result,
     * the entry index or {@link #MISSING}, goes to {@code entriesOut[i]}. Semantics are those of
     * {@code count} calls of {@link #lookup} made during this call: every key's slots are read in
     * probe order, each at most once more after a concurrent change, exactly as {@link #lookup}
     * reads them, only interleaved with the other keys' reads; so each result is one a single
     * lookup could have returned at some instant during the call (an entry inserted or removed
     * concurrently may or may not be seen), and a found entry is validated as in {@link #lookup}.
     *
     * @return how many keys were found
     */
    public int lookupBatch(long[] keys, int count, long nowNs, int[] entriesOut) {
        return lookupBatch(keys, count, nowNs, null, entriesOut);
    }

    /**
     * {@link #lookupBatch} that also copies each found entry's value words, as
     * {@link #lookupInto} does (in the same validated window, so each copy belongs to its key),
     * to {@code valuesOut[i * valueWords() .. (i + 1) * valueWords())}; unspecified for a
     * missing key.
     *
     * @return how many keys were found
     */
    public int lookupIntoBatch(long[] keys, int count, long nowNs, long[] valuesOut, int[] entriesOut) {
        return lookupBatch(keys, count, nowNs, valuesOut, entriesOut);
    }

    /** Keys per group of {@link #lookupBatch}: one bit each in a {@code long}. */
    private static final int GROUP = 64;
    /** {@link #find} result when {@code probeLimit} slots were judged without an answer. */
    private static final int UNRESOLVED = -2;

    private int lookupBatch(long[] keys, int count, long nowNs, long[] valuesOut, int[] entriesOut) {
        int hits = 0;
        for (int first = 0; first < count; first += GROUP) {
            int size = Math.min(GROUP, count - first);
            hits += homeFirst ? lookupGroupHomeFirst(keys, first, size, nowNs, valuesOut, entriesOut)
                : fingerprinted ? lookupGroupByFingerprint(keys, first, size, nowNs, valuesOut, entriesOut)
                : lookupGroup(keys, first, size, nowNs, valuesOut, entriesOut);
        }
        return hits;
    }

    /**
     * {@link #lookupBatch} of keys {@code [first, first + size)}, {@code size <= 64}. While a key is
     * unresolved its bit is set in {@code unresolved} and {@code entriesOut[i]} holds its home
     * slot; each round walks only the set bits (no pass over resolved keys, no unpredictable
     * "is this key done?" branch), first loading for each the one slot it needs next, back to
     * back, then judging each on that slot, now in cache.
     */
    private int lookupGroup(long[] keys, int first, int size, long nowNs, long[] valuesOut, int[] entriesOut) {
        int end = first + size;
        // Hash every key first: a separate loop, so the loads below run back to back.
        for (int i = first; i < end; i++) {
            entriesOut[i] = (int) keyHash(keys, i * keyWords) & mask;
        }
        long unresolved = size == GROUP ? -1L : (1L << size) - 1;
        for (int probe = 0; unresolved != 0 && probe < probeWindow; probe++) {
            // Load the slot each unresolved key needs.
            long loaded = 0;
            for (long bits = unresolved; bits != 0; bits &= bits - 1) {
                loaded += loadTag((entriesOut[first + Long.numberOfTrailingZeros(bits)] + probe) & mask);
            }
            // Judge each on that slot, in cache now: found, missing, or on to the next slot.
            long next = loaded == UNTOUCHABLE ? -1 : 0;
            for (long bits = unresolved; bits != 0; bits &= bits - 1) {
                int bit = Long.numberOfTrailingZeros(bits);
                int i = first + bit;
                int found = find(keys, i * keyWords, (entriesOut[i] + probe) & mask, 1, nowNs, valuesOut, i * valueWords);
                if (found == UNRESOLVED) {
                    next |= 1L << bit;
                } else {
                    entriesOut[i] = found;
                }
            }
            unresolved = next;
        }
        // Keys whose whole window held no answer are missing.
        for (long bits = unresolved; bits != 0; bits &= bits - 1) {
            entriesOut[first + Long.numberOfTrailingZeros(bits)] = MISSING;
        }
        int hits = 0;
        for (int i = first; i < end; i++) {
            hits += entriesOut[i] >>> 31 ^ 1;
        }
        return hits;
    }

    /** Fingerprint bytes a batch lookup reads from a key's home slot on (two words). */
    private static final int FINGERPRINT_SPAN = 16;
    private static final long BYTE_ONES = 0x0101010101010101L;
    private static final long BYTE_HIGHS = 0x8080808080808080L;

    /**
     * {@link #lookupGroup} that first reads the fingerprints of the {@value #FINGERPRINT_SPAN}
     * slots from each key's home (one line of a table of {@code capacity} bytes, which stays in
     * the last-level cache: 2 MiB for 2M slots), picks the first slot whose fingerprint is the
     * key's or zero, and loads only that slot. Linear probing at load one half leaves about one
     * key in four off its home slot; {@link #lookupGroup} then pays one more serial memory latency
     * per slot such keys walk (rounds of a few keys, each a full miss), while here a key costs
     * one slot miss wherever it lies in its window, and all the group's misses overlap in one
     * round. Judging that slot is exactly {@link #find} on it; when it does not answer (the
     * fingerprint was a 1-in-255 false match, a zero fingerprint on a slot an inserter has just
     * claimed, a slot that changed meanwhile, an expired copy, or no candidate within the span or
     * near the table's end), the key walks on slot by slot as {@link #find} does: rare, and always
     * correct.
     *
     * <p>Why skipping a slot on its fingerprint is sound: an inserter writes the fingerprint of
     * its key after claiming the slot and before making it {@code PENDING} (a volatile store),
     * and only a claim rewrites it. So a slot whose fingerprint differs from the key's, when read,
     * did not hold the key {@code LIVE} at that instant (the key's fingerprint would have been
     * stored before its publication); judging it absent then is what {@link #find} would have
     * concluded reading its state at that instant. A zero fingerprint means the slot was
     * {@code EMPTY} or just claimed; the slot itself is read to tell which, so a probe still
     * stops only at a slot it saw {@code EMPTY}.
     */
    private int lookupGroupByFingerprint(long[] keys, int first, int size, long nowNs, long[] valuesOut,
                                         int[] entriesOut) {
        int end = first + size;
        hashGroup(keys, first, end, entriesOut);
        long touched = touchFingerprintSpans(entriesOut, first, end, 0);
        // 2. Read each key's fingerprints from home and pick its candidate slot.
        for (int i = first; i < end; i++) {
            entriesOut[i] = candidate(entriesOut[i], 0);
        }
        // 3. Load every candidate slot, back to back, so the misses overlap.
        long loaded = 0;
        for (int i = first; i < end; i++) {
            loaded += loadTag(entriesOut[i] & 0xFF_FFFF);
        }
        // 4. Judge each key on its candidate (in cache now); walk on when it does not answer.
        int hits = loaded == UNTOUCHABLE ? -1 : 0;
        for (int i = first; i < end; i++) {
            int found = judgeCandidate(keys, i, entriesOut[i], nowNs, valuesOut);
            entriesOut[i] = found;
            hits += found >>> 31 ^ 1;
        }
        return touched == UNTOUCHABLE ? -1 : hits;
    }

    /** Step 1 of the fingerprinted lookups: each key's home slot (24 bits) and fingerprint (8 bits), packed in {@code entriesOut}. */
    private void hashGroup(long[] keys, int first, int end, int[] entriesOut) {
        for (int i = first; i < end; i++) {
            long hash = keyHash(keys, i * keyWords);
            entriesOut[i] = fingerprint(hash) << 24 | ((int) hash & mask);
        }
    }

    /**
     * A sum {@link #touchFingerprintSpans} cannot return (it adds at most 128 bytes): the lookups
     * compare the sum with it, so the JIT must keep the loads whose values nothing else uses.
     */
    private static final long UNTOUCHABLE = Long.MIN_VALUE;

    /**
     * Step 1.5 of the fingerprinted lookups: loads the line (or the two lines) holding the first
     * eight of the {@value #FINGERPRINT_SPAN} fingerprints from each key's {@code home + from}, in a loop of
     * loads only, before {@link #candidate} reads them. The fingerprint array does not stay in
     * the core's own cache (2 MiB at 2M slots against this VM's 1 MiB L2), and loads issued amid
     * {@link #candidate}'s arithmetic keep only a few misses in flight at once; issued back to
     * back, the whole group's misses overlap (see benchmarks/README.md, FlowTableBenchmark).
     *
     * @return the sum of the bytes read, never {@link #UNTOUCHABLE}
     */
    private long touchFingerprintSpans(int[] packed, int first, int end, int from) {
        long touched = 0;
        for (int i = first; i < end; i++) {
            touched += touchFingerprintSpan(packed[i], from);
        }
        return touched;
    }

    /**
     * {@link #touchFingerprintSpans} for one key: the first and last byte of the span's first word,
     * the one {@link #candidate} always reads (one line, or two when the word crosses a line; the
     * second word is read only for the rare key the first does not answer). Near the table's end,
     * where {@link #candidate} does not read the span, the bytes still lie inside the array
     * ({@code capacity + FINGERPRINT_SPAN} bytes, and {@code from} is 0 or 1).
     */
    private long touchFingerprintSpan(int packed, int from) {
        long at = fingerprintBase + (packed & 0xFF_FFFF) + from;
        return UNSAFE.getByte(at) + UNSAFE.getByte(at + Long.BYTES - 1);
    }

    /**
     * The candidate slot of a key packed as {@link #hashGroup} packs it, reading the
     * {@value #FINGERPRINT_SPAN} fingerprints from {@code home + from}: the first slot whose
     * fingerprint is the key's or zero, else the slot just past the span (then walked slot by
     * slot). A span that would run past the table's end (it would have to wrap) is not read: the
     * walk starts at {@code home + from}. Returns the candidate's offset from home (bits 24+) and
     * its slot.
     */
    private int candidate(int packed, int from) {
        int home = packed & 0xFF_FFFF;
        long pattern = (packed >>> 24) * BYTE_ONES;
        long near = UNSAFE.getLong(fingerprintBase + home + from);
        long nearMarks = zeroBytes(near ^ pattern) | zeroBytes(near);
        // At load one half the first eight slots almost always hold the key's fingerprint or a free
        // slot, so the second word is read only when they do not (a branch that is rarely taken,
        // instead of its load and arithmetic for every key).
        int offset = from + (nearMarks != 0 ? Long.numberOfTrailingZeros(nearMarks) >>> 3 : farOffset(home + from, pattern));
        offset = home + from > capacity - FINGERPRINT_SPAN ? from : offset;
        return offset << 24 | ((home + offset) & mask);
    }

    /** {@link #candidate} past the first eight fingerprints from {@code start}: the offset of the first match or free slot in the next eight, else the span's end. */
    private int farOffset(int start, long pattern) {
        long far = UNSAFE.getLong(fingerprintBase + start + 8);
        long farMarks = zeroBytes(far ^ pattern) | zeroBytes(far);
        return farMarks != 0 ? 8 + (Long.numberOfTrailingZeros(farMarks) >>> 3) : FINGERPRINT_SPAN;
    }

    /** Key {@code i} judged on its {@link #candidate} slot, walking on through its window when that slot does not answer. */
    private int judgeCandidate(long[] keys, int i, int candidate, long nowNs, long[] valuesOut) {
        int slot = candidate & 0xFF_FFFF;
        int rest = probeWindow - (candidate >>> 24) - 1;
        int found = find(keys, i * keyWords, slot, 1, nowNs, valuesOut, i * valueWords);
        if (found == UNRESOLVED) {
            found = rest <= 0 ? UNRESOLVED
                : find(keys, i * keyWords, (slot + 1) & mask, rest, nowNs, valuesOut, i * valueWords);
            found = found == UNRESOLVED ? MISSING : found;
        }
        return found;
    }

    /**
     * {@link #lookupGroupByFingerprint} for a table whose fingerprint array is too large to stay
     * in cache (see {@link #HOME_FIRST_MIN_CAPACITY}): there, reading a key's fingerprints costs a
     * memory miss of its own before the slot's. So every key first loads only its home slot, back
     * to back, and is judged on it: at load one half most keys live at home (a key that arrives at
     * load x finds its home taken with probability x, so about 1 - 0.5 / 2 = 75 % of the keys of a
     * table filled to one half are at home), and a missing key finds its home {@code EMPTY} about
     * half the time. Only the keys their home did not answer read their fingerprints, from the slot
     * after home, and load the one candidate slot they pick, exactly as
     * {@link #lookupGroupByFingerprint} does from home: the same skipping, with the same soundness
     * argument, and the same slot-by-slot walk when the candidate does not answer. In a table with
     * home hints those keys skip the fingerprints (a miss of its own at this size) and go to the
     * slots their home's hint names ({@link #resolveByHomeHints}).
     */
    private int lookupGroupHomeFirst(long[] keys, int first, int size, long nowNs, long[] valuesOut,
                                     int[] entriesOut) {
        int end = first + size;
        hashGroup(keys, first, end, entriesOut);
        // 2. Load every home slot, back to back, so the misses overlap.
        long loaded = 0;
        for (int i = first; i < end; i++) {
            loaded += loadTag(entriesOut[i] & 0xFF_FFFF);
        }
        // 3. Judge each key on its home slot (in cache now); keep the packed home of those it does not answer.
        long unresolved = 0;
        int hits = loaded == UNTOUCHABLE ? -1 : 0;
        for (int i = first; i < end; i++) {
            int found = find(keys, i * keyWords, entriesOut[i] & 0xFF_FFFF, 1, nowNs, valuesOut, i * valueWords);
            if (found == UNRESOLVED) {
                unresolved |= 1L << (i - first);
            } else {
                entriesOut[i] = found;
                hits += found >>> 31 ^ 1;
            }
        }
        if (hinted) {
            return hits + resolveByHomeHints(keys, first, unresolved, nowNs, valuesOut, entriesOut);
        }
        // 4. The rest pick a candidate from the fingerprints of the span after home.
        long touched = 0;
        for (long bits = unresolved; bits != 0; bits &= bits - 1) {
            touched += touchFingerprintSpan(entriesOut[first + Long.numberOfTrailingZeros(bits)], 1);
        }
        for (long bits = unresolved; bits != 0; bits &= bits - 1) {
            int i = first + Long.numberOfTrailingZeros(bits);
            entriesOut[i] = candidate(entriesOut[i], 1);
        }
        // 5. Load every candidate, back to back.
        long candidateEmpty = 0;
        for (long bits = unresolved; bits != 0; bits &= bits - 1) {
            int bit = Long.numberOfTrailingZeros(bits);
            long state = getAcquire(slotAddress(entriesOut[first + bit] & 0xFF_FFFF));
            candidateEmpty |= (long) (SlotState.tag(state) == EMPTY ? 1 : 0) << bit;
        }
        // 6. Judge each on its candidate; walk on when it does not answer.
        for (long bits = unresolved; bits != 0; bits &= bits - 1) {
            int bit = Long.numberOfTrailingZeros(bits);
            int i = first + bit;
            int found = (candidateEmpty >>> bit & 1) != 0 ? MISSING
                : judgeCandidate(keys, i, entriesOut[i], nowNs, valuesOut);
            entriesOut[i] = found;
            hits += found >>> 31 ^ 1;
        }
        return touched == UNTOUCHABLE ? -1 : hits;
    }

    /**
     * Steps 4 and on of {@link #lookupGroupHomeFirst} in a table with home hints: each key its home
     * slot did not answer (bit {@code i - first} of {@code unresolved}; {@code entriesOut[i]} holds
     * its packed home) reads its home's hint from the line step 2 loaded. No bit: the key is
     * missing (the hint invariant, {@link HomeHints}: a key {@code LIVE} off home has its bit set
     * from before it could be seen until it is gone, so a clear hint read during this call means
     * the key was absent at that instant). Otherwise rounds as in {@link #lookupGroup}: every such
     * key loads the slot of its lowest bit not yet tried, back to back, and is judged on it; a key
     * it does not answer moves to its next bit, or is missing when none is left. Keys that share a
     * home with no other displaced key, nearly all of them at load one half, finish in one round
     * of one miss each.
     *
     * @return how many of those keys were found
     */
    private int resolveByHomeHints(long[] keys, int first, long unresolved, long nowNs, long[] valuesOut,
                                   int[] entriesOut) {
        int hits = 0;
        for (long bits = unresolved; bits != 0; bits &= bits - 1) {
            int bit = Long.numberOfTrailingZeros(bits);
            int home = entriesOut[first + bit] & 0xFF_FFFF;
            long hint = HomeHints.after(HomeHints.read(slotAddress(home) + hintOffset), 0);
            entriesOut[first + bit] = hint == 0 ? MISSING : Long.numberOfTrailingZeros(hint) << 24 | home;
            unresolved &= hint == 0 ? ~(1L << bit) : -1L;
        }
        while (unresolved != 0) {
            long loaded = 0;
            for (long bits = unresolved; bits != 0; bits &= bits - 1) {
                int packed = entriesOut[first + Long.numberOfTrailingZeros(bits)];
                loaded += loadTag(((packed & 0xFF_FFFF) + (packed >>> 24)) & mask);
            }
            long next = loaded == UNTOUCHABLE ? -1 : 0;
            for (long bits = unresolved; bits != 0; bits &= bits - 1) {
                int bit = Long.numberOfTrailingZeros(bits);
                int i = first + bit;
                int home = entriesOut[i] & 0xFF_FFFF;
                int probe = entriesOut[i] >>> 24;
                int found = find(keys, i * keyWords, (home + probe) & mask, 1, nowNs, valuesOut, i * valueWords);
                if (found == UNRESOLVED) {
                    long hint = HomeHints.after(HomeHints.read(slotAddress(home) + hintOffset), probe);
                    entriesOut[i] = hint == 0 ? MISSING : Long.numberOfTrailingZeros(hint) << 24 | home;
                    next |= hint == 0 ? 0 : 1L << bit;
                } else {
                    entriesOut[i] = found;
                    hits += found >>> 31 ^ 1;
                }
            }
            unresolved = next;
        }
        return hits;
    }

    /**
     * Loads the state word of {@code slot} (acquire, as {@link #find} reads it) and returns its
     * tag, 0..7, for the load-only loops of the batch lookups: they add the tags up and compare
     * the sum with {@link #UNTOUCHABLE}, which keeps the loads without a branch on what they read.
     * Why no branch: the judging loop after them then calls {@link #find} for every key, whatever
     * the slot held ({@code find} answers an {@code EMPTY} slot from the line now in cache). When
     * it called {@code find} only for keys whose slot was not {@code EMPTY}, a JVM whose first
     * lookups were misses (a service creating its first flows, a benchmark's set-up) had C2
     * compile the hit path as the cold one: 8 ns more per hit (benchmarks/README.md,
     * FlowTableBenchmark, "The JIT's hit/miss profile").
     */
    private long loadTag(int slot) {
        return SlotState.tag(getAcquire(slotAddress(slot)));
    }

    /** High bit set in each byte of {@code word} that is zero (exact for the lowest such byte). */
    private static long zeroBytes(long word) {
        return (word - BYTE_ONES) & ~word & BYTE_HIGHS;
    }

    /** A key's fingerprint, 1..255, from hash bits the home slot does not use (0 marks "none written"). */
    private static int fingerprint(long hash) {
        int top = (int) (hash >>> 56);
        return top + ((top - 1) >>> 31);
    }

    /**
     * The probe loop of every lookup: the key at {@code keys[keyOffset..]} from slot {@code home}
     * (the key's home slot, or a later slot of its window when the earlier ones were already
     * judged), judging at most {@code probeLimit} slots; copies the value words to
     * {@code valueOut[valueOffset..]} unless {@code valueOut} is null.
     *
     * @return the entry, {@link #MISSING} (an {@code EMPTY} slot), or {@link #UNRESOLVED} when
     *     {@code probeLimit} slots were judged without an answer (the caller knows whether the
     *     window ends there: then the key is missing)
     */
    private int find(long[] keys, int keyOffset, int home, int probeLimit, long nowNs, long[] valueOut,
                     int valueOffset) {
        for (int probe = 0; probe < probeLimit; probe++) {
            int slot = (home + probe) & mask;
            long at = slotAddress(slot);
            long state = getAcquire(at);
            int tag = SlotState.tag(state);
            if (tag == EMPTY) {
                return MISSING;
            }
            if (tag == LIVE && keyMatches(at, keys, keyOffset)) {
                // Seqlock-style validation (class Javadoc): expiry and value are read between two
                // reads of the state word; equal reads mean nothing in the slot changed meanwhile.
                long expiresAtNs = getOpaque(at + EXPIRY_OFFSET);
                if (valueOut != null) {
                    copyValue(at, valueOut, valueOffset);
                }
                UNSAFE.loadFence();
                if (getOpaque(at) != state) {
                    probe--; // the slot changed while we compared: look at it again
                    continue;
                }
                if (expiresAtNs >= nowNs) {
                    return slot;
                }
                // Expired copy: keep looking, a fresh copy inserted by a later clock may follow.
            }
        }
        return UNRESOLVED;
    }

    /**
     * Inserts {@code key} with {@code value} and {@code expiresAtNs} unless a live, unexpired
     * entry for it exists. May reclaim a deleted or expired slot; never evicts a live one.
     *
     * @return {@code >= 0}: the key is present at {@link #entryIndex(int) entryIndex(result)},
     *     created by this call iff {@link #isCreated(int) isCreated(result)}; or {@link #FULL};
     *     or {@link #CONTENDED}
     */
    public int insert(long[] key, long[] value, long expiresAtNs, long nowNs) {
        long hash = keyHash(key);
        int home = (int) hash & mask;
        for (int attempt = 0; attempt < MAX_INSERT_ATTEMPTS; attempt++) {
            if (attempt > 0) {
                Thread.onSpinWait();
            }
            // 1. Scan: an existing live copy wins; otherwise remember the first free slot.
            int freeProbe = -1;
            long freeState = 0;
            boolean samePending = false;
            // Each slot's state is read one step ahead, together with the slot before it: the two
            // misses overlap, and the slot just past the free one (which the duplicate re-scan
            // below must read) is in cache before the claim, whose locked CAS would otherwise wait
            // for it alone later. Reading a state early is reading it at an earlier instant, which
            // this scan may do: it only proposes a slot; the re-scan decides.
            long nextState = getAcquire(slotAddress(home));
            // Also start loading the fingerprint line the claim below writes: its store must be
            // visible before the PENDING store (a locked instruction), which would otherwise wait
            // for that line alone. An acquire load, so the JIT keeps it although it is unused.
            UNSAFE.getByteVolatile(null, fingerprintBase + home);
            for (int probe = 0; probe < probeWindow; probe++) {
                int slot = (home + probe) & mask;
                long at = slotAddress(slot);
                long state = nextState;
                nextState = getAcquire(slotAddress((slot + 1) & mask));
                int tag = SlotState.tag(state);
                if (tag == EMPTY) {
                    if (freeProbe < 0) {
                        freeProbe = probe;
                        freeState = state;
                    }
                    break;
                }
                if (tag == DELETED) {
                    if (freeProbe < 0) {
                        freeProbe = probe;
                        freeState = state;
                    }
                } else if (tag == LIVE || tag == PENDING) {
                    boolean sameKey = keyMatches(at, key);
                    long slotExpiresAtNs = getOpaque(at + EXPIRY_OFFSET);
                    UNSAFE.loadFence();
                    long stateNow = getOpaque(at);
                    if (stateNow != state) {
                        nextState = stateNow; // judge this slot again, as it is now
                        probe--;
                        continue;
                    }
                    boolean expired = slotExpiresAtNs < nowNs;
                    if (tag == PENDING) {
                        samePending |= sameKey;
                    } else if (!expired) {
                        if (sameKey) {
                            return EXISTING_FLAG | slot;
                        }
                    } else if (freeProbe < 0) {
                        freeProbe = probe;
                        freeState = state;
                    }
                }
                // CLAIMED: owned by another inserter, neither free nor readable.
            }
            if (samePending) {
                continue; // another thread is publishing this key right now: let it finish
            }
            if (freeProbe < 0) {
                return FULL;
            }
            // 2. Claim the first free slot (one CAS winner), fill it, make it PENDING.
            int slot = (home + freeProbe) & mask;
            long at = slotAddress(slot);
            long claimed = SlotState.claimedAfter(freeState);
            if (!compareAndSet(at, freeState, claimed)) {
                continue;
            }
            if (SlotState.tag(freeState) == LIVE) {
                liveCount.add(slot, -1); // reclaimed an expired entry
            }
            if (hinted) {
                moveHomeHint(slot, at, freeState, home, freeProbe);
            }
            // The fingerprint goes before the PENDING store below (volatile), hence before the
            // entry can be LIVE: see lookupGroupByFingerprint for why readers rely on that.
            UNSAFE.putByte(fingerprintBase + slot, (byte) fingerprint(hash));
            writeEntry(at, key, value, expiresAtNs);
            long pending = SlotState.withTag(claimed, PENDING);
            // Volatile (not just release) store: the re-scan's loads must not pass it, or two
            // inserters of one key could each miss the other (store-load ordering, Dekker).
            setVolatile(at, pending);
            // 3. Re-scan for another copy of this key, then publish.
            int verdict = resolveDuplicates(key, home, freeProbe, nowNs);
            if (verdict == PUBLISH) {
                if (compareAndSet(at, pending, SlotState.withTag(pending, LIVE))) {
                    liveCount.add(slot, 1);
                    return slot;
                }
                continue; // killed by a higher-priority inserter of the same key: start over
            }
            // Abort our copy; if the CAS fails we were already killed, which is the same outcome.
            compareAndSet(at, pending, SlotState.withTag(pending, DELETED));
            if (verdict >= 0) {
                return EXISTING_FLAG | verdict;
            }
            // verdict == YIELD: a pending copy with priority exists; retry and find it published.
        }
        return CONTENDED;
    }

    /** True when an {@link #insert} result means the key is in the table (created or existing). */
    public static boolean isPresent(int insertResult) {
        return insertResult >= 0;
    }

    /** True when an {@link #insert} result means this call created the entry. */
    public static boolean isCreated(int insertResult) {
        return insertResult >= 0 && (insertResult & EXISTING_FLAG) == 0;
    }

    /** The entry index carried by a non-negative {@link #insert} result. */
    public static int entryIndex(int insertResult) {
        return insertResult & ~EXISTING_FLAG;
    }

    /**
     * Removes the entry if the slot still holds a live entry (expired or not) with {@code key}.
     *
     * @return true if this call removed it
     */
    public boolean remove(int entry, long[] key) {
        if (!isEntryIndex(entry)) {
            return false;
        }
        long at = slotAddress(entry);
        long state = getAcquire(at);
        if (SlotState.tag(state) != LIVE || !keyMatches(at, key)) {
            return false;
        }
        // The CAS succeeds only if the state never left this exact LIVE incarnation, so the key
        // we compared is the key we remove.
        if (compareAndSet(at, state, SlotState.withTag(state, DELETED))) {
            liveCount.add(entry, -1);
            return true;
        }
        return false;
    }

    /**
     * Moves the entry's expiry to {@code expiresAtNs} if that is later (never shortens).
     *
     * @return false if the slot holds no live entry
     */
    public boolean refresh(int entry, long expiresAtNs) {
        return updateExpiry(entry, expiresAtNs, false);
    }

    /**
     * Sets the entry's expiry to {@code expiresAtNs}, earlier or later (for example a short
     * timeout after a TCP FIN).
     *
     * @return false if the slot holds no live entry
     */
    public boolean expireAt(int entry, long expiresAtNs) {
        return updateExpiry(entry, expiresAtNs, true);
    }

    /** The entry's expiry time (whatever the slot holds now; check liveness by lookup). */
    public long expiresAtNs(int entry) {
        checkEntry(entry);
        return getOpaque(slotAddress(entry) + EXPIRY_OFFSET);
    }

    /** Reads one value word (a volatile read: atomic, never torn; no group snapshot with other words). */
    public long value(int entry, int word) {
        return getOpaque(valueAddress(entry, word));
    }

    /** Writes one value word with release semantics (earlier writes are visible before it). */
    public void value(int entry, int word, long newValue) {
        setRelease(valueAddress(entry, word), newValue);
    }

    /** Atomically sets one value word if it equals {@code expected}. */
    public boolean compareAndSetValue(int entry, int word, long expected, long newValue) {
        return compareAndSet(valueAddress(entry, word), expected, newValue);
    }

    /** Atomically adds {@code delta} to one value word (a per-flow counter) and returns the new value. */
    public long addToValue(int entry, int word, long delta) {
        return getAndAdd(valueAddress(entry, word), delta) + delta;
    }

    /**
     * A 64-bit hash of {@code key}'s first {@code keyWords} words under this table's seed; its low
     * bits choose the home slot. Stable for the table's life.
     */
    public long keyHash(long[] key) {
        return keyHash(key, 0);
    }

    /** {@link #keyHash(long[])} of the key stored at {@code keys[offset .. offset + keyWords)}. */
    @SuppressWarnings("fallthrough")
    public long keyHash(long[] key, int offset) {
        // Each word is XORed with its own salt, derived from the table's seed, multiplied and
        // rotated independently (the products run in parallel rather than as one dependency
        // chain); the sum goes through one finalizer round that spreads every input bit into the
        // low bits that pick the home slot. The salt must enter every word before its multiply:
        // with the seed merely added to the sum, two keys whose products sum alike collide under
        // every seed, and such pairs can be solved for offline (pick all words of the second key
        // but one, solve a modular equation for the last). XOR then multiply makes each word's
        // product depend on the unknown salt bits through the carries, so no fixed difference
        // between two keys cancels for all seeds (flipping the top bit of a word, the one change
        // whose effect on the product ignores the salt, moves the sum by plus or minus a different
        // power of two per word, the rotations differ, and such moves never cancel).
        // Unrolled by hand: a loop over keyWords with a salt table measured about 2.5x slower per
        // lookup at 1M entries, because the longer instruction stream kept fewer cache misses in
        // flight.
        long hash = 0;
        switch (keyWords) {
            case 6:
                hash += Long.rotateLeft((key[offset + 5] ^ salt5) * GOLDEN, 21);
            case 5:
                hash += Long.rotateLeft((key[offset + 4] ^ salt4) * GOLDEN, 4);
            case 4:
                hash += Long.rotateLeft((key[offset + 3] ^ salt3) * GOLDEN, 51);
            case 3:
                hash += Long.rotateLeft((key[offset + 2] ^ salt2) * GOLDEN, 34);
            case 2:
                hash += Long.rotateLeft((key[offset + 1] ^ salt1) * GOLDEN, 17);
            default:
                hash += (key[offset] ^ salt0) * GOLDEN;
        }
        return finishHash(hash);
    }

    /** Rotation of each key word's product in {@link #keyHash} (word 0 is not rotated). */
    private static final int[] WORD_ROTATIONS = {0, 17, 34, 51, 4, 21};

    /**
     * {@link #keyHash} of the key stored in the slot at {@code at}, for an inserter that owns the
     * slot (so the words cannot change): a loop, since only a claim of a used slot needs it.
     */
    private long storedKeyHash(long at) {
        long hash = 0;
        for (int word = 0; word < keyWords; word++) {
            hash += Long.rotateLeft((getPlain(at + KEY_OFFSET + 8L * word) ^ salts[word]) * GOLDEN,
                WORD_ROTATIONS[word]);
        }
        return finishHash(hash);
    }

    /** The finalizer round of {@link #keyHash}: spreads every bit of the sum into the low bits. */
    private static long finishHash(long hash) {
        hash ^= hash >>> 32;
        hash *= 0xD6E8FEB86659FD93L;
        hash ^= hash >>> 29;
        return hash;
    }

    /**
     * Keeps the home hints ({@link HomeHints}) true for {@code slot}, just claimed by an insert of
     * a key whose home is {@code home}, at {@code probe} from it: clears the bit the slot's previous
     * key set in its own home's hint (that key is no longer {@code LIVE}: the claim took its slot),
     * then sets the new key's bit, before the entry can become visible.
     */
    private void moveHomeHint(int slot, long at, long previousState, int home, int probe) {
        if (SlotState.tag(previousState) != EMPTY) {
            int previousHome = (int) storedKeyHash(at) & mask;
            if (previousHome == home) {
                return; // the same bit, set by the previous key's inserter
            }
            int previousProbe = (slot - previousHome) & mask;
            if (previousProbe != 0) {
                HomeHints.clear(slotAddress(previousHome) + hintOffset, previousProbe);
            }
        }
        if (probe != 0) {
            HomeHints.set(slotAddress(home) + hintOffset, probe);
        }
    }

    /**
     * Salt of key word {@code word} under {@code hashSeed}: a SplitMix64 output, so the six salts
     * of one seed look unrelated to one another.
     */
    private static long salt(long hashSeed, int word) {
        long z = hashSeed + (word + 1) * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The seed {@link #keyHash} uses: random unless one was given, so crafted keys cannot aim at one window. */
    public long hashSeed() {
        return hashSeed;
    }

    // ---------------------------------------------------------------- control plane

    /**
     * Visits every live entry (including expired ones not yet reclaimed) with a consistent copy
     * of its key, value and expiry. Concurrent changes may or may not be seen. Allocates two
     * scratch arrays per call.
     */
    public void forEach(EntryVisitor visitor) {
        long[] key = new long[keyWords];
        long[] value = new long[valueWords];
        long[] expiresAtNs = new long[1];
        for (int entry = 0; entry < capacity; entry++) {
            if (copyLiveEntry(entry, key, value, expiresAtNs)) {
                visitor.visit(entry, key, value, expiresAtNs[0]);
            }
        }
    }

    /**
     * Copies a live entry's key, value and expiry, consistent with each other (a control-plane
     * scan in slices, e.g. persisting entries; no allocation).
     *
     * @return false if the slot holds no live entry
     */
    public boolean copyEntry(int entry, long[] keyOut, long[] valueOut, long[] expiresAtNsOut) {
        checkEntry(entry);
        return copyLiveEntry(entry, keyOut, valueOut, expiresAtNsOut);
    }

    /**
     * Copies the key of a live entry into {@code keyOut}.
     *
     * @return false if the slot holds no live entry
     */
    public boolean copyKey(int entry, long[] keyOut) {
        checkEntry(entry);
        long at = slotAddress(entry);
        while (true) {
            long state = getAcquire(at);
            if (SlotState.tag(state) != LIVE) {
                return false;
            }
            for (int word = 0; word < keyWords; word++) {
                keyOut[word] = getOpaque(at + KEY_OFFSET + 8L * word);
            }
            UNSAFE.loadFence();
            if (getOpaque(at) == state) {
                return true;
            }
        }
    }

    /**
     * Deletes entries in {@code [fromEntry, fromEntry + entryCount)} whose expiry is before
     * {@code nowNs}; lets a housekeeping task sweep the table in slices.
     *
     * @return how many entries this call deleted
     */
    public int removeExpired(int fromEntry, int entryCount, long nowNs) {
        int removed = 0;
        int end = (int) Math.min((long) capacity, (long) fromEntry + entryCount);
        for (int entry = Math.max(0, fromEntry); entry < end; entry++) {
            long at = slotAddress(entry);
            long state = getAcquire(at);
            if (SlotState.tag(state) == LIVE && getOpaque(at + EXPIRY_OFFSET) < nowNs
                && compareAndSet(at, state, SlotState.withTag(state, DELETED))) {
                liveCount.add(entry, -1);
                removed++;
            }
        }
        return removed;
    }

    /** Deletes every entry whose expiry is before {@code nowNs}; returns how many. */
    public int removeExpired(long nowNs) {
        return removeExpired(0, capacity, nowNs);
    }

    /** True if the slot currently holds a live entry (expired or not). */
    public boolean isLive(int entry) {
        checkEntry(entry);
        return SlotState.tag(getAcquire(slotAddress(entry))) == LIVE;
    }

    /**
     * Approximate number of live entries, including expired ones not yet reclaimed or swept;
     * exact when no writer is running.
     */
    public int size() {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, liveCount.sum()));
    }

    public int capacity() {
        return capacity;
    }

    public int keyWords() {
        return keyWords;
    }

    public int valueWords() {
        return valueWords;
    }

    public int probeWindow() {
        return probeWindow;
    }

    /** Bytes of direct memory per entry (state, expiry, key, value, padding). */
    public int bytesPerEntry() {
        return bytesPerEntry;
    }

    /**
     * Bytes of direct memory held by the table: {@code capacity() * bytesPerEntry()} for the
     * entries plus one fingerprint byte per slot.
     */
    public long memoryBytes() {
        return memoryBytes + capacity;
    }

    /**
     * Releases the table. The memory is a direct buffer that the garbage collector frees once
     * the table is unreachable; nothing is freed early, so a late reader can never touch freed
     * memory. Kept so owners manage the table's life explicitly.
     */
    @Override
    public void close() {
        // Deliberately no explicit free: see Javadoc.
    }

    @Override
    public String toString() {
        return "FlowTable{capacity=" + capacity + ", keyWords=" + keyWords + ", valueWords=" + valueWords
            + ", probeWindow=" + probeWindow + ", bytesPerEntry=" + bytesPerEntry + ", size=" + size() + '}';
    }

    // ---------------------------------------------------------------- internals

    private static final int PUBLISH = -1;
    private static final int YIELD = -2;

    /**
     * Re-scans the window after our slot at {@code ownProbe} became PENDING.
     *
     * @return {@link #PUBLISH}, {@link #YIELD}, or the index of a live unexpired copy of the key
     */
    private int resolveDuplicates(long[] key, int home, int ownProbe, long nowNs) {
        for (int probe = 0; probe < probeWindow; probe++) {
            if (probe == ownProbe) {
                continue;
            }
            int slot = (home + probe) & mask;
            long at = slotAddress(slot);
            long state = getVolatile(at);
            int tag = SlotState.tag(state);
            if (tag == EMPTY) {
                return PUBLISH; // nothing of this key lies beyond an EMPTY slot
            }
            if (tag != LIVE && tag != PENDING) {
                continue;
            }
            boolean sameKey = keyMatches(at, key);
            long slotExpiresAtNs = getOpaque(at + EXPIRY_OFFSET);
            UNSAFE.loadFence();
            if (getVolatile(at) != state) {
                probe--;
                continue;
            }
            if (!sameKey) {
                continue;
            }
            if (tag == LIVE) {
                if (slotExpiresAtNs >= nowNs) {
                    return slot;
                }
                // A stale expired copy: delete it so only our copy can be found.
                if (compareAndSet(at, state, SlotState.withTag(state, DELETED))) {
                    liveCount.add(slot, -1);
                } else {
                    probe--;
                }
            } else if (probe < ownProbe) {
                return YIELD; // the copy nearer home has priority
            } else if (!compareAndSet(at, state, SlotState.withTag(state, DELETED))) {
                probe--; // it moved on (published, aborted or killed): judge it again
            }
        }
        return PUBLISH;
    }

    private boolean updateExpiry(int entry, long expiresAtNs, boolean allowEarlier) {
        checkEntry(entry);
        long at = slotAddress(entry);
        while (true) {
            long state = getAcquire(at);
            if (SlotState.tag(state) != LIVE) {
                return false;
            }
            long current = getVolatile(at + EXPIRY_OFFSET);
            UNSAFE.loadFence();
            if (getOpaque(at) != state) {
                continue;
            }
            if (current == expiresAtNs || (!allowEarlier && current > expiresAtNs)) {
                return true;
            }
            if (compareAndSet(at + EXPIRY_OFFSET, current, expiresAtNs)) {
                return true;
            }
        }
    }

    /** Validated copy of a live entry's key, value and expiry; false if the slot is not live. */
    private boolean copyLiveEntry(int entry, long[] keyOut, long[] valueOut, long[] expiresAtNsOut) {
        long at = slotAddress(entry);
        while (true) {
            long state = getAcquire(at);
            if (SlotState.tag(state) != LIVE) {
                return false;
            }
            for (int word = 0; word < keyWords; word++) {
                keyOut[word] = getOpaque(at + KEY_OFFSET + 8L * word);
            }
            long expiresAtNs = getOpaque(at + EXPIRY_OFFSET);
            copyValue(at, valueOut);
            UNSAFE.loadFence();
            if (getOpaque(at) == state) {
                expiresAtNsOut[0] = expiresAtNs;
                return true;
            }
        }
    }

    private void writeEntry(long at, long[] key, long[] value, long expiresAtNs) {
        setPlain(at + EXPIRY_OFFSET, expiresAtNs);
        for (int word = 0; word < keyWords; word++) {
            setPlain(at + KEY_OFFSET + 8L * word, key[word]);
        }
        for (int word = 0; word < valueWords; word++) {
            setPlain(at + valueOffset + 8L * word, value[word]);
        }
    }

    private void copyValue(long at, long[] valueOut) {
        copyValue(at, valueOut, 0);
    }

    /** Unrolled for the common sizes (up to four words; see {@link #keyHash} for why unrolled). */
    @SuppressWarnings("fallthrough")
    private void copyValue(long at, long[] valueOut, int offset) {
        long from = at + valueOffset;
        switch (valueWords) {
            case 4:
                valueOut[offset + 3] = getOpaque(from + 24);
            case 3:
                valueOut[offset + 2] = getOpaque(from + 16);
            case 2:
                valueOut[offset + 1] = getOpaque(from + 8);
            case 1:
                valueOut[offset] = getOpaque(from);
            case 0:
                break;
            default:
                for (int word = 0; word < valueWords; word++) {
                    valueOut[offset + word] = getOpaque(from + 8L * word);
                }
        }
    }

    /** Branch-free, unrolled key compare (see {@link #keyHash} for why unrolled). */
    private boolean keyMatches(long at, long[] key) {
        return keyMatches(at, key, 0);
    }

    /** {@link #keyMatches(long, long[])} against the key at {@code key[offset .. offset + keyWords)}. */
    @SuppressWarnings("fallthrough")
    private boolean keyMatches(long at, long[] key, int offset) {
        long at0 = at + KEY_OFFSET;
        long difference = 0;
        switch (keyWords) {
            case 6:
                difference |= getPlain(at0 + 40) ^ key[offset + 5];
            case 5:
                difference |= getPlain(at0 + 32) ^ key[offset + 4];
            case 4:
                difference |= getPlain(at0 + 24) ^ key[offset + 3];
            case 3:
                difference |= getPlain(at0 + 16) ^ key[offset + 2];
            case 2:
                difference |= getPlain(at0 + 8) ^ key[offset + 1];
            default:
                difference |= getPlain(at0) ^ key[offset];
        }
        return difference == 0;
    }

    // Accessors over absolute addresses. On x86-64 a volatile read is a plain load, an ordered
    // (release) write is a plain store, and only volatile writes and CASes carry a fence.

    /** Acquire read: later reads cannot move before it. */
    private static long getAcquire(long address) {
        return UNSAFE.getLongVolatile(null, address);
    }

    /** A single-copy-atomic read of an aligned word that may be written concurrently. */
    private static long getOpaque(long address) {
        return UNSAFE.getLongVolatile(null, address);
    }

    /** Read ordered with the other volatile accesses of the Dekker-style duplicate check. */
    private static long getVolatile(long address) {
        return UNSAFE.getLongVolatile(null, address);
    }

    /** Plain read of a word nobody writes while we may read it, or that a later validation covers. */
    private static long getPlain(long address) {
        return UNSAFE.getLong(address);
    }

    private static void setPlain(long address, long value) {
        UNSAFE.putLong(address, value);
    }

    private static void setRelease(long address, long value) {
        UNSAFE.putOrderedLong(null, address, value);
    }

    private static void setVolatile(long address, long value) {
        UNSAFE.putLongVolatile(null, address, value);
    }

    private static boolean compareAndSet(long address, long expected, long value) {
        return UNSAFE.compareAndSwapLong(null, address, expected, value);
    }

    private static long getAndAdd(long address, long delta) {
        return UNSAFE.getAndAddLong(null, address, delta);
    }

    private long slotAddress(int slot) {
        return baseAddress + (long) slot * bytesPerEntry;
    }

    private long valueAddress(int entry, int word) {
        if (!isEntryIndex(entry) || word < 0 || word >= valueWords) {
            throw new IndexOutOfBoundsException("entry " + entry + " word " + word + " outside " + this);
        }
        return slotAddress(entry) + valueOffset + 8L * word;
    }

    private boolean isEntryIndex(int entry) {
        return entry >= 0 && entry < capacity;
    }

    private void checkEntry(int entry) {
        if (!isEntryIndex(entry)) {
            throw new IndexOutOfBoundsException("entry " + entry + " outside capacity " + capacity);
        }
    }

    private static int entryStride(int bytes) {
        if (bytes <= CACHE_LINE) {
            return Integer.highestOneBit(bytes - 1) << 1;
        }
        return (bytes + CACHE_LINE - 1) & -CACHE_LINE;
    }
}
