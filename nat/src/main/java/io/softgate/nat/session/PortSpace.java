package io.softgate.nat.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Every port of one public address, per protocol class, as a lock-free state word: in use, or
 * free from a given second on. Workers on the slow path claim ports with a CAS; the sweeper frees
 * them with a release store that stamps the DESIGN §8 reuse hold (120 s by default).
 * Port blocks (RFC 6888 port-block allocation, to keep logs small) have their own owner words;
 * see {@link #releaseBlockIfIdle} for why a block is never freed while a port of it is its owner's.
 *
 * <p>Memory: 3 x 65536 x 4 bytes of port words plus 3 x 65536/blockSize x 8 bytes of block words
 * (about 768 KiB per public address).
 *
 * <p>Threading: lock-free; any thread may call any method.
 */
public final class PortSpace {
    /** Port word of a port that is mapped. */
    static final int IN_USE = Integer.MAX_VALUE;
    /** Port word of a port never used (reusable at once). */
    static final int NEVER_USED = Integer.MIN_VALUE;
    private static final long BLOCK_OWNED = 1L << 62;
    /**
     * Set, with the owner's key, in the word of a block the sweeper is freeing ({@link #releaseBlockIfIdle}):
     * still the owner's (no one else claims it), but its owner claims no port in it. Above the
     * owner key's bits (VRF 21 bits at 32, address 32 bits).
     */
    private static final long BLOCK_CLOSING = 1L << 61;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int address;
    private final int[][] portWords = new int[ProtocolClass.COUNT][65536];
    private final long[][] blockWords = new long[ProtocolClass.COUNT][];
    /** Ports held for port forwards (control thread only). */
    private final java.util.BitSet[] reserved = {new java.util.BitSet(), new java.util.BitSet(), new java.util.BitSet()};

    public PortSpace(int address) {
        this.address = address;
        for (int[] words : portWords) {
            Arrays.fill(words, NEVER_USED);
        }
    }

    public int address() {
        return address;
    }

    /** Whole seconds of a nanosecond clock reading (port hold resolution). */
    public static int seconds(long nowNs) {
        return (int) Math.floorDiv(nowNs, 1_000_000_000L);
    }

    /** Claims {@code port} if it is free and past its hold; returns true when this caller got it. */
    public boolean tryClaim(int protocolClass, int port, long nowNs) {
        return claimWord(portWords[protocolClass], port, seconds(nowNs)) != IN_USE;
    }

    /**
     * Claims {@code port} (a CAS to {@link #IN_USE}) if it is free and past its hold: returns the
     * word it held before, or {@link #IN_USE} when this caller did not get it.
     */
    private static int claimWord(int[] words, int port, int nowSeconds) {
        int word = (int) INTS.getAcquire(words, port);
        return word != IN_USE && word <= nowSeconds && INTS.compareAndSet(words, port, word, IN_USE) ? word : IN_USE;
    }

    /** True when {@code port} is in use (mapped or reserved); only reads its state word, claims nothing. */
    public boolean isInUse(int protocolClass, int port) {
        return (int) INTS.getAcquire(portWords[protocolClass], port) == IN_USE;
    }

    /** Frees {@code port}; it may be claimed again from {@code reusableAtNs} on. */
    public void release(int protocolClass, int port, long reusableAtNs) {
        INTS.setRelease(portWords[protocolClass], port, seconds(reusableAtNs) + 1);
    }

    /**
     * RFC 6056 §3.3.1 (Algorithm 1, simple randomisation): start at a random port of
     * [{@code first}, {@code last}] and take the next free one. Returns the port, or -1 when every
     * port of the range is in use or on hold.
     */
    public int claimRandom(int protocolClass, int first, int last, int random, long nowNs) {
        int count = last - first + 1;
        int start = randomStart(first, last, random) - first;
        for (int i = 0; i < count; i++) {
            int port = first + (start + i) % count;
            if (tryClaim(protocolClass, port, nowNs)) {
                return port;
            }
        }
        return -1;
    }

    /** The port {@link #claimRandom} with {@code random} tries first. */
    public static int randomStart(int first, int last, int random) {
        return first + Math.floorMod(random, last - first + 1);
    }

    /**
     * The state words of {@code protocolClass}'s ports, for a batch pre-pass that only reads them
     * (plain loads, to start loading the words the batch's claims will test so that their cache
     * misses overlap; {@link OutboundCreationPrefetch}). Never written through this reference.
     */
    int[] words(int protocolClass) {
        return portWords[protocolClass];
    }

    /**
     * Holds exactly the ports in {@code wanted} for port forwards so dynamic mappings never take
     * them: ports no longer wanted are freed at once; a newly wanted port is claimed now, unless a
     * live mapping holds it (then the next compile after that mapping ends claims it).
     * Control thread only.
     */
    public synchronized void reservePorts(int protocolClass, java.util.BitSet wanted) {
        int[] words = portWords[protocolClass];
        java.util.BitSet held = reserved[protocolClass];
        for (int port = held.nextSetBit(0); port >= 0; port = held.nextSetBit(port + 1)) {
            if (!wanted.get(port)) {
                INTS.setRelease(words, port, NEVER_USED);
            }
        }
        java.util.BitSet now = new java.util.BitSet();
        for (int port = wanted.nextSetBit(0); port >= 0 && port < 65536; port = wanted.nextSetBit(port + 1)) {
            if (held.get(port)) {
                now.set(port);
                continue;
            }
            int word = (int) INTS.getAcquire(words, port);
            if (word != IN_USE && INTS.compareAndSet(words, port, word, IN_USE)) {
                now.set(port);
            }
        }
        reserved[protocolClass] = now;
    }

    // ---- port blocks ----

    /** Sizes the block words for {@code blockSize} over [{@code first}, {@code last}] (control thread, once). */
    public synchronized void prepareBlocks(int first, int last, int blockSize) {
        int blocks = (last - first + 1) / blockSize;
        for (int c = 0; c < ProtocolClass.COUNT; c++) {
            if (blockWords[c] == null || blockWords[c].length != blocks) {
                long[] words = new long[blocks];
                Arrays.fill(words, Long.MIN_VALUE);
                blockWords[c] = words;
            }
        }
    }

    public int blockCount(int protocolClass) {
        long[] words = blockWords[protocolClass];
        return words == null ? 0 : words.length;
    }

    /** Owner word of a subscriber (VRF and inside address). */
    public static long subscriberKey(int vrf, int insideAddress) {
        return BLOCK_OWNED | ((long) (vrf & SessionKeys.MAX_VRF) << 32) | (insideAddress & 0xFFFF_FFFFL);
    }

    /**
     * True when block {@code block} belongs to {@code subscriberKey} and is open (not being freed
     * by the sweeper: {@link #releaseBlockIfIdle}).
     */
    public boolean ownsBlock(int protocolClass, int block, long subscriberKey) {
        return (long) LONGS.getAcquire(blockWords[protocolClass], block) == subscriberKey;
    }

    /**
     * True when block {@code block} belongs to {@code subscriberKey}, open or being freed (counts
     * toward the subscriber's blocks: the sweeper may yet find a port of it in use and keep it).
     */
    public boolean holdsBlock(int protocolClass, int block, long subscriberKey) {
        return ((long) LONGS.getAcquire(blockWords[protocolClass], block) & ~BLOCK_CLOSING) == subscriberKey;
    }

    /** Claims a free block (random start) for the subscriber; returns its index or -1. */
    public int claimBlock(int protocolClass, long subscriberKey, int random, long nowNs) {
        long[] words = blockWords[protocolClass];
        if (words == null || words.length == 0) {
            return -1;
        }
        int start = Math.floorMod(random, words.length);
        long nowSeconds = seconds(nowNs);
        for (int i = 0; i < words.length; i++) {
            int block = (start + i) % words.length;
            long word = (long) LONGS.getAcquire(words, block);
            if ((word & BLOCK_OWNED) == 0 || word < 0) {
                if (word <= nowSeconds && LONGS.compareAndSet(words, block, word, subscriberKey)) {
                    return block;
                }
            }
        }
        return -1;
    }

    /**
     * Makes {@code block} the subscriber's if it is free (restoring persisted sessions at start):
     * true when it now belongs to {@code subscriberKey}.
     */
    public boolean claimExactBlock(int protocolClass, int block, long subscriberKey) {
        long[] words = blockWords[protocolClass];
        if (words == null || block < 0 || block >= words.length) {
            return false;
        }
        while (true) {
            long word = (long) LONGS.getAcquire(words, block);
            if (word == subscriberKey) {
                return true;
            }
            if ((word & BLOCK_OWNED) != 0 && word >= 0) {
                return false; // another subscriber's block, or one being freed
            }
            if (LONGS.compareAndSet(words, block, word, subscriberKey)) {
                return true;
            }
        }
    }

    /**
     * Sweeper only (one thread): frees block {@code block} if it is {@code subscriberKey}'s and no
     * port of it is in use; claimable again from {@code reusableAtNs} on. Returns true when freed
     * (the caller logs BLOCK-DELETE). Callers check {@link #ownsBlock} and {@link #blockIdle} first
     * (plain reads, nothing written), so a block with a port in use is normally never marked.
     *
     * <p>Why no port of a freed block is, or can still become, its owner's (RFC 6888 REQ-12: the
     * log names the right subscriber for every port at every time). A plain "owner's and idle, so
     * free it" check is not enough: an owner's worker that found the block its owner's
     * ({@link #ownsBlock}) may claim one of its ports between that scan and the release, or even
     * after it, and keep a port in a block logged deleted and, after the hold, handed to another
     * subscriber. So:
     * <ol>
     *   <li>The sweeper first marks the block closing: a CAS from exactly the owner's key to
     *       key | {@link #BLOCK_CLOSING}. Nobody else ever writes a closing word or writes over one
     *       (claims of blocks CAS only from free words; {@link #claimExactBlock} refuses an owned
     *       word), so the block stays closing until this thread frees or reopens it.</li>
     *   <li>Then it scans the block's ports again with volatile reads: if one is in use it reopens
     *       the block (back to the owner's key) and frees nothing; otherwise it frees it.</li>
     *   <li>An owner's worker keeps a port of a block only if, after its claiming CAS on the port
     *       word, a volatile read of the block word finds exactly the owner's key (open); otherwise
     *       (closing, free, another's) it puts the port word back as it found it, never having used
     *       the port, and does not use the block ({@link #claimInOwnedBlock}).</li>
     * </ol>
     * Both sides write one word by CAS, then read the other side's word with a volatile read; all
     * these accesses are totally ordered (the synchronization order, JLS 17.4.4), consistently with
     * each thread's program order. Take a round of the sweeper that frees the block (mark M, scan
     * S, free F) and a port a worker kept (claiming CAS C, then block read K finding the owner's
     * key, open). If K precedes M, so does C, and S (after M) finds the port in use, unless its
     * holder freed it meanwhile: that round reopens the block instead of freeing it. If K follows
     * M, it also follows F, since from M to F the word is closing and only this round changes it;
     * so K found the owner's key written by a later claim of the block (a free word is claimed
     * only by {@link #claimBlock}: a new BLOCK-CREATE for that subscriber), and the port is kept in
     * that new incarnation, rightly. Hence a block is freed only when no port of it is its owner's,
     * and no port claimed afterwards is kept in it. Both sides may lose at once (the worker gives
     * the port back, the sweeper finds it in use and reopens): a spurious refusal of one claim in
     * that block, which the caller treats as a full block; never a port kept in a freed block.
     * Ports themselves are never handed out twice: each claim is a CAS from a word other than
     * {@link #IN_USE}, and only the port's holder writes a free word back (the sweeper for a
     * mapping it deleted, a worker or the restorer for a port it claimed and did not use, the
     * control thread for its reserved ports).
     */
    boolean releaseBlockIfIdle(int protocolClass, int block, long subscriberKey, int first, int blockSize,
                               long reusableAtNs) {
        long[] words = blockWords[protocolClass];
        if (words == null || block < 0 || block >= words.length
            || !LONGS.compareAndSet(words, block, subscriberKey, subscriberKey | BLOCK_CLOSING)) {
            return false;
        }
        int[] ports = portWords[protocolClass];
        int blockFirst = first + block * blockSize;
        for (int port = blockFirst; port < blockFirst + blockSize; port++) {
            if ((int) INTS.getVolatile(ports, port) == IN_USE) {
                LONGS.setVolatile(words, block, subscriberKey); // reopen: a port of it is the owner's
                return false;
            }
        }
        releaseBlock(protocolClass, block, reusableAtNs);
        return true;
    }

    /** Frees a block; claimable again from {@code reusableAtNs} on (use {@link #releaseBlockIfIdle} for an owned block). */
    void releaseBlock(int protocolClass, int block, long reusableAtNs) {
        LONGS.setRelease(blockWords[protocolClass], block, (long) seconds(reusableAtNs) + 1);
    }

    /**
     * Claims a free port inside {@code block} for {@code subscriberKey}, which must find the block
     * its own and open after claiming (see {@link #releaseBlockIfIdle}); -1 when no port is free,
     * or when the block is not (or no longer) the subscriber's open block: then the port it
     * claimed is given back untouched and nothing is claimed.
     */
    public int claimInOwnedBlock(int protocolClass, int block, long subscriberKey, int first, int blockSize,
                                 int random, long nowNs) {
        int[] ports = portWords[protocolClass];
        long[] blocks = blockWords[protocolClass];
        int nowSeconds = seconds(nowNs);
        int blockFirst = first + block * blockSize;
        int start = Math.floorMod(random, blockSize);
        for (int i = 0; i < blockSize; i++) {
            int port = blockFirst + (start + i) % blockSize;
            int before = claimWord(ports, port, nowSeconds);
            if (before == IN_USE) {
                continue;
            }
            // After the claiming CAS: a volatile read, so that the sweeper either sees this port in
            // use after marking the block closing, or this read sees the mark (releaseBlockIfIdle).
            if ((long) LONGS.getVolatile(blocks, block) == subscriberKey) {
                return port;
            }
            INTS.setRelease(ports, port, before); // never used; only this thread wrote it since the CAS
            return -1;
        }
        return -1;
    }

    /**
     * Claims {@code port} of block {@code block} for {@code subscriberKey} (restoring a persisted
     * mapping: the block made the subscriber's first, {@link #claimExactBlock}), validated like
     * {@link #claimInOwnedBlock}; true when claimed.
     */
    public boolean claimPortInOwnedBlock(int protocolClass, int block, long subscriberKey, int port, long nowNs) {
        int[] ports = portWords[protocolClass];
        int before = claimWord(ports, port, seconds(nowNs));
        if (before == IN_USE) {
            return false;
        }
        if ((long) LONGS.getVolatile(blockWords[protocolClass], block) == subscriberKey) {
            return true;
        }
        INTS.setRelease(ports, port, before);
        return false;
    }

    /** True when no port of {@code block} is in use. */
    public boolean blockIdle(int protocolClass, int block, int first, int blockSize) {
        int blockFirst = first + block * blockSize;
        for (int port = blockFirst; port < blockFirst + blockSize; port++) {
            if (isInUse(protocolClass, port)) {
                return false;
            }
        }
        return true;
    }
}
