package io.softgate.nat.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Every port of one public address, per protocol class, as a lock-free state word: in use, or
 * free from a given second on. Workers on the slow path claim ports with a CAS; the sweeper frees
 * them with a release store that stamps the DESIGN §8 reuse hold (120 s by default).
 * Port blocks (RFC 6888 port-block allocation, to keep logs small) have their own owner words.
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
        int[] words = portWords[protocolClass];
        int word = (int) INTS.getAcquire(words, port);
        return word != IN_USE && word <= seconds(nowNs) && INTS.compareAndSet(words, port, word, IN_USE);
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

    /** True when block {@code block} belongs to {@code subscriberKey}. */
    public boolean ownsBlock(int protocolClass, int block, long subscriberKey) {
        return (long) LONGS.getAcquire(blockWords[protocolClass], block) == subscriberKey;
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
                return false; // another subscriber's block
            }
            if (LONGS.compareAndSet(words, block, word, subscriberKey)) {
                return true;
            }
        }
    }

    /** Frees a block; claimable again from {@code reusableAtNs} on. */
    public void releaseBlock(int protocolClass, int block, long reusableAtNs) {
        LONGS.setRelease(blockWords[protocolClass], block, (long) seconds(reusableAtNs) + 1);
    }

    /** Claims a free port inside {@code block}; -1 when none. */
    public int claimInBlock(int protocolClass, int block, int first, int blockSize, int random, long nowNs) {
        int blockFirst = first + block * blockSize;
        int start = Math.floorMod(random, blockSize);
        for (int i = 0; i < blockSize; i++) {
            int port = blockFirst + (start + i) % blockSize;
            if (tryClaim(protocolClass, port, nowNs)) {
                return port;
            }
        }
        return -1;
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
